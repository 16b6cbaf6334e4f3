import { Module } from '@nestjs/common';
import { ExportBuilder } from './export-builder';
import { ExportSigner } from './export-signer';
import { ExportController } from './export.controller';
import { ExportService } from './export.service';

@Module({ controllers: [ExportController], providers: [ExportService, ExportBuilder, ExportSigner], exports: [ExportService] })
export class ExportModule {}
