// A Slack-compatible incoming webhook: records every POST (`{ text, blocks }`) and answers the
// queued statuses first, then 200 "ok" as Slack does.
import { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer } from './fake-http';

export interface ChatMessage {
  raw: string;
  text: string;
}

export class FakeChatWebhook extends FakeHttpServer {
  readonly messages: ChatMessage[] = [];
  /** Every request, answered or refused. */
  requests = 0;
  statuses: number[] = [];

  get webhookUrl(): string {
    return `${this.baseUrl}/services/T000/B000/webhook-secret`;
  }

  protected handle(_req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    this.requests++;
    const status = this.statuses.shift() ?? 200;
    if (status === 200) {
      const raw = body.toString('utf8');
      this.messages.push({ raw, text: String((JSON.parse(raw) as { text?: unknown }).text) });
    }
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 200 ? 'ok' : 'upstream error');
  }
}
