// Query code of `notifications`. Inserts take the caller's transaction first, so a notice commits
// with what it reports (an export marked ready, an erasure) or not at all.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Notification, NotificationKind } from './entities/notification.entity';
import { NoticeContent } from './notification-templates';

@Injectable()
export class NotificationsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Inserts the notice unless one with its dedup key exists for the person; true when inserted. */
  async insert(em: EntityManager, userId: string, kind: NotificationKind, content: NoticeContent, now: Date): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      `insert into notifications (id, user_id, kind, title, message, data, dedup_key, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (user_id, dedup_key) do nothing returning id`,
      [randomUUID(), userId, kind, content.title, content.message, JSON.stringify(content.data), content.dedupKey, now],
    );
    return rows.length === 1;
  }

  /** Newest first. */
  listForUser(userId: string, { unreadOnly, limit }: { unreadOnly: boolean; limit: number }): Promise<Notification[]> {
    return this.em.fork().find(
      Notification,
      { userId, ...(unreadOnly ? { readAt: null } : {}) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit, disableIdentityMap: true },
    );
  }

  /** Marks the person's notice read (the first time only); null when it is not theirs or does not exist. */
  async markRead(userId: string, id: string, now: Date): Promise<Notification | null> {
    const em = this.em.fork();
    await em.nativeUpdate(Notification, { id, userId, readAt: null }, { readAt: now });
    return em.findOne(Notification, { id, userId }, { disableIdentityMap: true });
  }
}
