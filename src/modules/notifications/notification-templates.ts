// What each notice says. Fixed sentences filled with dates, counts and codes only, so a notice
// never carries text a person or a provider supplied, and the wording lives in one place.
import { NotificationKind } from './entities/notification.entity';

export type NoticeReason = 'CONSENT_REQUIRED' | 'CONSENT_EXPIRED' | 'SUBSCRIPTION_INACTIVE';

export type NoticeInput =
  | { kind: NotificationKind.CONSENT_EXPIRING; grantedAt: Date; expiresAt: Date; days: 30 | 7 }
  | { kind: NotificationKind.CONSENT_EXPIRED; grantedAt: Date; expiresAt: Date }
  | { kind: NotificationKind.RUN_FAILED; runId: string; job: string; reason: NoticeReason }
  | { kind: NotificationKind.EXPORT_READY; exportId: string; expiresAt: Date }
  | { kind: NotificationKind.DELETION_COMPLETED; deletedAt: Date }
  | {
      kind: NotificationKind.REQUEST_ANSWERED;
      requestId: string;
      requestType: string;
      action: 'extended' | 'completed' | 'refused';
      /** The privacy team's reason, written to this person; not text the person or a provider supplied. */
      reason: string;
      /** The new deadline of an extension. */
      extendedUntil?: Date;
    };

export interface NoticeContent {
  title: string;
  message: string;
  data: Record<string, string | number | null>;
  /** One notice per thing it is about, however often the code that writes it runs. */
  dedupKey: string;
}

const JOB_LABELS: Record<string, string> = {
  'twitter.ingest': 'Your X sync',
  'analysis.sentiment': 'Your sentiment analysis',
};

const REASON_TEXT: Record<NoticeReason, string> = {
  CONSENT_REQUIRED: 'your X account is not connected, so we have no consent to use its data. Connect it on the privacy settings page',
  CONSENT_EXPIRED: 'your consent is more than 365 days old. Reconnect your X account on the privacy settings page to renew it',
  SUBSCRIPTION_INACTIVE: 'it needs an active subscription',
};

export function composeNotice(input: NoticeInput): NoticeContent {
  switch (input.kind) {
    case NotificationKind.CONSENT_EXPIRING:
      return {
        title: `Your consent expires in ${input.days} days`,
        message: `Your consent to use your X data expires on ${day(input.expiresAt)}. After that we stop syncing and analysing until you reconnect your X account on the privacy settings page.`,
        data: { expiresAt: input.expiresAt.toISOString(), days: input.days },
        dedupKey: `consent_expiring:${input.days}:${input.grantedAt.toISOString()}`,
      };
    case NotificationKind.CONSENT_EXPIRED:
      return {
        title: 'Your consent has expired',
        message: `Your consent to use your X data expired on ${day(input.expiresAt)}, 365 days after you gave it. We no longer sync or analyse your X data; reconnect your X account on the privacy settings page to continue.`,
        data: { expiresAt: input.expiresAt.toISOString() },
        dedupKey: `consent_expired:${input.grantedAt.toISOString()}`,
      };
    case NotificationKind.RUN_FAILED:
      return {
        title: `${JOB_LABELS[input.job] ?? 'A run'} could not run`,
        message: `${JOB_LABELS[input.job] ?? 'A run'} stopped because ${REASON_TEXT[input.reason]}.`,
        data: { runId: input.runId, job: input.job, reason: input.reason },
        dedupKey: `run_failed:${input.runId}`,
      };
    case NotificationKind.EXPORT_READY:
      return {
        title: 'Your data export is ready',
        message: `Download it from the privacy settings page until ${input.expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; after that, start a new one.`,
        data: { exportId: input.exportId, expiresAt: input.expiresAt.toISOString() },
        dedupKey: `export_ready:${input.exportId}`,
      };
    case NotificationKind.DELETION_COMPLETED:
      return {
        title: 'Your data was deleted',
        message:
          `On ${day(input.deletedAt)} we deleted your tweets, analyses, runs and their logs, X tokens, support tickets, exports and earlier notices, as you asked. ` +
          'We keep what the law requires: billing records and subscriptions, the record of your consent decisions and the audit trail.',
        data: { deletedAt: input.deletedAt.toISOString() },
        dedupKey: `deletion_completed:${input.deletedAt.toISOString()}`,
      };
    case NotificationKind.REQUEST_ANSWERED: {
      const what = `Your ${input.requestType} request`;
      const title =
        input.action === 'extended'
          ? `${what} needs more time`
          : input.action === 'completed'
            ? `${what} was completed`
            : `${what} was refused`;
      const when = input.action === 'extended' && input.extendedUntil ? ` We will answer by ${day(input.extendedUntil)}.` : '';
      const complain = input.action === 'refused' ? ' You can complain to a data protection authority.' : '';
      return {
        title,
        message: `${title}. Reason given by our privacy team: ${input.reason}.${when}${complain}`,
        data: { requestId: input.requestId, action: input.action, extendedUntil: input.extendedUntil?.toISOString() ?? null },
        dedupKey: `request_${input.action}:${input.requestId}`,
      };
    }
  }
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
