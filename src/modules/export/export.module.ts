import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ExportBuilder } from './export-builder';
import { ExportSigner } from './export-signer';
import { ExportController } from './export.controller';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

@Module({
  imports: [AuditModule, JobsModule, NotificationsModule],
  controllers: [ExportController],
  providers: [ExportService, ExportRepository, ExportBuilder, ExportSigner],
  exports: [ExportService],
})
export class ExportModule {}
