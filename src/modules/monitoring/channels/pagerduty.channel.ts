// PagerDuty Events API v2 (PAGERDUTY_ROUTING_KEY, PAGERDUTY_EVENTS_URL): a `trigger` per alert
// with a dedup key derived from the alert's id, and a `resolve` with the same key when it clears,
// so PagerDuty opens one incident per alert and closes it. The routing key appears in no error.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { redactForLog } from '../../../core/logging/redact-for-log';
import { AlertNotice } from '../alert-message';
import { AlertChannel, OutgoingAlert, postJson } from './alert-channel';

/** PagerDuty caps a summary at 1024 characters. */
const MAX_SUMMARY = 1024;

export type PagerDutyEvent =
  | {
      routing_key: string;
      event_action: 'trigger';
      dedup_key: string;
      payload: {
        summary: string;
        source: string;
        severity: 'critical' | 'warning' | 'info';
        timestamp: string;
        component: string;
        class: string;
        custom_details: Record<string, string | number>;
      };
    }
  | { routing_key: string; event_action: 'resolve'; dedup_key: string };

@Injectable()
export class PagerDutyAlertChannel extends AlertChannel {
  readonly name = 'pagerduty' as const;
  override readonly sendsReminders = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  get configured(): boolean {
    return this.config.alerting.pagerDuty !== undefined;
  }

  async send({ event, alertId, notice }: OutgoingAlert): Promise<void> {
    const pagerDuty = this.config.alerting.pagerDuty;
    if (pagerDuty === undefined) throw new Error('the PagerDuty alert channel is not configured');
    await postJson(pagerDuty.eventsUrl, buildPagerDutyEvent(pagerDuty.routingKey, event, alertId, notice), 'PagerDuty');
  }
}

/** A reminder is sent as a trigger: PagerDuty folds it into the open incident of the same key. */
export function buildPagerDutyEvent(routingKey: string, event: OutgoingAlert['event'], alertId: string | null, notice: AlertNotice): PagerDutyEvent {
  // An unstored alert has no id: its key is its kind and subject, stable while the database is down.
  const dedupKey = `repazoo-${alertId ?? `${notice.kind}-${notice.subject}`}`;
  if (event === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  // `component`, not `subject`: redactForLog would mask the (already masked) subject again under that key.
  const safe = redactForLog({ kind: notice.kind, component: notice.subject, message: notice.message });
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: `${safe.kind} for ${safe.component}: ${safe.message}`.slice(0, MAX_SUMMARY),
      source: 'repazoo',
      severity: notice.severity,
      timestamp: notice.firstSeenAt.toISOString(),
      component: safe.component,
      class: safe.kind,
      custom_details: { count: notice.count, lastSeenAt: notice.lastSeenAt.toISOString(), message: safe.message },
    },
  };
}

