// Error codes of the Notifications module.
import { DomainException } from '../../core/errors/domain.exception';

export enum NotificationsErrorCode {
  NOTIFICATION_NOT_FOUND = 'NOTIFICATION_NOT_FOUND',
}

/** Malformed, unknown or another person's notice id: all look the same, so ids cannot be probed. */
export class NotificationNotFoundException extends DomainException {
  constructor() {
    super(NotificationsErrorCode.NOTIFICATION_NOT_FOUND, 'Notification not found (id)', 404);
  }
}
