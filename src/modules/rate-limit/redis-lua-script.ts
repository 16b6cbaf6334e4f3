// A Lua script sent by SHA (one round trip) and resent in full only when Redis answers NOSCRIPT
// (after a restart, a failover or SCRIPT FLUSH), which also puts it back in the script cache.
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export type RedisConnection = Redis | Cluster;

export class RedisLuaScript {
  readonly sha: string;

  constructor(
    readonly source: string,
    readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  run(connection: RedisConnection, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) {
      return Promise.reject(new Error(`Script expects ${this.numberOfKeys} keys, got ${keys.length}`));
    }
    return connection.evalsha(this.sha, this.numberOfKeys, ...keys, ...args).catch((error: unknown) => {
      if (!isNoScriptError(error)) {
        throw error;
      }
      return connection.eval(this.source, this.numberOfKeys, ...keys, ...args);
    });
  }
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Reads a script reply that must be an array of `length` integers. */
export function toIntegerTuple(reply: unknown, length: number): number[] {
  if (!Array.isArray(reply) || reply.length !== length || !reply.every((item) => typeof item === 'number')) {
    throw new Error(`Unexpected reply from rate-limit script: ${JSON.stringify(reply)}`);
  }
  return reply as number[];
}
