import { Module } from '@nestjs/common';
import { ComplianceEventsRepository } from './compliance-events.repository';
import { ComplianceEventsService } from './compliance-events.service';
import { PersistentRateLimitRejectionRecorder } from './persistent-rejection.recorder';

/**
 * Records the compliance events Monitoring counts (rate-limit rejections, failed token refreshes,
 * quota refusals). Separate from MonitoringModule so the modules that record events (rate limits,
 * consent, analysis) need not import the monitoring checks.
 */
@Module({
  providers: [ComplianceEventsService, ComplianceEventsRepository, PersistentRateLimitRejectionRecorder],
  exports: [ComplianceEventsService, PersistentRateLimitRejectionRecorder],
})
export class ComplianceEventsModule {}
