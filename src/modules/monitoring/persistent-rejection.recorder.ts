import { Injectable, Logger } from '@nestjs/common';
import { RateLimitRejectionRecorder } from '../rate-limit/rate-limit-rejection.recorder';
import { Provider, RateLimitRejectionReason } from '../../core/rate-limit/rate-limit.types';
import { ComplianceEventsService } from './compliance-events.service';
import { ComplianceEventKind } from './entities/compliance-event.entity';

/** Stores every outbound rate-limit rejection so Monitoring can count violations per user. */
@Injectable()
export class PersistentRateLimitRejectionRecorder extends RateLimitRejectionRecorder {
  private readonly logger = new Logger('RateLimit');

  constructor(private readonly events: ComplianceEventsService) {
    super();
  }

  async recordRejection(provider: Provider, userId: string, reason: RateLimitRejectionReason): Promise<void> {
    try {
      await this.events.record(ComplianceEventKind.RATE_LIMIT_REJECTED, userId, { provider, reason });
    } catch (error) {
      // Losing one count must not turn a clean 429 into a 500.
      this.logger.warn({ msg: 'could not record a rate-limit rejection', provider, reason }, error instanceof Error ? error : undefined);
    }
  }
}
