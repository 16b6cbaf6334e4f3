import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { SupportController } from './support.controller';
import { SupportService } from './support.service';

@Module({ imports: [AuditModule], controllers: [SupportController], providers: [SupportService] })
export class SupportModule {}
