// Query code of `alert_deliveries`. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so any number
// of instances can dispatch at once and each row goes to exactly one of them; a claim is a lease
// (`locked_until`), so a row whose sender died is taken again once it runs out. Every state change
// after a claim is conditional on that claim (state and attempt count), so a sender whose lease ran
// out cannot overwrite the outcome of the one that took over. Plain SQL on the root connection:
// the dispatcher runs from a timer, with no request context.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Alert } from './entities/alert.entity';
import { AlertChannelName, AlertDeliveryEvent } from './entities/alert-delivery.entity';

export interface PlannedDelivery {
  alertId: string;
  channel: AlertChannelName;
  event: AlertDeliveryEvent;
  dedupKey: string;
}

export interface ClaimedDelivery {
  id: string;
  alertId: string;
  channel: AlertChannelName;
  event: AlertDeliveryEvent;
  /** This attempt's number (the claim counted it). */
  attempts: number;
  createdAt: Date;
}

export interface OpenAlertRef {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  subject: string;
}

export interface ReminderDue {
  alertId: string;
  channel: AlertChannelName;
  /** Reminders already planned for this alert and channel. */
  reminders: number;
}

interface ClaimedRow {
  id: string;
  alert_id: string;
  channel: AlertChannelName;
  event: AlertDeliveryEvent;
  attempts: number;
  created_at: Date | string;
}

@Injectable()
export class AlertDeliveriesRepository {
  constructor(private readonly em: EntityManager) {}

  /** Inserts the deliveries not planned before (by dedup key); returns how many were new. */
  async plan(deliveries: readonly PlannedDelivery[], now: Date): Promise<number> {
    if (deliveries.length === 0) return 0;
    const values = deliveries.map(() => "(?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)").join(', ');
    const params = deliveries.flatMap((delivery) => [randomUUID(), delivery.alertId, delivery.channel, delivery.event, delivery.dedupKey, now, now, now]);
    const rows = await this.em.getConnection().execute<{ id: string }[]>(
      `insert into alert_deliveries (id, alert_id, channel, event, dedup_key, state, attempts, next_attempt_at, created_at, updated_at)
       values ${values} on conflict (dedup_key) do nothing returning id`,
      params,
    );
    return rows.length;
  }

  /** Open alerts nothing was planned for yet (new ones, or ones whose planning failed last time). */
  findOpenAlertsWithoutDeliveries(limit: number): Promise<OpenAlertRef[]> {
    return this.em.getConnection().execute<OpenAlertRef[]>(
      `select a.id, a.kind, a.severity, a.subject from alerts a
        where a.status = 'open' and not exists (select 1 from alert_deliveries d where d.alert_id = a.id)
        order by a.first_seen_at, a.id limit ?`,
      [limit],
    );
  }

  /** (alert, channel) pairs of alerts resolved since `since` that were triggered there and have no resolve yet. */
  async findResolvesDue(since: Date, limit: number): Promise<{ alertId: string; channel: AlertChannelName }[]> {
    const rows = await this.em.getConnection().execute<{ alert_id: string; channel: AlertChannelName }[]>(
      `select distinct d.alert_id, d.channel from alert_deliveries d join alerts a on a.id = d.alert_id
        where a.status = 'resolved' and a.resolved_at > ? and d.event = 'trigger' and d.state <> 'failed'
          and not exists (select 1 from alert_deliveries r where r.alert_id = d.alert_id and r.channel = d.channel and r.event = 'resolve')
        limit ?`,
      [since, limit],
    );
    return rows.map((row) => ({ alertId: row.alert_id, channel: row.channel }));
  }

  /**
   * (alert, channel) pairs of open alerts whose last announcement there was delivered at or before
   * `deliveredBefore`, with nothing else on its way to that channel.
   */
  async findRemindersDue(deliveredBefore: Date, channels: readonly AlertChannelName[], limit: number): Promise<ReminderDue[]> {
    if (channels.length === 0) return [];
    const rows = await this.em.getConnection().execute<{ alert_id: string; channel: AlertChannelName; reminders: number }[]>(
      `select d.alert_id, d.channel, (count(*) filter (where d.event = 'reminder'))::int as reminders
         from alert_deliveries d join alerts a on a.id = d.alert_id
        where a.status = 'open' and d.event in ('trigger', 'reminder') and d.channel in (${channels.map(() => '?').join(', ')})
        group by d.alert_id, d.channel
       having bool_and(d.state in ('delivered', 'failed')) and max(d.delivered_at) <= ?
        limit ?`,
      [...channels, deliveredBefore, limit],
    );
    return rows.map((row) => ({ alertId: row.alert_id, channel: row.channel, reminders: Number(row.reminders) }));
  }

  /**
   * Claims up to `limit` deliveries that are due, for `leaseMs`. A resolve waits until nothing
   * else about its alert is on its way to that channel, so a channel never hears "resolved" first.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const rows = await this.em.getConnection().execute<ClaimedRow[]>(
      `update alert_deliveries set state = 'sending', attempts = attempts + 1, locked_until = ?, updated_at = ?
        where id in (
          select c.id from alert_deliveries c
           where ((c.state = 'pending' and c.next_attempt_at <= ?) or (c.state = 'sending' and c.locked_until <= ?))
             and not (c.event = 'resolve' and exists (
               select 1 from alert_deliveries t
                where t.alert_id = c.alert_id and t.channel = c.channel and t.event <> 'resolve' and t.state in ('pending', 'sending')))
           order by c.next_attempt_at, c.created_at
           limit ? for update skip locked)
        returning id, alert_id, channel, event, attempts, created_at`,
      [new Date(now.getTime() + leaseMs), now, now, now, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      alertId: row.alert_id,
      channel: row.channel,
      event: row.event,
      attempts: Number(row.attempts),
      createdAt: new Date(row.created_at),
    }));
  }

  /** The alerts the claimed deliveries are about. */
  findAlerts(ids: readonly string[]): Promise<Alert[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.em.fork().find(Alert, { id: { $in: [...ids] } });
  }

  /** Also stamps the alert's `notified_at` on its first delivered trigger. */
  async markDelivered(claim: ClaimedDelivery, now: Date): Promise<void> {
    await this.settle(claim, { state: 'delivered', deliveredAt: now, nextAttemptAt: null, lastError: null }, now);
    if (claim.event === 'trigger') {
      await this.em.getConnection().execute('update alerts set notified_at = ? where id = ? and notified_at is null', [now, claim.alertId]);
    }
  }

  async markRetry(claim: ClaimedDelivery, error: string, nextAttemptAt: Date, now: Date): Promise<void> {
    await this.settle(claim, { state: 'pending', deliveredAt: null, nextAttemptAt, lastError: error }, now);
  }

  async markFailed(claim: ClaimedDelivery, error: string, now: Date): Promise<void> {
    await this.settle(claim, { state: 'failed', deliveredAt: null, nextAttemptAt: null, lastError: error }, now);
  }

  /**
   * Channels with a delivery that failed `attempts` times and is still being retried, or that was
   * given up since `failedSince`: the channel is down or refusing, as far as alerting knows.
   */
  async findFailingChannels(attempts: number, failedSince: Date): Promise<{ channel: AlertChannelName; failing: number; lastError: string | null }[]> {
    const rows = await this.em.getConnection().execute<{ channel: AlertChannelName; failing: number; last_error: string | null }[]>(
      `select channel, count(*)::int as failing, (array_agg(last_error order by updated_at desc))[1] as last_error
         from alert_deliveries
        where (state in ('pending', 'sending') and attempts >= ? and last_error is not null) or (state = 'failed' and updated_at > ?)
        group by channel order by channel`,
      [attempts, failedSince],
    );
    return rows.map((row) => ({ channel: row.channel, failing: Number(row.failing), lastError: row.last_error }));
  }

  private async settle(
    claim: ClaimedDelivery,
    change: { state: string; deliveredAt: Date | null; nextAttemptAt: Date | null; lastError: string | null },
    now: Date,
  ): Promise<void> {
    await this.em.getConnection().execute(
      `update alert_deliveries
          set state = ?, delivered_at = ?, next_attempt_at = coalesce(?, next_attempt_at), last_error = ?, locked_until = null, updated_at = ?
        where id = ? and state = 'sending' and attempts = ?`,
      [change.state, change.deliveredAt, change.nextAttemptAt, change.lastError, now, claim.id, claim.attempts],
    );
  }
}
