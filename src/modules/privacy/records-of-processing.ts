// The record of processing activities (GDPR Art. 30), generated from the personal-data map: one
// entry per declared table (and per Redis key naming a person), with its category of data,
// purpose, legal basis, recipients, safeguards, retention and what erasure does. The admin route,
// `npm run cli -- ropa` and the /privacy page all print this one record, so they cannot disagree.
import {
  PersonalDataTable,
  PersonalRedisKey,
  RETENTION_DAYS,
  RETENTION_DESCRIPTIONS,
  RetentionCategory,
  SOFT_DELETE_GRACE_DAYS,
} from '../../core/personal-data';

export interface RetentionPeriod {
  category: RetentionCategory;
  days: number;
  description: string;
}

export interface ProcessingActivity {
  table: string;
  personColumn: string;
  personHolds: 'user-id' | 'pseudonym';
  dataCategory: string;
  purpose: string;
  legalBasis: string;
  recipients: string[];
  safeguards: string[];
  /** The periods after which rows expire (empty when kept). */
  retention: RetentionPeriod[];
  /** Why rows are not expired by age, when they are not. */
  retentionKept: string | null;
  erasure: 'delete' | 'pseudonymise' | 'keep';
  /** Why rows outlive the person's erasure (pseudonymised or kept). */
  erasureReason: string | null;
  pseudonymisedColumns: string[];
  exportKey: string;
}

export interface RedisKeyActivity {
  pattern: string;
  dataCategory: string;
  purpose: string;
  legalBasis: string;
  maxTtlSeconds: number | null;
  erasedWithPerson: boolean;
}

export interface RecordsOfProcessing {
  /** Soft-deleted rows are hard-deleted this many days after their soft delete. */
  softDeleteGraceDays: number;
  activities: ProcessingActivity[];
  redisKeys: RedisKeyActivity[];
}

export function recordsOfProcessing(tables: readonly PersonalDataTable[], redisKeys: readonly PersonalRedisKey[]): RecordsOfProcessing {
  return {
    softDeleteGraceDays: SOFT_DELETE_GRACE_DAYS,
    activities: tables.map((table) => ({
      table: table.table,
      personColumn: table.person.column,
      personHolds: table.person.holds ?? 'user-id',
      dataCategory: table.category,
      purpose: table.purpose,
      legalBasis: table.legalBasis,
      recipients: [...(table.recipients ?? [])],
      safeguards: [...table.safeguards],
      retention:
        'rules' in table.retention
          ? [...new Set(table.retention.rules.map((rule) => rule.category))].map((category) => ({
              category,
              days: RETENTION_DAYS[category],
              description: RETENTION_DESCRIPTIONS[category],
            }))
          : [],
      retentionKept: 'kept' in table.retention ? table.retention.kept : null,
      erasure: table.erasure.action,
      erasureReason: table.erasure.action === 'delete' ? null : table.erasure.reason,
      pseudonymisedColumns: table.erasure.action === 'pseudonymise' ? Object.keys(table.erasure.columns) : [],
      exportKey: table.export.key,
    })),
    redisKeys: redisKeys.map((key) => ({
      pattern: key.pattern,
      dataCategory: key.category,
      purpose: key.purpose,
      legalBasis: key.legalBasis,
      maxTtlSeconds: key.maxTtlSeconds,
      erasedWithPerson: key.keysOf !== undefined,
    })),
  };
}

/** How long an activity's data is kept, in words (the /privacy page and the Markdown record). */
export function describeRetention(activity: Pick<ProcessingActivity, 'retention' | 'retentionKept'>): string {
  if (activity.retentionKept !== null) return `Kept: ${activity.retentionKept}`;
  return activity.retention.map((period) => `${period.days === 0 ? 'at once' : `${period.days} days`} (${period.description})`).join('; ');
}

function describeErasure(activity: ProcessingActivity): string {
  if (activity.erasure === 'delete') return 'Deleted';
  if (activity.erasure === 'pseudonymise') return `Pseudonymised (${activity.pseudonymisedColumns.join(', ')}): ${activity.erasureReason ?? ''}`;
  return `Kept: ${activity.erasureReason ?? ''}`;
}

/** Markdown table cells: no line breaks, and pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** The record as a Markdown document a compliance officer can file. */
export function formatRecordsOfProcessingMarkdown(record: RecordsOfProcessing, generatedAt: Date): string {
  const lines = [
    '# Record of processing activities (GDPR Art. 30)',
    '',
    `Generated ${generatedAt.toISOString()} from the personal-data map. Soft-deleted rows are removed for good ${record.softDeleteGraceDays} days after their soft delete.`,
    '',
  ];
  for (const activity of record.activities) {
    lines.push(
      `## ${activity.dataCategory} (\`${activity.table}\`)`,
      '',
      '| | |',
      '|---|---|',
      `| Purpose | ${cell(activity.purpose)} |`,
      `| Legal basis | ${cell(activity.legalBasis)} |`,
      `| Data subject identified by | \`${activity.personColumn}\` (${activity.personHolds === 'pseudonym' ? 'keyed hash of the user id' : 'user id'}) |`,
      `| Recipients | ${cell(activity.recipients.length > 0 ? activity.recipients.join(', ') : 'none outside the service')} |`,
      `| Safeguards | ${cell(activity.safeguards.join('; '))} |`,
      `| Retention | ${cell(describeRetention(activity))} |`,
      `| On erasure | ${cell(describeErasure(activity))} |`,
      `| In the export under | \`${activity.exportKey}\` |`,
      '',
    );
  }
  lines.push('## Redis keys naming a person', '', '| Key | Category | Purpose | Legal basis | Lives at most | Erased with the person |', '|---|---|---|---|---|---|');
  for (const key of record.redisKeys) {
    const ttl = key.maxTtlSeconds === null ? 'no expiry' : `${key.maxTtlSeconds} s`;
    lines.push(`| \`${cell(key.pattern)}\` | ${cell(key.dataCategory)} | ${cell(key.purpose)} | ${cell(key.legalBasis)} | ${ttl} | ${key.erasedWithPerson ? 'yes' : 'expires by itself within an hour'} |`);
  }
  lines.push('');
  return lines.join('\n');
}
