// ALERT_WEBHOOK_URL: a Slack-compatible incoming webhook (`{ text, blocks }`, which Slack,
// Mattermost and most chat webhooks accept). The URL is a secret and appears in no error.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { redactForLog } from '../../../core/logging/redact-for-log';
import { buildAlertMessage } from '../alert-message';
import { AlertChannel, OutgoingAlert, postJson } from './alert-channel';

@Injectable()
export class SlackAlertChannel extends AlertChannel {
  readonly name = 'slack' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  get configured(): boolean {
    return this.config.alertWebhookUrl !== undefined;
  }

  async send({ event, notice }: OutgoingAlert): Promise<void> {
    const url = this.config.alertWebhookUrl;
    if (url === undefined) throw new Error('the Slack alert channel is not configured');
    const shown = event === 'reminder' ? { ...notice, message: `Still open: ${notice.message}` } : notice;
    const message = event === 'resolve' ? buildAlertMessage([], [shown]) : buildAlertMessage([shown], []);
    await postJson(url, redactForLog(message), 'webhook');
  }
}
