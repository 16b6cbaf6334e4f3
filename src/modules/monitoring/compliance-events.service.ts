import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { redactForLog } from '../../core/logging/redact-for-log';
import { ComplianceEventKind } from './entities/compliance-event.entity';

/** Records the events Monitoring counts (rate-limit rejections, failed refreshes, quota attempts). */
@Injectable()
export class ComplianceEventsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async record(kind: ComplianceEventKind, userId: string | null, details: Record<string, unknown> = {}): Promise<void> {
    // Raw insert on the root connection: callers may be outside any request context or inside a
    // transaction that is about to roll back, and the event must be kept either way.
    await this.em
      .getConnection()
      .execute('insert into compliance_events (kind, user_id, details, occurred_at) values (?, ?, ?, ?)', [
        kind,
        userId,
        JSON.stringify(redactForLog(details)),
        this.clock.now(),
      ]);
  }
}
