import { Global, Module } from '@nestjs/common';
import { ComplianceEventsRepository } from './compliance-events.repository';
import { ComplianceEventsService } from './compliance-events.service';
import { PersistentRateLimitRejectionRecorder } from './persistent-rejection.recorder';

@Global()
@Module({
  providers: [ComplianceEventsService, ComplianceEventsRepository, PersistentRateLimitRejectionRecorder],
  exports: [ComplianceEventsService, PersistentRateLimitRejectionRecorder],
})
export class ComplianceEventsModule {}
