// What a user has agreed to, and the check every route and job step touching X or Anthropic data
// makes before it runs (spec section 3, Consent).
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { isActiveSubscription, SubscriptionsRepository } from '../billing/subscriptions.repository';
import { consentExpiresAt } from './consent.constants';
import type { JobKey } from '../../core/jobs/job-payloads';
import { ComplianceEventsService } from '../monitoring/compliance-events.service';
import { ComplianceEventKind } from '../monitoring/entities/compliance-event.entity';
import { NotificationKind } from '../notifications/entities/notification.entity';
import type { NoticeReason } from '../notifications/notification-templates';
import { NotificationsService } from '../notifications/notifications.service';
import { ConsentErrorCode, ConsentExpiredException, ConsentRequiredException, SubscriptionInactiveException } from './consent.exception';
import { ConsentRepository } from './consent.repository';
import { ConsentStatusDto } from './dto/consent-status.dto';

@Injectable()
export class ConsentService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: ConsentRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly clock: Clock,
    private readonly complianceEvents: ComplianceEventsService,
    private readonly notifications: NotificationsService,
  ) {}

  async getStatus(userId: string): Promise<ConsentStatusDto> {
    const em = this.em.fork();
    const token = await this.repository.findTokenInTransaction(em, userId);
    const subscription = await this.subscriptions.findCurrent(em, userId);
    const expiresAt = token ? consentExpiresAt(token.grantedAt) : null;
    return {
      twitter: {
        connected: Boolean(token && !token.revokedAt && expiresAt && expiresAt.getTime() > this.clock.nowMs()),
        grantedAt: token?.grantedAt.toISOString() ?? null,
        expiresAt: expiresAt?.toISOString() ?? null,
        scopes: token?.scopes ?? [],
        revokedAt: token?.revokedAt?.toISOString() ?? null,
      },
      subscription: subscription
        ? { tier: subscription.tier, status: subscription.status, cancelledAt: subscription.cancelledAt?.toISOString() ?? null }
        : null,
    };
  }

  /**
   * Refuses with 403 CONSENT_REQUIRED (no connection or revoked), CONSENT_EXPIRED (older than 365
   * days) or SUBSCRIPTION_INACTIVE. Pass the EntityManager of an open transaction to check inside
   * it (embedded mode must never wait on a second connection while a transaction is open).
   *
   * `lockToken` is for the transaction that stores what was obtained under the consent (tweets, an
   * analysis): the token row stays locked (FOR SHARE) until it commits. A withdrawal, which locks
   * that row to revoke it, then comes either after the commit (the data is then treated like any
   * stored before a withdrawal) or before it, and the check refuses: nothing fetched under a
   * consent is stored once it has been withdrawn.
   */
  async assertConsent(userId: string, em: EntityManager = this.em.fork(), { lockToken = false } = {}): Promise<void> {
    const token = await this.repository.findTokenInTransaction(em, userId, { lock: lockToken });
    if (!token || token.revokedAt || !token.accessTokenCiphertext) throw new ConsentRequiredException();
    if (consentExpiresAt(token.grantedAt).getTime() <= this.clock.nowMs()) throw new ConsentExpiredException();
    if (!isActiveSubscription(await this.subscriptions.findCurrent(em, userId))) throw new SubscriptionInactiveException();
  }

  /**
   * Runs a run's work and, when a consent check in it refuses, records the failed verification
   * (a compliance event Monitoring counts) and tells the person why the run failed, then lets the
   * refusal fail the run. Recording happens here, after the work's transaction has rolled back:
   * embedded PGlite cannot take a second connection while one is open.
   */
  async reportRunRefusals<T>(run: { runId: string; jobName: JobKey; userId: string }, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const reason = refusalReason(error);
      if (reason) {
        await this.recordRefusal(run.userId, reason, { source: 'run', job: run.jobName });
        await this.notifications.notifyBestEffort(run.userId, { kind: NotificationKind.RUN_FAILED, runId: run.runId, job: run.jobName, reason });
      }
      throw error;
    }
  }

  /** Records a ConsentGuard refusal; the guard then throws it as the 403. */
  async reportRequestRefusal(userId: string, error: unknown): Promise<void> {
    const reason = refusalReason(error);
    if (reason) await this.recordRefusal(userId, reason, { source: 'request' });
  }

  private async recordRefusal(userId: string, reason: NoticeReason, where: { source: 'request' } | { source: 'run'; job: string }): Promise<void> {
    // A refusal must stay a 403 (or a failed run) even when the event cannot be stored.
    await this.complianceEvents.record(ComplianceEventKind.CONSENT_CHECK_FAILED, userId, { reason, ...where }).catch(() => undefined);
  }
}

const REFUSAL_CODES = new Set<string>([ConsentErrorCode.CONSENT_REQUIRED, ConsentErrorCode.CONSENT_EXPIRED, ConsentErrorCode.SUBSCRIPTION_INACTIVE]);

/** The reason code of a consent verification's refusal, or null for any other error. */
function refusalReason(error: unknown): NoticeReason | null {
  return error instanceof Error && 'code' in error && REFUSAL_CODES.has(String(error.code)) ? (String(error.code) as NoticeReason) : null;
}
