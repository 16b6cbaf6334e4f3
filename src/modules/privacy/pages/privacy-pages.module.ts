import { Module } from '@nestjs/common';
import { PrivacyPagesController } from './privacy-pages.controller';

/** The browser side of the Privacy module: /settings/privacy, /privacy and /data-requests. */
@Module({ controllers: [PrivacyPagesController] })
export class PrivacyPagesModule {}
