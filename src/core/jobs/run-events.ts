// Run state changes as events, for the operator console's live view (`GET /api/admin/runs/events`)
// and anything else that wants to watch runs without polling. The database row stays the source of
// truth: an event says "run X is now in state S", and a reader that needs more reads the run.
//
// Server mode publishes on one Redis pub/sub channel per run queue, so every instance (API
// processes and workers alike) sees every change, whichever process made it; embedded mode has one
// process, and an in-process emitter. Publishing never waits for Redis and never fails the run: an
// event lost while Redis is down only makes a live view late (the console reloads on reconnect).
//
// Events carry no personal data (no user id): Redis is shared infrastructure, and a subscriber
// that needs the owner reads the run through the admin API.
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import { RedisOutageLog } from '../redis/redis-outage-log';
import { RunState } from './entities/workflow-run.entity';

export interface RunEvent {
  runId: string;
  job: string;
  state: RunState;
  attempts: number;
  /** When the change was made (ISO 8601). */
  at: string;
}

export type RunEventListener = (event: RunEvent) => void;

const LOCAL_EVENT = 'run';
const STATES = new Set<string>(Object.values(RunState));

export abstract class RunEvents {
  /** Announces a change that has been committed. Fire and forget: never throws, never waits. */
  abstract publish(event: RunEvent): void;

  /**
   * Calls `listener` for every change, from every instance; resolves once the subscription is in
   * place (changes made after that are seen) with the function that ends it.
   */
  abstract subscribe(listener: RunEventListener): Promise<() => void>;

  abstract close(): Promise<void>;
}

/** Embedded mode: one process, so its own changes are all there is to see. */
export class InProcessRunEvents extends RunEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: RunEvent): void {
    this.emitter.emit(LOCAL_EVENT, event);
  }

  async subscribe(listener: RunEventListener): Promise<() => void> {
    const safe = guarded(listener);
    this.emitter.on(LOCAL_EVENT, safe);
    return () => this.emitter.off(LOCAL_EVENT, safe);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/**
 * Server mode: `PUBLISH` on the channel, and one subscriber connection per process (opened at the
 * first subscription) fanned out to the local listeners. A process also receives its own events
 * through Redis, so every listener sees one ordered stream whatever process made the change.
 */
export class RedisRunEvents extends RunEvents {
  private readonly logger = new Logger('RunEvents');
  private readonly outage = new RedisOutageLog(this.logger, 'run events');
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly publisher: Redis;
  private subscriber: Promise<Redis> | undefined;

  constructor(
    private readonly redisUrl: string,
    /** `<prefix>:<queue name>:run-events`: instances sharing a run queue share its events. */
    readonly channel: string,
  ) {
    super();
    // Fail fast while Redis is down: a lost event must not hold up the run that made it.
    this.publisher = new Redis(redisUrl, { connectionName: 'repazoo-run-events-pub', maxRetriesPerRequest: 1, lazyConnect: true });
    this.outage.watch(this.publisher);
  }

  publish(event: RunEvent): void {
    this.publisher.publish(this.channel, JSON.stringify(event)).catch((error: unknown) => {
      this.logger.debug({ msg: 'run event not published', runId: event.runId, err: error });
    });
  }

  async subscribe(listener: RunEventListener): Promise<() => void> {
    await this.connectSubscriber();
    const safe = guarded(listener);
    this.emitter.on(LOCAL_EVENT, safe);
    return () => this.emitter.off(LOCAL_EVENT, safe);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await Promise.allSettled([this.publisher.quit(), subscriber?.then((connection) => connection.quit())]);
    this.publisher.disconnect();
    void subscriber?.then((connection) => connection.disconnect()).catch(() => undefined);
  }

  private connectSubscriber(): Promise<Redis> {
    this.subscriber ??= (async () => {
      // ioredis subscribes again by itself after a reconnect (autoResubscribe).
      const connection = new Redis(this.redisUrl, { connectionName: 'repazoo-run-events-sub', maxRetriesPerRequest: null });
      this.outage.watch(connection);
      connection.on('message', (channel: string, message: string) => {
        if (channel !== this.channel) return;
        const event = parseRunEvent(message);
        if (event) this.emitter.emit(LOCAL_EVENT, event);
      });
      await connection.subscribe(this.channel);
      return connection;
    })();
    // A failed first subscription is tried again by the next subscriber.
    this.subscriber.catch(() => {
      this.subscriber = undefined;
    });
    return this.subscriber;
  }
}

/** A message from the channel, checked: anything that is not a run event is dropped. */
export function parseRunEvent(message: string): RunEvent | null {
  if (message.length > 2_000) return null;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const { runId, job, state, attempts, at } = value as Record<string, unknown>;
  if (typeof runId !== 'string' || typeof job !== 'string' || typeof state !== 'string' || !STATES.has(state)) return null;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || typeof at !== 'string') return null;
  return { runId, job, state: state as RunState, attempts, at };
}

/** A listener that throws must not stop the others (EventEmitter would stop at the first throw). */
function guarded(listener: RunEventListener): RunEventListener {
  return (event) => {
    try {
      listener(event);
    } catch (error) {
      new Logger('RunEvents').warn({ msg: 'run event listener failed', err: error });
    }
  };
}
