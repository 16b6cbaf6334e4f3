import { Module } from '@nestjs/common';
import { PersonalDataModule } from '../../core/personal-data';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { NOTIFICATIONS_PERSONAL_DATA } from './notifications.personal-data';

/**
 * Notices to the person (`notifications`): consent about to expire or expired, a run refused for
 * consent or subscription, an export ready, a deletion done. A leaf: the modules whose events the
 * notices report import it and write them; it imports none of them.
 */
@Module({
  imports: [PersonalDataModule.declare('notifications', NOTIFICATIONS_PERSONAL_DATA)],
  controllers: [NotificationsController],
  providers: [NotificationsRepository, NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
