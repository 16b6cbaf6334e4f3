// Every entity of the data model (spec section 3a), registered explicitly so the ORM does not
// depend on folder scanning (which differs between ts-node, jest and the compiled build). It sits
// at the app level, beside app.module.ts, because it names every module's entities; core's
// DatabaseModule and buildOrmOptions are handed this list and know no module.
import { AuditBatch } from './core/audit/audit-batch.entity';
import { AuditEntry } from './core/audit/audit-entry.entity';
import { DataKey } from './core/crypto/data-key.entity';
import type { OrmEntities } from './core/database/orm-options';
import { RunLog } from './core/jobs/entities/run-log.entity';
import { WorkflowRun } from './core/jobs/entities/workflow-run.entity';
import { User } from './core/users/user.entity';
import { Analysis } from './modules/analysis/entities/analysis.entity';
import { AnalysisQuotaUsage } from './modules/analysis/entities/analysis-quota-usage.entity';
import { BillingEvent } from './modules/billing/entities/billing-event.entity';
import { BillingRecord } from './modules/billing/entities/billing-record.entity';
import { Subscription } from './modules/billing/entities/subscription.entity';
import { ConsentRecord } from './modules/consent/entities/consent-record.entity';
import { OAuthToken } from './modules/consent/entities/oauth-token.entity';
import { DataExport } from './modules/export/entities/data-export.entity';
import { Alert } from './modules/monitoring/entities/alert.entity';
import { AlertDelivery } from './modules/monitoring/entities/alert-delivery.entity';
import { ComplianceEvent } from './modules/monitoring/entities/compliance-event.entity';
import { DataRequest } from './modules/requests/entities/data-request.entity';
import { LegalHold } from './modules/requests/entities/legal-hold.entity';
import { Notification } from './modules/notifications/entities/notification.entity';
import { SupportTicket } from './modules/support/entities/support-ticket.entity';
import { Tweet } from './modules/twitter/entities/tweet.entity';

export const ENTITIES: OrmEntities = [
  User,
  AuditEntry,
  AuditBatch,
  DataKey,
  WorkflowRun,
  RunLog,
  ConsentRecord,
  OAuthToken,
  Subscription,
  BillingRecord,
  BillingEvent,
  Tweet,
  Analysis,
  AnalysisQuotaUsage,
  Alert,
  AlertDelivery,
  ComplianceEvent,
  DataExport,
  SupportTicket,
  DataRequest,
  LegalHold,
  Notification,
];
