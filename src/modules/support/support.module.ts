import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { SupportController } from './support.controller';
import { SupportRepository } from './support.repository';
import { SupportService } from './support.service';

@Module({ imports: [AuditModule], controllers: [SupportController], providers: [SupportService, SupportRepository] })
export class SupportModule {}
