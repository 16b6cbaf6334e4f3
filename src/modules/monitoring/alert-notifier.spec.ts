import { Logger } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppConfig } from '../../core/config/app-config';
import { AlertNotice } from './alert-message';
import { AlertNotifier } from './alert-notifier';

interface Received {
  contentType: string | undefined;
  body: unknown;
}

/** A webhook that answers with the given statuses in turn (then 200). */
class FakeWebhook {
  readonly received: Received[] = [];
  statuses: number[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then((body) => {
        this.received.push({ contentType: request.headers['content-type'], body: JSON.parse(body) });
        response.statusCode = this.statuses.shift() ?? 200;
        response.end(response.statusCode === 200 ? 'ok' : 'error');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks/T000/B000/secret`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const NOTICE: AlertNotice = {
  kind: 'rate_limit_violations',
  severity: 'warning',
  subject: '****0001',
  message: '11 outbound rate-limit rejections in the last 1 h (threshold 10)',
  count: 1,
  firstSeenAt: new Date('2026-03-01T12:00:00.000Z'),
  lastSeenAt: new Date('2026-03-01T12:00:00.000Z'),
};

describe(AlertNotifier.name, () => {
  const webhook = new FakeWebhook();
  let url: string;
  const sleeps: number[] = [];
  const notifierFor = (alertWebhookUrl: string | undefined) =>
    new AlertNotifier({ alertWebhookUrl } as AppConfig, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  const sut = () => notifierFor(url);

  beforeAll(async () => {
    Logger.overrideLogger(false);
    url = await webhook.start();
  });
  afterAll(() => webhook.stop());
  beforeEach(() => {
    webhook.received.length = 0;
    webhook.statuses = [];
    sleeps.length = 0;
  });

  it('should post Slack-compatible JSON to the webhook', async () => {
    const result = await sut().notify([NOTICE], []);
    expect(result).toEqual({ delivered: true, attempts: 1 });
    expect(webhook.received).toEqual([{ contentType: 'application/json', body: { text: expect.stringContaining('1 alert opened'), blocks: expect.any(Array) } }]);
  });

  it('should retry a 500 with exponential backoff and deliver on a later attempt', async () => {
    webhook.statuses = [500, 503];
    const result = await sut().notify([NOTICE], []);
    expect(result).toEqual({ delivered: true, attempts: 3 });
    expect(webhook.received).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('should give up after the last attempt and report it without throwing', async () => {
    webhook.statuses = [500, 500, 500, 500, 500];
    const result = await sut().notify([NOTICE], []);
    expect(result).toEqual({ delivered: false, attempts: 4 });
    expect(webhook.received).toHaveLength(4);
  });

  it('should not retry an answer that will not change (400)', async () => {
    webhook.statuses = [400];
    expect(await sut().notify([NOTICE], [])).toEqual({ delivered: false, attempts: 1 });
  });

  it('should report an unreachable webhook without throwing', async () => {
    const result = await notifierFor('http://127.0.0.1:1/unreachable').notify([NOTICE], []);
    expect(result).toEqual({ delivered: false, attempts: 4 });
  });

  it('should redact personal data that reached a message before sending it', async () => {
    await sut().notify([{ ...NOTICE, message: 'contact alice@example.com or +44 20 7946 0958' }], []);
    const sent = JSON.stringify(webhook.received[0].body);
    expect(sent).not.toContain('alice@example.com');
    expect(sent).not.toContain('7946');
    expect(sent).toContain('[EMAIL]');
  });

  it('should do nothing without a webhook URL or without alerts', async () => {
    expect(notifierFor(undefined).enabled).toBe(false);
    expect(await notifierFor(undefined).notify([NOTICE], [])).toEqual({ delivered: false, attempts: 0 });
    expect(await sut().notify([], [])).toEqual({ delivered: false, attempts: 0 });
    expect(webhook.received).toEqual([]);
  });
});
