import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { ConsentModule } from '../consent/consent.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DataErasureRepository } from './data-erasure.repository';
import { DataErasureService } from './data-erasure.service';
import { PrivacyController } from './privacy.controller';

@Module({ imports: [AuditModule, ConsentModule, JobsModule, NotificationsModule], controllers: [PrivacyController], providers: [DataErasureService, DataErasureRepository] })
export class PrivacyModule {}
