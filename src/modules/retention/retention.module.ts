import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { PersonalDataModule } from '../../core/personal-data';
import { SchedulingModule } from '../../core/scheduling/scheduling.module';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

@Module({
  imports: [AuditModule, PersonalDataModule, SchedulingModule],
  controllers: [RetentionController],
  providers: [RetentionService, RetentionRepository, RetentionScheduler],
  exports: [RetentionService],
})
export class RetentionModule {}
