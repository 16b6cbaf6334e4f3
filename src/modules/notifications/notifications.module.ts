import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/**
 * Notices to the person (`notifications`): consent about to expire or expired, a run refused for
 * consent or subscription, an export ready, a deletion done. A leaf: the modules whose events the
 * notices report import it and write them; it imports none of them.
 */
@Module({
  controllers: [NotificationsController],
  providers: [NotificationsRepository, NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
