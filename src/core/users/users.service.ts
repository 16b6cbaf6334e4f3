import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** How many known user ids to remember, so a busy user does not cost an INSERT per request. */
const KNOWN_USERS_CACHE_SIZE = 10_000;

@Injectable()
export class UsersService {
  private readonly knownUsers = new Set<string>();

  constructor(private readonly em: EntityManager) {}

  /** Creates the user on their first authenticated call (users are identified by the JWT `sub`). */
  async ensureExists(userId: string): Promise<void> {
    if (this.knownUsers.has(userId)) return;
    await this.em
      .getConnection()
      .execute('insert into users (id, created_at, last_seen_at) values (?, now(), now()) on conflict (id) do nothing', [userId]);
    if (this.knownUsers.size >= KNOWN_USERS_CACHE_SIZE) this.knownUsers.clear();
    this.knownUsers.add(userId);
  }
}
