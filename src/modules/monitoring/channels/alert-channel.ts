// The contract every alert channel (Slack-compatible webhook, email, PagerDuty) keeps: one
// message about one alert per call, and an AlertDeliveryError saying whether a retry may help.
// Retries, backoff and deduplication are the delivery service's; a channel only sends.
import type { AlertNotice } from '../alert-message';
import type { AlertChannelName, AlertDeliveryEvent } from '../entities/alert-delivery.entity';
import { AlertDeliveryError } from '../monitoring.exception';

export interface OutgoingAlert {
  event: AlertDeliveryEvent;
  /** The stored alert's id (PagerDuty's dedup key is derived from it); absent when the alert could not be stored. */
  alertId: string | null;
  notice: AlertNotice;
}

export abstract class AlertChannel {
  abstract readonly name: AlertChannelName;
  /** Whether its variables are set; an unconfigured channel is never routed to. */
  abstract readonly configured: boolean;
  /** Whether a reminder about an alert still open means anything here (PagerDuty keeps its incident open itself). */
  readonly sendsReminders: boolean = true;
  /** Resolves once the channel accepted the message; throws AlertDeliveryError otherwise. */
  abstract send(message: OutgoingAlert): Promise<void>;
}

/** Injection token of every channel, configured or not, in a fixed order (slack, email, pagerduty). */
export const ALERT_CHANNELS = Symbol('ALERT_CHANNELS');

/** Per attempt; the delivery row is claimed for longer than this (see ALERT_DELIVERY_LEASE_MS). */
export const CHANNEL_TIMEOUT_MS = 10_000;

/** POSTs JSON and maps the answer: network errors, 408, 429 and 5xx may pass on a retry, other 4xx will not. */
export async function postJson(url: string, body: unknown, what: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CHANNEL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new AlertDeliveryError(`${what} not reachable: ${describeNetworkError(error)}`, true);
  }
  // Drain the body so the connection can be reused; its content is not needed (and may echo the key).
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new AlertDeliveryError(`${what} answered ${response.status}`, retryable, response.status);
}

/** fetch hides the network cause (ECONNREFUSED...) in `cause`; its code is safe to keep, the URL is not. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? `${error.name} (${cause.code})` : error.name;
  }
  return 'unknown error';
}
