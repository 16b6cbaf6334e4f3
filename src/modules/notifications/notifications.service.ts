// Notices to the person: written by the modules whose events they report (consent, runs, export,
// erasure), read and marked read by the person. A notice is about one thing and is written once.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { isUuid } from '../../core/util/is-uuid';
import { NotificationDto } from './dto/notification.dto';
import { composeNotice, NoticeInput } from './notification-templates';
import { NotificationNotFoundException } from './notifications.exception';
import { NotificationsRepository } from './notifications.repository';

export const DEFAULT_NOTIFICATION_LIST_LIMIT = 50;
export const MAX_NOTIFICATION_LIST_LIMIT = 200;

@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('Notifications');

  constructor(
    private readonly em: EntityManager,
    private readonly repository: NotificationsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes the notice in `em`'s transaction when given (it then commits with what it reports),
   * else on its own. True when it is new.
   */
  notify(userId: string, input: NoticeInput, em: EntityManager = this.em.fork()): Promise<boolean> {
    return this.repository.insert(em, userId, input.kind, composeNotice(input), this.clock.now());
  }

  /** For notices that must not fail what they report (a run already failing): a failure is logged, not thrown. */
  async notifyBestEffort(userId: string, input: NoticeInput): Promise<void> {
    try {
      await this.notify(userId, input);
    } catch (error) {
      this.logger.warn({ msg: 'a notice to the person could not be stored', kind: input.kind, userId, err: error });
    }
  }

  async list(userId: string, { unread = false, limit = DEFAULT_NOTIFICATION_LIST_LIMIT }: { unread?: boolean; limit?: number } = {}): Promise<NotificationDto[]> {
    return (await this.repository.listForUser(userId, { unreadOnly: unread, limit })).map((notice) => NotificationDto.from(notice));
  }

  async markRead(userId: string, id: string): Promise<NotificationDto> {
    const notice = isUuid(id) ? await this.repository.markRead(userId, id, this.clock.now()) : null;
    if (!notice) throw new NotificationNotFoundException();
    return NotificationDto.from(notice);
  }
}
