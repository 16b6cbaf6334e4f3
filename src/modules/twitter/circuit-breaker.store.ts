// Where circuit breakers keep their state: in this process (embedded mode), or in Redis (server
// mode) so that every API instance and worker process shares one breaker per upstream and stops
// calling X together. The Redis script applies exactly the transitions of circuit-breaker.ts.
import type Redis from 'ioredis';
import { RedisLuaScript } from '../rate-limit/redis-lua-script';
import {
  Admission,
  admitCall,
  CircuitBreakerOptions,
  CircuitSnapshot,
  CircuitState,
  circuitStateOf,
  CLOSED_CIRCUIT,
  recordCallFailure,
  recordCallSuccess,
} from './circuit-breaker';

export abstract class CircuitBreakerStore {
  abstract admit(name: string, now: number, options: CircuitBreakerOptions): Promise<Admission>;
  /** Returns the state after the failure was counted. */
  abstract recordFailure(name: string, now: number, options: CircuitBreakerOptions): Promise<CircuitState>;
  abstract recordSuccess(name: string): Promise<void>;
}

export class MemoryCircuitBreakerStore extends CircuitBreakerStore {
  private readonly circuits = new Map<string, CircuitSnapshot>();

  async admit(name: string, now: number, options: CircuitBreakerOptions): Promise<Admission> {
    const { admission, next } = admitCall(this.snapshot(name), now, options);
    this.circuits.set(name, next);
    return admission;
  }

  async recordFailure(name: string, now: number, options: CircuitBreakerOptions): Promise<CircuitState> {
    const next = recordCallFailure(this.snapshot(name), now, options);
    this.circuits.set(name, next);
    return circuitStateOf(next, now, options);
  }

  async recordSuccess(name: string): Promise<void> {
    if (this.circuits.has(name)) this.circuits.set(name, recordCallSuccess());
  }

  private snapshot(name: string): CircuitSnapshot {
    return this.circuits.get(name) ?? CLOSED_CIRCUIT;
  }
}

// KEYS[1]: the circuit's hash. ARGV: op, now (ms), failureThreshold, cooldownMs, probeTimeoutMs, ttlMs.
// Replies { code, ms }: admit -> 0 closed, 1 probe allowed, 2 open (ms = wait), 3 half-open with a
// probe in flight (ms = wait); failure -> 0 still closed, 2 open; success -> 0.
const CIRCUIT_SCRIPT = `
local op = ARGV[1]
local now = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local cooldown = tonumber(ARGV[4])
local probeTimeout = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local state = redis.call('HMGET', KEYS[1], 'failures', 'openedAt', 'probeUntil')
local failures = tonumber(state[1] or '0')
local openedAt = tonumber(state[2] or '-1')
local probeUntil = tonumber(state[3] or '-1')
local function ms(value) return string.format('%.0f', value) end
if op == 'admit' then
  if openedAt < 0 then return {0, 0} end
  local reopensAt = openedAt + cooldown
  if now < reopensAt then return {2, reopensAt - now} end
  if probeUntil > now then return {3, probeUntil - now} end
  redis.call('HSET', KEYS[1], 'probeUntil', ms(now + probeTimeout))
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {1, 0}
elseif op == 'failure' then
  failures = failures + 1
  if openedAt >= 0 or failures >= threshold then
    redis.call('HSET', KEYS[1], 'failures', failures, 'openedAt', ms(now), 'probeUntil', '-1')
    redis.call('PEXPIRE', KEYS[1], ttl)
    return {2, cooldown}
  end
  redis.call('HSET', KEYS[1], 'failures', failures)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {0, 0}
end
if failures > 0 or openedAt >= 0 then redis.call('DEL', KEYS[1]) end
return {0, 0}
`;

const circuitScript = new RedisLuaScript(CIRCUIT_SCRIPT, 1);

export class RedisCircuitBreakerStore extends CircuitBreakerStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'circuit',
  ) {
    super();
  }

  async admit(name: string, now: number, options: CircuitBreakerOptions): Promise<Admission> {
    const [code, waitMs] = await this.run('admit', name, now, options);
    switch (code) {
      case 0:
        return { allowed: true, state: 'closed', probe: false };
      case 1:
        return { allowed: true, state: 'half_open', probe: true };
      case 2:
        return { allowed: false, state: 'open', retryAfterMs: waitMs };
      default:
        return { allowed: false, state: 'half_open', retryAfterMs: waitMs };
    }
  }

  async recordFailure(name: string, now: number, options: CircuitBreakerOptions): Promise<CircuitState> {
    const [code] = await this.run('failure', name, now, options);
    return code === 2 ? 'open' : 'closed';
  }

  async recordSuccess(name: string): Promise<void> {
    await this.run('success', name, 0, { failureThreshold: 1, cooldownMs: 1, probeTimeoutMs: 1 });
  }

  private async run(op: string, name: string, now: number, options: CircuitBreakerOptions): Promise<[number, number]> {
    // Kept long enough to outlive any cool-down, so an idle breaker cleans itself up.
    const ttlMs = Math.max(60_000, 10 * (options.cooldownMs + options.probeTimeoutMs));
    const reply = await circuitScript.run(
      this.redis,
      [`${this.keyPrefix}:${name}`],
      [op, now, options.failureThreshold, options.cooldownMs, options.probeTimeoutMs, ttlMs],
    );
    if (!Array.isArray(reply) || reply.length !== 2 || !reply.every((item) => typeof item === 'number')) {
      throw new Error(`Unexpected reply from the circuit breaker script: ${JSON.stringify(reply)}`);
    }
    return [reply[0] as number, reply[1] as number];
  }
}
