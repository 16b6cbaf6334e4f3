// The typed vocabulary of the run engine: every job name and the payload its runs carry. Producers
// (`RunsService.startRun`) and handlers (`RunsService.registerHandler`) are both checked against it.
//
// A module that adds a job extends the map where it lives, by declaration merging:
//
//   declare module '../../core/jobs/job-payloads' {
//     interface JobPayloads { 'billing.reconcile': { userId: string } }
//   }
//
// The names the product needs are declared here once.

/** Payload of a scheduled job run (cron or `POST /api/admin/jobs/:name/run`). */
export interface ScheduledJobPayload {
  /** What started the run; informational. */
  trigger?: 'cron' | 'admin';
}

export interface JobPayloads {
  /** Ingest the user's timeline from X (Twitter module). */
  'twitter.ingest': { userId: string };
  /** Analyse the user's newest stored tweets (Analysis module). */
  'analysis.sentiment': { userId: string };
  /** Build the user's data export file (Export module). */
  'export.build': { userId: string; exportId: string };
  /** Scheduled jobs, by their cron names (they run with `userId: null`). */
  retention_cleanup_daily: ScheduledJobPayload;
  monitoring_check: ScheduledJobPayload;
  twitter_deletion_check: ScheduledJobPayload;
}

export type JobName = keyof JobPayloads & string;

/** The job names as constants, for call sites that prefer them to string literals. */
export const JobNames = {
  TwitterIngest: 'twitter.ingest',
  AnalysisSentiment: 'analysis.sentiment',
  ExportBuild: 'export.build',
  RetentionCleanupDaily: 'retention_cleanup_daily',
  MonitoringCheck: 'monitoring_check',
  TwitterDeletionCheck: 'twitter_deletion_check',
} as const satisfies Record<string, JobName>;

/** What a handler may return: stored as the run's `result` and shown by `GET /api/runs/:id`. */
export type JobResult = Record<string, unknown> | void;
