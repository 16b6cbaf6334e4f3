import { Module } from '@nestjs/common';
import { LocksModule } from '../locks/locks.module';
import { RedisModule } from '../redis/redis.module';
import { AuditHeadStore } from './audit-head.store';
import { AuditSealer } from './audit-sealer.service';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { PersonalDataModule } from '../personal-data';
import { AUDIT_PERSONAL_DATA } from './audit.personal-data';

@Module({
  imports: [PersonalDataModule.declare('audit', AUDIT_PERSONAL_DATA), LocksModule, RedisModule],
  controllers: [AuditController],
  providers: [AuditService, AuditSealer, AuditRepository, AuditHeadStore],
  exports: [AuditService, AuditSealer],
})
export class AuditModule {}
