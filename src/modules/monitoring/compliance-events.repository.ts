// Query code of `compliance_events`, the narrow table Monitoring counts.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ComplianceEventKind } from './entities/compliance-event.entity';

@Injectable()
export class ComplianceEventsRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Raw insert on the root connection: callers may be outside any request context or inside a
   * transaction that is about to roll back, and the event must be kept either way.
   */
  async insert(kind: ComplianceEventKind, userId: string | null, details: Record<string, unknown>, occurredAt: Date): Promise<void> {
    await this.em
      .getConnection()
      .execute('insert into compliance_events (kind, user_id, details, occurred_at) values (?, ?, ?, ?)', [
        kind,
        userId,
        JSON.stringify(details),
        occurredAt,
      ]);
  }
}
