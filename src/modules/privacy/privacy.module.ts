import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { DataErasureService } from './data-erasure.service';
import { PrivacyController } from './privacy.controller';

@Module({ imports: [ConsentModule], controllers: [PrivacyController], providers: [DataErasureService] })
export class PrivacyModule {}
