// One warning per Redis outage instead of one per reconnect attempt. While Redis is down, ioredis
// retries every few hundred milliseconds and each attempt emits 'error' on the client and again
// on every BullMQ queue and worker built on it: left alone that is several stack traces a second,
// some of them written straight to stderr by BullMQ (which prints an 'error' nobody listens to),
// past the redacting logger. Other errors (a failed script, a bad reply) are still logged each time.
import { Logger } from '@nestjs/common';

/** What a Redis connection (ioredis) or a BullMQ queue or worker emits. */
export interface RedisErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A connection whose 'ready' says the outage is over. */
export interface RedisConnectionEvents {
  on(event: 'error' | 'ready', listener: (error: Error) => void): unknown;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Whether an error only says that Redis cannot be reached (as opposed to a command failing). */
export function isRedisConnectionError(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors are made by Node's own realm, which is not
  // the caller's under a VM sandbox such as Jest's.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, name } = error as Partial<NodeJS.ErrnoException>;
  return (
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) || message === 'Connection is closed.' || name === 'MaxRetriesPerRequestError'
  );
}

export class RedisOutageLog {
  private failedAttempts = 0;

  /** `what` names the connection in the log lines, e.g. "run queue". */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** Follows a connection: its errors count towards the outage, its 'ready' ends it. */
  watch(connection: RedisConnectionEvents): this {
    connection.on('error', (error) => this.report(error));
    connection.on('ready', () => this.recovered());
    return this;
  }

  /** Follows an object built on a watched connection (a BullMQ queue or worker). */
  watchErrors(source: RedisErrorSource, label: string): this {
    source.on('error', (error) => this.report(error, label));
    return this;
  }

  /** Connection errors: the first of an outage is a warning, the rest are counted. Others: always a warning. */
  report(error: Error, label = this.what): void {
    if (!isRedisConnectionError(error)) {
      this.logger.warn({ msg: `${label}: Redis error`, err: error });
      return;
    }
    this.failedAttempts += 1;
    if (this.failedAttempts === 1) {
      this.logger.warn({ msg: `${this.what}: Redis is unreachable; reconnecting until it is back`, reason: error.message });
    }
  }

  private recovered(): void {
    if (this.failedAttempts === 0) return;
    this.logger.log({ msg: `${this.what}: Redis is reachable again`, failedAttempts: this.failedAttempts });
    this.failedAttempts = 0;
  }
}
