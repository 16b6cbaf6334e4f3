// The embedded-mode store: the same sliding window log as the Redis store, held in this process
// and timed by the injected Clock. Correct only while a single instance runs.
import { Clock } from '../../core/clock/clock';
import { ConsumeResult, RateLimitStore } from './rate-limit.store';

interface WindowEntry {
  at: number;
  id: string;
}

interface WindowLog {
  windowMs: number;
  /** Oldest first. */
  entries: WindowEntry[];
}

/** How many decisions between sweeps of idle keys, so memory stays bounded without a timer. */
const SWEEP_EVERY_DECISIONS = 1000;

export class MemoryRateLimitStore extends RateLimitStore {
  private readonly logs = new Map<string, WindowLog>();
  private readonly blocks = new Map<string, number>();
  private sequence = 0;
  private decisionsSinceSweep = 0;

  constructor(private readonly clock: Clock) {
    super();
  }

  async consume(key: string, limit: number, windowMs: number): Promise<ConsumeResult> {
    const now = this.clock.nowMs();
    this.sweepIdleKeysNowAndThen(now);

    const blockedUntil = this.blocks.get(key);
    if (blockedUntil !== undefined) {
      if (blockedUntil > now) {
        return { allowed: false, remaining: 0, retryAfterMs: blockedUntil - now, blocked: true, entryId: null };
      }
      this.blocks.delete(key);
    }

    const log = this.logs.get(key) ?? { windowMs, entries: [] };
    log.windowMs = windowMs;
    pruneOlderThanWindow(log, now);

    if (log.entries.length >= limit) {
      const oldest = log.entries[0];
      const retryAfterMs = oldest === undefined ? windowMs : oldest.at + windowMs - now;
      return { allowed: false, remaining: 0, retryAfterMs, blocked: false, entryId: null };
    }

    const entry: WindowEntry = { at: now, id: String(++this.sequence) };
    insertInTimeOrder(log.entries, entry);
    this.logs.set(key, log);
    return { allowed: true, remaining: limit - log.entries.length, retryAfterMs: 0, blocked: false, entryId: entry.id };
  }

  async release(key: string, entryId: string): Promise<void> {
    const log = this.logs.get(key);
    if (log === undefined) {
      return;
    }
    log.entries = log.entries.filter((entry) => entry.id !== entryId);
  }

  async blockUntil(key: string, untilEpochMs: number): Promise<void> {
    const current = this.blocks.get(key) ?? 0;
    if (untilEpochMs > current && untilEpochMs > this.clock.nowMs()) {
      this.blocks.set(key, untilEpochMs);
    }
  }

  async close(): Promise<void> {
    this.logs.clear();
    this.blocks.clear();
  }

  private sweepIdleKeysNowAndThen(now: number): void {
    if (++this.decisionsSinceSweep < SWEEP_EVERY_DECISIONS) {
      return;
    }
    this.decisionsSinceSweep = 0;
    for (const [key, log] of this.logs) {
      pruneOlderThanWindow(log, now);
      if (log.entries.length === 0) {
        this.logs.delete(key);
      }
    }
    for (const [key, until] of this.blocks) {
      if (until <= now) {
        this.blocks.delete(key);
      }
    }
  }
}

/** An entry stamped `at` counts while `now < at + windowMs`, the same rule as the Redis script. */
function pruneOlderThanWindow(log: WindowLog, now: number): void {
  const cutoff = now - log.windowMs;
  let expired = 0;
  while (expired < log.entries.length && log.entries[expired].at <= cutoff) {
    expired++;
  }
  if (expired > 0) {
    log.entries.splice(0, expired);
  }
}

/** The clock may be set backwards (tests, NTP), so append is not always in order. */
function insertInTimeOrder(entries: WindowEntry[], entry: WindowEntry): void {
  let index = entries.length;
  while (index > 0 && entries[index - 1].at > entry.at) {
    index--;
  }
  entries.splice(index, 0, entry);
}
