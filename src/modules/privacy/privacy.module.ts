import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { CryptoModule } from '../../core/crypto/crypto.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { PersonalDataModule } from '../../core/personal-data';
import { RedisModule } from '../../core/redis/redis.module';
import { ConsentModule } from '../consent/consent.module';
import { DataRequestsModule } from '../requests/data-requests.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DataErasureRepository } from './data-erasure.repository';
import { DataErasureService } from './data-erasure.service';
import { PrivacyController } from './privacy.controller';
import { RecordsOfProcessingController } from './records-of-processing.controller';

@Module({
  imports: [AuditModule, ConsentModule, CryptoModule, DataRequestsModule, JobsModule, NotificationsModule, PersonalDataModule, RedisModule],
  controllers: [PrivacyController, RecordsOfProcessingController],
  providers: [DataErasureService, DataErasureRepository],
})
export class PrivacyModule {}
