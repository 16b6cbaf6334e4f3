// Delivery that does not lose alerts. Planning turns the alert table's state into delivery rows
// (a trigger per routed channel for each open alert, a resolve where a trigger went, a reminder
// where an alert stayed open past ALERT_REMINDER_MINUTES); dispatching claims due rows and sends
// them, retrying a failed attempt with exponential backoff for up to a day. Both are safe to run
// on every instance at once: rows are deduplicated by key and claimed with SKIP LOCKED.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { AlertNotice } from './alert-message';
import { AlertRouter } from './alert-routing';
import { AlertDeliveriesRepository, ClaimedDelivery, PlannedDelivery } from './alert-deliveries.repository';
import { ALERT_CHANNELS, AlertChannel } from './channels/alert-channel';
import { AlertCondition } from './checks/alert-condition';
import { Alert } from './entities/alert.entity';
import { AlertChannelName } from './entities/alert-delivery.entity';
import { AlertDeliveryError } from './monitoring.exception';

export interface AlertDeliveryPolicy {
  /** Delay after the first failed attempt; doubled after each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A delivery still failing this long after it was planned is given up (state `failed`). */
  giveUpAfterMs: number;
  /** How long a claim lasts: a sender that died is replaced after this. Longer than a channel's timeout. */
  leaseMs: number;
  /** Rows claimed per round; a dispatch makes at most `maxRounds` rounds. */
  batchSize: number;
  maxRounds: number;
  /** Failed attempts of one delivery after which its channel counts as failing. */
  failingAfterAttempts: number;
}

/** 30 s, 1, 2, 4 ... 30 min apart, for up to 24 h. */
export const DEFAULT_ALERT_DELIVERY_POLICY: AlertDeliveryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 30 * 60_000,
  giveUpAfterMs: 24 * 3_600_000,
  leaseMs: 60_000,
  batchSize: 50,
  maxRounds: 10,
  failingAfterAttempts: 3,
};

export const ALERT_DELIVERY_POLICY = Symbol('ALERT_DELIVERY_POLICY');

/** Resolves are planned for alerts that cleared this recently (older ones were planned long ago). */
const RESOLVE_LOOKBACK_MS = 7 * 24 * 3_600_000;
const PLAN_LIMIT = 500;
/** Alerts announced directly per check while the database is down. */
const MAX_UNSTORED_NOTICES = 20;

export interface DispatchReport {
  delivered: number;
  retrying: number;
  failed: number;
}

@Injectable()
export class AlertDeliveryService {
  private readonly logger = new Logger('Monitoring');
  private readonly byName: Map<AlertChannelName, AlertChannel>;

  constructor(
    private readonly repository: AlertDeliveriesRepository,
    private readonly router: AlertRouter,
    @Inject(ALERT_CHANNELS) channels: readonly AlertChannel[],
    @Inject(ALERT_DELIVERY_POLICY) readonly policy: AlertDeliveryPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.byName = new Map(channels.map((channel) => [channel.name, channel]));
  }

  /** Plans what the alert table calls for; returns how many deliveries were new. */
  async planDeliveries(now: Date = this.clock.now()): Promise<number> {
    const planned: PlannedDelivery[] = [];
    for (const alert of await this.repository.findOpenAlertsWithoutDeliveries(PLAN_LIMIT)) {
      for (const channel of this.router.route(alert).deliveredTo) {
        planned.push({ alertId: alert.id, channel, event: 'trigger', dedupKey: `${alert.id}:${channel}:trigger` });
      }
    }
    for (const { alertId, channel } of await this.repository.findResolvesDue(new Date(now.getTime() - RESOLVE_LOOKBACK_MS), PLAN_LIMIT)) {
      planned.push({ alertId, channel, event: 'resolve', dedupKey: `${alertId}:${channel}:resolve` });
    }
    const interval = this.config.alerting.reminderIntervalMs;
    if (interval > 0) {
      const reminding = [...this.byName.values()].filter((channel) => channel.sendsReminders).map((channel) => channel.name);
      for (const due of await this.repository.findRemindersDue(new Date(now.getTime() - interval), reminding, PLAN_LIMIT)) {
        const number = due.reminders + 1;
        planned.push({ alertId: due.alertId, channel: due.channel, event: 'reminder', dedupKey: `${due.alertId}:${due.channel}:reminder:${number}` });
      }
    }
    return this.repository.plan(planned, now);
  }

  /** Sends every delivery that is due, a batch at a time. */
  async dispatchDue(now: Date = this.clock.now()): Promise<DispatchReport> {
    const report: DispatchReport = { delivered: 0, retrying: 0, failed: 0 };
    for (let round = 0; round < this.policy.maxRounds; round++) {
      const claims = await this.repository.claimDue(now, this.policy.leaseMs, this.policy.batchSize);
      if (claims.length === 0) break;
      const alerts = new Map((await this.repository.findAlerts([...new Set(claims.map((claim) => claim.alertId))])).map((alert) => [alert.id, alert]));
      const outcomes = await Promise.all(claims.map((claim) => this.attempt(claim, alerts.get(claim.alertId), now)));
      for (const outcome of outcomes) report[outcome]++;
      if (claims.length < this.policy.batchSize) break;
    }
    if (report.delivered + report.retrying + report.failed > 0) this.logger.log({ msg: 'alert deliveries dispatched', ...report });
    return report;
  }

  /**
   * Without storage there are no delivery rows and no deduplication: each condition goes straight
   * to its channels, once per check, until the database is back. True when all of them went out.
   */
  async announceUnstored(conditions: readonly AlertCondition[], now: Date): Promise<boolean | null> {
    const sends = conditions.slice(0, MAX_UNSTORED_NOTICES).flatMap((condition) => {
      const notice: AlertNotice = { ...condition, count: 1, firstSeenAt: now, lastSeenAt: now };
      return this.router.route(condition).deliveredTo.map((name) => ({ channel: this.byName.get(name) as AlertChannel, notice }));
    });
    if (sends.length === 0) return null;
    const results = await Promise.all(
      sends.map(({ channel, notice }) =>
        channel.send({ event: 'trigger', alertId: null, notice }).then(
          () => true,
          (error: unknown) => {
            this.logger.warn({ msg: 'alert delivery failed', channel: channel.name, reason: describe(error) });
            return false;
          },
        ),
      ),
    );
    return results.every(Boolean);
  }

  private async attempt(claim: ClaimedDelivery, alert: Alert | undefined, now: Date): Promise<keyof DispatchReport> {
    const channel = this.byName.get(claim.channel);
    let failure: AlertDeliveryError;
    if (!alert) {
      failure = new AlertDeliveryError('the alert no longer exists', false);
    } else if (!channel?.configured) {
      // Configuration changed since it was planned: keep it for a restart with the channel back.
      failure = new AlertDeliveryError('the channel is not configured on this instance', true);
    } else {
      try {
        await channel.send({ event: claim.event, alertId: alert.id, notice: alert });
        await this.repository.markDelivered(claim, now);
        return 'delivered';
      } catch (error) {
        failure = error instanceof AlertDeliveryError ? error : new AlertDeliveryError(describe(error), true);
      }
    }
    const giveUp = !failure.retryable || now.getTime() - claim.createdAt.getTime() >= this.policy.giveUpAfterMs;
    this.logger.warn({ msg: 'alert delivery failed', channel: claim.channel, event: claim.event, attempts: claim.attempts, reason: failure.message, givenUp: giveUp });
    if (giveUp) {
      await this.repository.markFailed(claim, failure.message, now);
      return 'failed';
    }
    const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (claim.attempts - 1));
    await this.repository.markRetry(claim, failure.message, new Date(now.getTime() + delay), now);
    return 'retrying';
  }
}

function describe(error: unknown): string {
  return error instanceof AlertDeliveryError ? error.message : error instanceof Error ? error.name : 'unknown error';
}
