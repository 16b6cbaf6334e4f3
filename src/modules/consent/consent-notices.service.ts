// The daily `consent_expiry_notices` job: tells each person whose X consent expires within 30
// days, within 7 days, or expired lately. Each notice is written once per consent (keyed by its
// grant time), however often the job runs; a person reconnecting gives a new consent and so new
// notices a year later.
import { Injectable } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { NotificationKind } from '../notifications/entities/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { CONSENT_VALIDITY_MS, consentExpiresAt } from './consent.constants';
import { ConsentRepository } from './consent.repository';

const DAY_MS = 24 * 3_600_000;
/** A consent that expired this long ago without a notice (the job was down) still gets one. */
export const EXPIRED_NOTICE_LOOKBACK_MS = 30 * DAY_MS;
const PAGE = 500;

export interface ConsentNoticesReport {
  expiringIn30Days: number;
  expiringIn7Days: number;
  expired: number;
  [key: string]: unknown;
}

@Injectable()
export class ConsentNoticesService {
  constructor(
    private readonly consents: ConsentRepository,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  /** Counts the notices written now (not the ones that already existed). */
  async sendExpiryNotices(now: Date = this.clock.now()): Promise<ConsentNoticesReport> {
    const grantedBefore = (ms: number) => new Date(now.getTime() - CONSENT_VALIDITY_MS + ms);
    const report: ConsentNoticesReport = { expiringIn30Days: 0, expiringIn7Days: 0, expired: 0 };
    // Expiring in (7, 30] days: the 30-day notice; in (0, 7]: the 7-day one (also for a consent
    // that reached 7 days without a 30-day notice); expired within the lookback: the expired one.
    await this.forEachGrant(grantedBefore(7 * DAY_MS), grantedBefore(30 * DAY_MS), async (userId, grantedAt) => {
      if (await this.notifications.notify(userId, { kind: NotificationKind.CONSENT_EXPIRING, grantedAt, expiresAt: consentExpiresAt(grantedAt), days: 30 })) {
        report.expiringIn30Days++;
      }
    });
    await this.forEachGrant(grantedBefore(0), grantedBefore(7 * DAY_MS), async (userId, grantedAt) => {
      if (await this.notifications.notify(userId, { kind: NotificationKind.CONSENT_EXPIRING, grantedAt, expiresAt: consentExpiresAt(grantedAt), days: 7 })) {
        report.expiringIn7Days++;
      }
    });
    await this.forEachGrant(grantedBefore(-EXPIRED_NOTICE_LOOKBACK_MS), grantedBefore(0), async (userId, grantedAt) => {
      if (await this.notifications.notify(userId, { kind: NotificationKind.CONSENT_EXPIRED, grantedAt, expiresAt: consentExpiresAt(grantedAt) })) {
        report.expired++;
      }
    });
    return report;
  }

  /** Grants in (from, to], a page at a time. */
  private async forEachGrant(from: Date, to: Date, visit: (userId: string, grantedAt: Date) => Promise<void>): Promise<void> {
    let after = '';
    for (;;) {
      const page = await this.consents.findLiveGrantsBetween(from, to, after, PAGE);
      for (const { userId, grantedAt } of page) await visit(userId, grantedAt);
      if (page.length < PAGE) return;
      after = page[page.length - 1].userId;
    }
  }
}
