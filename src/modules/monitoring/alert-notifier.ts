// Delivers alert messages to ALERT_WEBHOOK_URL (Slack-compatible JSON), with bounded retries and
// exponential backoff. The body goes through `redactForLog` first. Delivery never throws: a
// failure is logged (without the URL, which is a secret) and reported as `false`.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { redactForLog } from '../../core/logging/redact-for-log';
import { AlertNotice, buildAlertMessage, SlackMessage } from './alert-message';
import { AlertDeliveryError } from './monitoring.exception';

export interface AlertNotifierOptions {
  /** Calls of the webhook, counting the first one. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const ALERT_NOTIFIER_OPTIONS = Symbol('ALERT_NOTIFIER_OPTIONS');

/** At most 4 calls, 0.5 s + 1 s + 2 s apart (a webhook's Retry-After is honoured up to 5 s): a check waits ~25 s at worst. */
export const DEFAULT_ALERT_NOTIFIER_OPTIONS: AlertNotifierOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 5_000,
  timeoutMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
}

@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger('Monitoring');
  private readonly options: AlertNotifierOptions;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(ALERT_NOTIFIER_OPTIONS) options: Partial<AlertNotifierOptions> | null = null,
  ) {
    this.options = { ...DEFAULT_ALERT_NOTIFIER_OPTIONS, ...(options ?? {}) };
  }

  /** Whether a webhook is configured at all. */
  get enabled(): boolean {
    return this.config.alertWebhookUrl !== undefined;
  }

  /** Sends one message about the alerts that opened and resolved; false when nothing was delivered. */
  async notify(opened: readonly AlertNotice[], resolved: readonly AlertNotice[]): Promise<DeliveryResult> {
    const url = this.config.alertWebhookUrl;
    if (url === undefined || (opened.length === 0 && resolved.length === 0)) return { delivered: false, attempts: 0 };
    return this.deliver(url, redactForLog(buildAlertMessage(opened, resolved)));
  }

  private async deliver(url: string, message: SlackMessage): Promise<DeliveryResult> {
    const body = JSON.stringify(message);
    const { maxAttempts, baseDelayMs, maxDelayMs, sleep } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.post(url, body);
        return { delivered: true, attempts: attempt };
      } catch (error) {
        const failure = error instanceof AlertDeliveryError ? error : new AlertDeliveryError(describeError(error), true);
        if (!failure.retryable || attempt >= maxAttempts) {
          this.logger.warn({ msg: 'alert webhook delivery failed', attempts: attempt, status: failure.status, reason: failure.message });
          return { delivered: false, attempts: attempt };
        }
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.min(maxDelayMs, Math.max(backoff, failure.retryAfterMs ?? 0)));
      }
    }
  }

  private async post(url: string, body: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new AlertDeliveryError(`webhook not reachable: ${describeError(error)}`, true);
    }
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    throw new AlertDeliveryError(`webhook answered ${response.status}`, retryable, response.status, parseRetryAfterMs(response.headers.get('retry-after')));
  }
}

function parseRetryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // fetch hides the network cause (ECONNREFUSED...) in `cause`; its code is safe to log, the URL is not.
    const cause = (error as Error & { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? `${error.name} (${cause.code})` : error.name;
  }
  return 'unknown error';
}
