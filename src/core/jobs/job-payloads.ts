// The typed vocabulary of the run engine: every job name and the payload its runs carry. Producers
// (`RunsService.startRun`) and handlers (`@OnRun(JobName.X)`) are both checked against it.
//
// The names the product needs are the `JobName` enum, used everywhere in src; its values are what
// the database (`workflow_runs.job_name`), the API and `@Cron` names carry, so they never change.
// `JobPayloads` maps each value to its payload. Tests add job names of their own to the map by
// declaration merging:
//
//   declare module '../../src/core/jobs/job-payloads' {
//     interface JobPayloads { 'test.echo': { userId: string; value: string } }
//   }

export enum JobName {
  /** Ingest the user's timeline from X (Twitter module). */
  TwitterIngest = 'twitter.ingest',
  /** Analyse the user's newest stored tweets (Analysis module). */
  AnalysisSentiment = 'analysis.sentiment',
  /** Build the user's data export file (Export module). */
  ExportBuild = 'export.build',
  /** Scheduled jobs, by their cron names (they run with `userId: null`). */
  RetentionCleanupDaily = 'retention_cleanup_daily',
  MonitoringCheck = 'monitoring_check',
  TwitterDeletionCheck = 'twitter_deletion_check',
  /** Notices about consent expiring in 30 and 7 days, and expired (Consent module). */
  ConsentExpiryNotices = 'consent_expiry_notices',
}

/** Payload of a scheduled job run (cron or `POST /api/admin/jobs/:name/run`). */
export interface ScheduledJobPayload {
  /** What started the run; informational. */
  trigger?: 'cron' | 'admin';
}

// Keyed by the enum's values rather than its members, so that test names merged in as plain
// strings are job names too; `JobName.X` is assignable to its value, so src passes the enum.
export interface JobPayloads {
  'twitter.ingest': { userId: string };
  'analysis.sentiment': { userId: string };
  'export.build': { userId: string; exportId: string };
  retention_cleanup_daily: ScheduledJobPayload;
  monitoring_check: ScheduledJobPayload;
  twitter_deletion_check: ScheduledJobPayload;
  consent_expiry_notices: ScheduledJobPayload;
}

/** Every job name that has a payload: the enum's, and any a test declared. */
export type JobKey = keyof JobPayloads & string;

/** What a handler may return: stored as the run's `result` and shown by `GET /api/runs/:id`. */
export type JobResult = Record<string, unknown> | void;

// Fails `tsc` when a `JobName` has no payload in `JobPayloads`.
type NoneMissing<Missing extends never> = Missing;
export type EveryJobNameHasAPayload = NoneMissing<Exclude<`${JobName}`, JobKey>>;
