import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { DataErasureRepository } from './data-erasure.repository';
import { DataErasureService } from './data-erasure.service';
import { PrivacyController } from './privacy.controller';

@Module({ imports: [ConsentModule], controllers: [PrivacyController], providers: [DataErasureService, DataErasureRepository] })
export class PrivacyModule {}
