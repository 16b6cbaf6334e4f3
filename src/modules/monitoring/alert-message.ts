// The Slack-compatible message for a batch of alert changes (`{ text, blocks }`, which Slack,
// Mattermost and most chat webhooks accept). Alerts carry counts and masked subjects only.
import type { AlertSeverity } from './checks/alert-condition';

/** What a notification says about one alert (a stored Alert, or a condition that could not be stored). */
export interface AlertNotice {
  kind: string;
  severity: AlertSeverity;
  subject: string;
  message: string;
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

export interface SlackMessage {
  text: string;
  blocks?: SlackBlock[];
}

/** Slack allows 50 blocks per message; a busy check lists this many alerts and counts the rest. */
export const MAX_ALERTS_PER_MESSAGE = 20;

const SEVERITY_ICON: Record<AlertSeverity, string> = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' };

export function buildAlertMessage(opened: readonly AlertNotice[], resolved: readonly AlertNotice[]): SlackMessage {
  const summary = [
    opened.length > 0 ? `${opened.length} alert${opened.length === 1 ? '' : 's'} opened` : null,
    resolved.length > 0 ? `${resolved.length} resolved` : null,
  ]
    .filter((part): part is string => part !== null)
    .join(', ');
  const lines = [
    ...opened.map((notice) => ({ notice, resolved: false })),
    ...resolved.map((notice) => ({ notice, resolved: true })),
  ];
  const shown = lines.slice(0, MAX_ALERTS_PER_MESSAGE);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Repazoo monitoring: ${summary}` } },
    ...shown.map(({ notice, resolved: isResolved }): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: describe(notice, isResolved) } })),
  ];
  if (lines.length > shown.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${lines.length - shown.length} more (GET /api/admin/alerts)` }] });
  }
  const text = [
    `Repazoo monitoring: ${summary}`,
    ...shown.map(({ notice, resolved: isResolved }) => `${isResolved ? 'RESOLVED' : notice.severity.toUpperCase()} ${notice.kind} ${notice.subject}: ${notice.message}`),
  ].join('\n');
  return { text, blocks };
}

function describe(notice: AlertNotice, resolved: boolean): string {
  const icon = resolved ? ':white_check_mark:' : SEVERITY_ICON[notice.severity];
  const state = resolved ? 'RESOLVED' : notice.severity.toUpperCase();
  return [
    `${icon} *${state}* \`${escape(notice.kind)}\` for \`${escape(notice.subject)}\``,
    escape(notice.message),
    `first seen ${notice.firstSeenAt.toISOString()}, last seen ${notice.lastSeenAt.toISOString()}, seen by ${notice.count} check${notice.count === 1 ? '' : 's'}`,
  ].join('\n');
}

/** Slack's mrkdwn needs these three escaped; everything else is literal. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
