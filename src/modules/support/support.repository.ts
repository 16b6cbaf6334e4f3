// Query code of support tickets: the per-user lock and count of the daily limit, and the list.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { listQuery } from '../../core/database/list-query';
import { SupportTicket } from './entities/support-ticket.entity';

@Injectable()
export class SupportRepository {
  constructor(private readonly em: EntityManager) {}

  /** Serialises one person's ticket creations until the transaction ends. */
  async lockUserTickets(em: EntityManager, userId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`support-ticket:${userId}`]);
  }

  /** When the person's newest `limit` tickets since `since` were created, newest first. */
  async createdSince(em: EntityManager, userId: string, since: Date, limit: number): Promise<Date[]> {
    const rows = await em.execute<{ created_at: Date }[]>(
      'select created_at from support_tickets where user_id = ? and created_at > ? order by created_at desc limit ?',
      [userId, since, limit],
    );
    return rows.map((row) => new Date(row.created_at));
  }

  async insert(em: EntityManager, ticket: SupportTicket): Promise<void> {
    em.persist(ticket);
    await em.flush();
  }

  /** The person's newest tickets: read-only rows of `fields`, not entities (see list-query.ts). */
  listForUser<P extends keyof SupportTicket & string>(userId: string, limit: number, fields: readonly P[]): Promise<Pick<SupportTicket, P>[]> {
    const list = listQuery(this.em, SupportTicket, fields).ownedBy(userId);
    list.query.orderBy(list.column('createdAt'), 'desc').limit(limit);
    return list.rows();
  }
}
