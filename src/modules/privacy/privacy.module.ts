import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { ConsentModule } from '../consent/consent.module';
import { DataErasureService } from './data-erasure.service';
import { PrivacyController } from './privacy.controller';

@Module({ imports: [AuditModule, ConsentModule, JobsModule], controllers: [PrivacyController], providers: [DataErasureService] })
export class PrivacyModule {}
