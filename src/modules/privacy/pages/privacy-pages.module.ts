import { Module } from '@nestjs/common';
import { PersonalDataModule } from '../../../core/personal-data';
import { PrivacyPagesController } from './privacy-pages.controller';

/** The browser side of the Privacy module: /settings/privacy, /privacy and /data-requests. */
@Module({ imports: [PersonalDataModule], controllers: [PrivacyPagesController] })
export class PrivacyPagesModule {}
