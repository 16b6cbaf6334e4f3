import { Global, Module } from '@nestjs/common';
import { ComplianceEventsService } from './compliance-events.service';
import { PersistentRateLimitRejectionRecorder } from './persistent-rejection.recorder';

@Global()
@Module({
  providers: [ComplianceEventsService, PersistentRateLimitRejectionRecorder],
  exports: [ComplianceEventsService, PersistentRateLimitRejectionRecorder],
})
export class ComplianceEventsModule {}
