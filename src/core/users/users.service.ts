import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { UsersRepository } from './users.repository';

/** How many user ids to remember, so a busy user does not cost a write per request. */
const KNOWN_USERS_CACHE_SIZE = 10_000;
/**
 * `last_seen_at` feeds retention of inactive users' analyses (90 days): hour precision is plenty
 * and keeps this to one write per user per hour.
 */
const LAST_SEEN_PRECISION_MS = 60 * 60 * 1000;

@Injectable()
export class UsersService {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  /** Creates the user on their first authenticated call and keeps `last_seen_at` current. */
  async ensureExists(userId: string): Promise<void> {
    const now = this.clock.nowMs();
    const touched = this.lastTouched.get(userId);
    if (touched !== undefined && now - touched < LAST_SEEN_PRECISION_MS) return;
    const seenAt = new Date(now);
    await this.users.upsertSeen(userId, seenAt);
    if (this.lastTouched.size >= KNOWN_USERS_CACHE_SIZE) this.lastTouched.clear();
    this.lastTouched.set(userId, now);
  }

  /** Whether the person has ever called the API (and has not been erased since). */
  exists(userId: string): Promise<boolean> {
    return this.users.exists(userId);
  }
}
