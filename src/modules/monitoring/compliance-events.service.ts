import { Injectable } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { redactForLog } from '../../core/logging/redact-for-log';
import { ComplianceEventsRepository } from './compliance-events.repository';
import { ComplianceEventKind } from './entities/compliance-event.entity';

/** Records the events Monitoring counts (rate-limit rejections, failed refreshes, quota attempts). */
@Injectable()
export class ComplianceEventsService {
  constructor(
    private readonly repository: ComplianceEventsRepository,
    private readonly clock: Clock,
  ) {}

  /** Kept even when the caller's transaction rolls back (see ComplianceEventsRepository.insert). */
  async record(kind: ComplianceEventKind, userId: string | null, details: Record<string, unknown> = {}): Promise<void> {
    await this.repository.insert(kind, userId, redactForLog(details), this.clock.now());
  }
}
