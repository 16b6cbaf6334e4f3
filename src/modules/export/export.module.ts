import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { CryptoModule } from '../../core/crypto/crypto.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { DataRequestsModule } from '../requests/data-requests.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ExportBuilder } from './export-builder';
import { ExportSigner } from './export-signer';
import { ExportController } from './export.controller';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';
import { PersonalDataModule } from '../../core/personal-data';
import { EXPORT_PERSONAL_DATA } from './export.personal-data';

@Module({
  imports: [PersonalDataModule.declare('export', EXPORT_PERSONAL_DATA), PersonalDataModule, AuditModule, CryptoModule, DataRequestsModule, JobsModule, NotificationsModule],
  controllers: [ExportController],
  providers: [ExportService, ExportRepository, ExportBuilder, ExportSigner],
  exports: [ExportService],
})
export class ExportModule {}
