import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { AuditHeadStore } from './audit-head.store';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { PersonalDataModule } from '../personal-data';
import { AUDIT_PERSONAL_DATA } from './audit.personal-data';

@Module({ imports: [PersonalDataModule.declare('audit', AUDIT_PERSONAL_DATA), RedisModule], controllers: [AuditController], providers: [AuditService, AuditRepository, AuditHeadStore], exports: [AuditService] })
export class AuditModule {}
