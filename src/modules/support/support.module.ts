import { CryptoModule } from '../../core/crypto/crypto.module';
import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { SupportController } from './support.controller';
import { SupportRepository } from './support.repository';
import { SupportService } from './support.service';
import { PersonalDataModule } from '../../core/personal-data';
import { SUPPORT_PERSONAL_DATA } from './support.personal-data';

@Module({ imports: [PersonalDataModule.declare('support', SUPPORT_PERSONAL_DATA), AuditModule, CryptoModule], controllers: [SupportController], providers: [SupportService, SupportRepository] })
export class SupportModule {}
