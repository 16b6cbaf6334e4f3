import { Module } from '@nestjs/common';
import { ComplianceEventsRepository } from './compliance-events.repository';
import { ComplianceEventsService } from './compliance-events.service';
import { PersistentRateLimitRejectionRecorder } from './persistent-rejection.recorder';
import { PersonalDataModule } from '../../core/personal-data';
import { MONITORING_PERSONAL_DATA } from './monitoring.personal-data';

/**
 * Records the compliance events Monitoring counts (rate-limit rejections, failed token refreshes,
 * quota refusals). Separate from MonitoringModule so the modules that record events (rate limits,
 * consent, analysis) need not import the monitoring checks.
 */
@Module({ imports: [PersonalDataModule.declare('monitoring', MONITORING_PERSONAL_DATA)],
  providers: [ComplianceEventsService, ComplianceEventsRepository, PersistentRateLimitRejectionRecorder],
  exports: [ComplianceEventsService, PersistentRateLimitRejectionRecorder],
})
export class ComplianceEventsModule {}
