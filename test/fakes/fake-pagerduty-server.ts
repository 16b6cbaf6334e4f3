// A local PagerDuty Events API v2 endpoint (POST /v2/enqueue): it checks each event the way
// PagerDuty documents it (routing key, event_action, dedup_key, and for a trigger the payload's
// summary, source and severity) and answers 202 `{ status, message, dedup_key }`, or 400 with
// PagerDuty's error shape. Queued statuses simulate an outage (500) or throttling (429).
import { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson } from './fake-http';

export interface ReceivedPagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export class FakePagerDutyServer extends FakeHttpServer {
  /** Accepted events, in order. */
  readonly events: ReceivedPagerDutyEvent[] = [];
  /** Every request, including refused ones. */
  requests = 0;
  /** Statuses to answer first (then 202). */
  statuses: number[] = [];

  constructor(readonly routingKey: string) {
    super();
  }

  get eventsUrl(): string {
    return `${this.baseUrl}/v2/enqueue`;
  }

  protected handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    this.requests++;
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return sendJson(res, 404, { status: 'not found' });
    const queued = this.statuses.shift();
    if (queued !== undefined) return sendJson(res, queued, { status: 'error', message: 'upstream trouble' });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return invalid(res, ['content-type must be application/json']);
    let event: ReceivedPagerDutyEvent;
    try {
      event = JSON.parse(body.toString('utf8')) as ReceivedPagerDutyEvent;
    } catch {
      return invalid(res, ['body is not JSON']);
    }
    const errors = validate(event, this.routingKey);
    if (errors.length > 0) return invalid(res, errors);
    this.events.push(event);
    sendJson(res, 202, { status: 'success', message: 'Event processed', dedup_key: event.dedup_key });
  }
}

function validate(event: ReceivedPagerDutyEvent, routingKey: string): string[] {
  const errors: string[] = [];
  if (event.routing_key !== routingKey) errors.push('routing_key is invalid');
  if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action)) errors.push('event_action is invalid');
  if (event.dedup_key !== undefined && (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255)) errors.push('dedup_key is invalid');
  if (event.event_action !== 'trigger' && !event.dedup_key) errors.push('dedup_key is required for acknowledge and resolve');
  if (event.event_action === 'trigger') {
    const payload = event.payload;
    if (!payload) return [...errors, 'payload is missing'];
    if (typeof payload.summary !== 'string' || payload.summary.length === 0 || payload.summary.length > 1024) errors.push('payload.summary is invalid');
    if (typeof payload.source !== 'string' || payload.source.length === 0) errors.push('payload.source is missing');
    if (!SEVERITIES.includes(payload.severity)) errors.push('payload.severity is invalid');
    if (payload.timestamp !== undefined && Number.isNaN(Date.parse(payload.timestamp))) errors.push('payload.timestamp is invalid');
  }
  return errors;
}

function invalid(res: ServerResponse, errors: string[]): void {
  sendJson(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
}
