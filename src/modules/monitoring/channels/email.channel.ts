// Alert email over SMTP (SMTP_URL, ALERT_EMAIL_FROM, ALERT_EMAIL_TO) with nodemailer: one plain
// text mail per alert event. The SMTP URL may carry a password: it appears in no error or log.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { redactForLog } from '../../../core/logging/redact-for-log';
import { AlertNotice } from '../alert-message';
import { AlertDeliveryError } from '../monitoring.exception';
import { AlertChannel, CHANNEL_TIMEOUT_MS, OutgoingAlert } from './alert-channel';

/** nodemailer's codes of failures a later attempt may not meet (the server was down, busy or slow). */
const TRANSIENT_SMTP_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EENVELOPE_TEMP']);

@Injectable()
export class EmailAlertChannel extends AlertChannel implements OnApplicationShutdown {
  readonly name = 'email' as const;
  private transporter: Transporter | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  get configured(): boolean {
    return this.config.alerting.email !== undefined;
  }

  async send({ event, notice }: OutgoingAlert): Promise<void> {
    const email = this.config.alerting.email;
    if (email === undefined) throw new Error('the email alert channel is not configured');
    const mail = composeAlertMail(event, notice);
    // The alert's subject is already masked; redactForLog would mask it again under the key `subject`.
    const safe = redactForLog({ heading: mail.subject, text: mail.text });
    try {
      await this.transport(email.smtpUrl).sendMail({ from: email.from, to: email.to, subject: safe.heading, text: safe.text });
    } catch (error) {
      throw toDeliveryError(error);
    }
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }

  private transport(smtpUrl: string): Transporter {
    this.transporter ??= createTransport({
      url: smtpUrl,
      connectionTimeout: CHANNEL_TIMEOUT_MS,
      greetingTimeout: CHANNEL_TIMEOUT_MS,
      socketTimeout: CHANNEL_TIMEOUT_MS,
    });
    return this.transporter;
  }
}

export function composeAlertMail(event: OutgoingAlert['event'], notice: AlertNotice): { subject: string; text: string } {
  const state = event === 'resolve' ? 'RESOLVED' : notice.severity.toUpperCase();
  const prefix = event === 'reminder' ? 'Reminder: ' : '';
  return {
    subject: `${prefix}[Repazoo ${state}] ${notice.kind} for ${notice.subject}`,
    text: [
      event === 'resolve' ? 'This alert has cleared.' : event === 'reminder' ? 'This alert is still open.' : 'A new alert opened.',
      '',
      `Kind: ${notice.kind}`,
      `Severity: ${notice.severity}`,
      `Subject: ${notice.subject}`,
      `What: ${notice.message}`,
      `First seen: ${notice.firstSeenAt.toISOString()}`,
      `Last seen: ${notice.lastSeenAt.toISOString()} (seen by ${notice.count} check${notice.count === 1 ? '' : 's'})`,
      '',
      'Alerts: GET /api/admin/alerts',
    ].join('\n'),
  };
}

/** nodemailer's `code` and `responseCode` only: its messages can name the server and the account. */
function toDeliveryError(error: unknown): AlertDeliveryError {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const status = typeof responseCode === 'number' ? responseCode : undefined;
  const name = typeof code === 'string' ? code : 'unknown error';
  // 4xx SMTP replies are temporary by definition (RFC 5321 4.2.1); 5xx are permanent.
  const retryable = status !== undefined ? status < 500 : TRANSIENT_SMTP_CODES.has(name);
  return new AlertDeliveryError(`SMTP ${status ?? name}`, retryable, status);
}
