import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { PersonalDataModule } from '../../core/personal-data';
import { NotificationsModule } from '../notifications/notifications.module';
import { AdminDataRequestsController } from './admin-data-requests.controller';
import { DataRequestsController } from './data-requests.controller';
import { DataRequestsRepository } from './data-requests.repository';
import { DataRequestsService } from './data-requests.service';
import { LegalHoldsRepository } from './legal-holds.repository';
import { LegalHoldsService } from './legal-holds.service';
import { REQUESTS_PERSONAL_DATA } from './requests.personal-data';

/** Data subject requests with their deadlines, and legal holds (GDPR Art. 12, 17(3); CCPA §1798.130). */
@Module({
  imports: [PersonalDataModule.declare('requests', REQUESTS_PERSONAL_DATA), AuditModule, NotificationsModule],
  controllers: [DataRequestsController, AdminDataRequestsController],
  providers: [DataRequestsService, DataRequestsRepository, LegalHoldsService, LegalHoldsRepository],
  exports: [DataRequestsService, LegalHoldsService],
})
export class DataRequestsModule {}
