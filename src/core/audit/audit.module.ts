import { Module } from '@nestjs/common';
import { LocksModule } from '../locks/locks.module';
import { RedisModule } from '../redis/redis.module';
import { AuditHeadStore } from './audit-head.store';
import { AuditSealer } from './audit-sealer.service';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({
  imports: [LocksModule, RedisModule],
  controllers: [AuditController],
  providers: [AuditService, AuditSealer, AuditRepository, AuditHeadStore],
  exports: [AuditService, AuditSealer],
})
export class AuditModule {}
