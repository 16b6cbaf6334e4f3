import { Module } from '@nestjs/common';
import { ExportBuilder } from './export-builder';
import { ExportSigner } from './export-signer';
import { ExportController } from './export.controller';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

@Module({ controllers: [ExportController], providers: [ExportService, ExportRepository, ExportBuilder, ExportSigner], exports: [ExportService] })
export class ExportModule {}
