// Query code of the `users` table.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

@Injectable()
export class UsersRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Inserts the user, or moves `last_seen_at` forward (never back). On the root connection: it
   * runs from the auth guard, before any request context or transaction of the handler.
   */
  async upsertSeen(userId: string, seenAt: Date): Promise<void> {
    await this.em
      .getConnection()
      .execute(
        'insert into users (id, created_at, last_seen_at) values (?, ?, ?) on conflict (id) do update set last_seen_at = excluded.last_seen_at where users.last_seen_at < excluded.last_seen_at',
        [userId, seenAt, seenAt],
      );
  }

  async exists(userId: string): Promise<boolean> {
    const rows = await this.em.getConnection().execute<unknown[]>('select 1 from users where id = ?', [userId]);
    return rows.length === 1;
  }
}
