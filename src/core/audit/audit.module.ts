import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { AuditHeadStore } from './audit-head.store';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({ imports: [RedisModule], controllers: [AuditController], providers: [AuditService, AuditRepository, AuditHeadStore], exports: [AuditService] })
export class AuditModule {}
