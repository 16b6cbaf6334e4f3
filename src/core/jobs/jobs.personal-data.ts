// The personal data the run engine holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../personal-data';

export const JOBS_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'workflow_runs',
      person: { column: 'user_id' },
      category: 'Records of the work done for the person (ingestion, analysis, export runs)',
      purpose: 'Run the work the person asked for, retry it, and show its state',
      legalBasis: 'Art. 6(1)(b) contract',
      safeguards: ['Error messages redacted before they are stored'],
      softDeletable: true,
      erasure: { action: 'delete', countAs: 'workflows' },
      export: {
        key: 'runs',
        columns: ['id', 'flow', 'job_name', 'state', 'attempts', 'result', 'error_code', 'error_message', 'started_at', 'finished_at', 'created_at'],
      },
      retention: {
        rules: [
          { category: 'jobs', expiredWhere: "t.state = 'COMPLETED' and coalesce(t.finished_at, t.created_at) < ?" },
          { category: 'errors', expiredWhere: "t.state = 'FAILED' and coalesce(t.finished_at, t.created_at) < ?" },
        ],
      },
    },
    {
      table: 'run_logs',
      person: { column: 'user_id' },
      category: 'Operational log lines of the person\u2019s runs',
      purpose: 'Operate and debug the runs done for the person',
      legalBasis: 'Art. 6(1)(f) legitimate interests',
      safeguards: ['Redacted (log profile) before they are written; user ids masked'],
      softDeletable: true,
      erasure: { action: 'delete', countAs: 'logs' },
      export: { key: 'runLogs', columns: ['id', 'run_id', 'level', 'message', 'created_at'] },
      retention: { rules: [{ category: 'logs', expiredWhere: 't.created_at < ?' }] },
    },
  ],
};
