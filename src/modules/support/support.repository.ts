// Query code of support tickets: the per-user lock and count of the daily limit, and the list.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { openContent } from '../../core/crypto/content-cipher';
import { DataKeys } from '../../core/crypto/data-keys';
import { listQuery } from '../../core/database/list-query';
import { SupportTicket } from './entities/support-ticket.entity';

@Injectable()
export class SupportRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly dataKeys: DataKeys,
  ) {}

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

  /** Stores a ticket (plain subject and body) with its subject and body sealed under the person's data key. */
  async insert(em: EntityManager, ticket: Pick<SupportTicket, 'id' | 'userId' | 'subject' | 'body' | 'createdAt'>): Promise<void> {
    const key = await this.dataKeys.forWrite(em, ticket.userId);
    const sealed = Object.assign(new SupportTicket(), ticket, {
      subject: key.seal('support_tickets', 'subject', ticket.id, ticket.subject),
      body: key.seal('support_tickets', 'body', ticket.id, ticket.body),
    });
    await em.insert(SupportTicket, sealed);
  }

  /** The person's newest tickets, opened: read-only rows, not entities (see list-query.ts). */
  async listForUser<P extends keyof SupportTicket & string>(
    userId: string,
    limit: number,
    fields: readonly P[],
  ): Promise<Pick<SupportTicket, P | 'id' | 'subject' | 'body'>[]> {
    const rows = await listQuery(this.em, SupportTicket, [...new Set<P | 'id' | 'subject' | 'body'>([...fields, 'id', 'subject', 'body'])])
      .ownedBy(userId)
      .newestFirst('createdAt', 'id', limit)
      .rows();
    const key = await this.dataKeys.forRead(userId, rows.map((row) => row.subject));
    return rows.map((row) => ({
      ...row,
      subject: openContent(key, 'support_tickets', 'subject', row.id, row.subject),
      body: openContent(key, 'support_tickets', 'body', row.id, row.body),
    }));
  }
}
