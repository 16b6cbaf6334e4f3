import { Migration } from '@mikro-orm/migrations';

export class Migration20261122072513 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "consent_action" as enum ('granted', 'withdrawn');`);
    this.addSql(`create type "run_flow" as enum ('ingestion', 'analysis', 'export', 'scheduled');`);
    this.addSql(`create type "run_state" as enum ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create table "alerts" ("id" uuid not null, "kind" text not null, "severity" text not null, "subject" text not null, "status" text not null default 'open', "message" text not null, "count" int not null default 1, "first_seen_at" timestamptz not null, "last_seen_at" timestamptz not null, "resolved_at" timestamptz null, "notified_at" timestamptz null, constraint "alerts_pkey" primary key ("id"));`);
    this.addSql(`create index "alerts_kind_subject_status_index" on "alerts" ("kind", "subject", "status");`);

    this.addSql(`create table "analyses" ("id" uuid not null, "user_id" text not null, "run_id" uuid not null, "provider" text not null, "model" text not null, "overall" text not null, "score" double precision not null, "summary" text not null, "tweet_count" int not null, "tweets" jsonb not null, "created_at" timestamptz not null, "deleted_at" timestamptz null, constraint "analyses_pkey" primary key ("id"));`);
    this.addSql(`create index "analyses_user_id_created_at_index" on "analyses" ("user_id", "created_at");`);

    this.addSql(`create table "audit_log" ("id" bigserial primary key, "user_id" text null, "action" text not null, "category" text not null, "details" jsonb not null, "created_at" timestamptz not null, "prev_hash" text not null, "hash" text not null);`);
    this.addSql(`create index "audit_log_user_id_index" on "audit_log" ("user_id");`);
    this.addSql(`create index "audit_log_category_index" on "audit_log" ("category");`);
    this.addSql(`create index "audit_log_created_at_index" on "audit_log" ("created_at");`);

    this.addSql(`create table "billing_events" ("id" text not null, "type" text not null, "user_id" text null, "payload" jsonb not null, "received_at" timestamptz not null, "deleted_at" timestamptz null, constraint "billing_events_pkey" primary key ("id"));`);
    this.addSql(`create index "billing_events_user_id_index" on "billing_events" ("user_id");`);
    this.addSql(`create index "billing_events_received_at_index" on "billing_events" ("received_at");`);

    this.addSql(`create table "billing_records" ("id" uuid not null, "user_id" text null, "kind" text not null, "stripe_object_id" text not null, "amount_cents" bigint not null, "currency" text not null, "status" text not null, "occurred_at" timestamptz not null, "created_at" timestamptz not null, constraint "billing_records_pkey" primary key ("id"));`);
    this.addSql(`create index "billing_records_user_id_index" on "billing_records" ("user_id");`);
    this.addSql(`alter table "billing_records" add constraint "billing_records_stripe_object_id_unique" unique ("stripe_object_id");`);

    this.addSql(`create table "compliance_events" ("id" bigserial primary key, "kind" text not null, "user_id" text null, "details" jsonb not null, "occurred_at" timestamptz not null);`);
    this.addSql(`create index "compliance_events_user_id_index" on "compliance_events" ("user_id");`);
    this.addSql(`create index "compliance_events_kind_occurred_at_index" on "compliance_events" ("kind", "occurred_at");`);

    this.addSql(`create table "consent_records" ("id" uuid not null, "user_id" text not null, "provider" text not null default 'x', "action" "consent_action" not null, "scopes" text[] not null, "privacy_notice_version" text not null, "recorded_at" timestamptz not null, "deleted_at" timestamptz null, constraint "consent_records_pkey" primary key ("id"));`);
    this.addSql(`create index "consent_records_user_id_recorded_at_index" on "consent_records" ("user_id", "recorded_at");`);

    this.addSql(`create table "data_exports" ("id" uuid not null, "user_id" text not null, "run_id" uuid null, "status" text not null default 'pending', "file_path" text null, "size_bytes" bigint null, "completed_at" timestamptz null, "expires_at" timestamptz null, "created_at" timestamptz not null, "deleted_at" timestamptz null, constraint "data_exports_pkey" primary key ("id"));`);
    this.addSql(`create index "data_exports_user_id_created_at_index" on "data_exports" ("user_id", "created_at");`);

    this.addSql(`create table "oauth_tokens" ("id" uuid not null, "user_id" text not null, "provider" text not null default 'x', "provider_user_id" text not null, "access_token_ciphertext" text not null, "refresh_token_ciphertext" text null, "key_id" text not null, "scopes" text[] not null, "access_token_expires_at" timestamptz not null, "granted_at" timestamptz not null, "revoked_at" timestamptz null, "refreshed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "oauth_tokens_pkey" primary key ("id"));`);
    this.addSql(`create index "oauth_tokens_user_id_index" on "oauth_tokens" ("user_id");`);
    this.addSql(`alter table "oauth_tokens" add constraint "oauth_tokens_user_id_provider_unique" unique ("user_id", "provider");`);

    this.addSql(`create table "run_logs" ("id" bigserial primary key, "run_id" uuid not null, "user_id" text null, "level" text not null, "message" text not null, "created_at" timestamptz not null, "deleted_at" timestamptz null);`);
    this.addSql(`create index "run_logs_user_id_index" on "run_logs" ("user_id");`);
    this.addSql(`create index "run_logs_created_at_index" on "run_logs" ("created_at");`);
    this.addSql(`create index "run_logs_run_id_id_index" on "run_logs" ("run_id", "id");`);

    this.addSql(`create table "subscriptions" ("id" uuid not null, "user_id" text not null, "stripe_subscription_id" text not null, "stripe_customer_id" text null, "tier" text not null, "status" text not null, "current_period_end" timestamptz null, "cancelled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "subscriptions_pkey" primary key ("id"));`);
    this.addSql(`create index "subscriptions_user_id_index" on "subscriptions" ("user_id");`);
    this.addSql(`alter table "subscriptions" add constraint "subscriptions_stripe_subscription_id_unique" unique ("stripe_subscription_id");`);

    this.addSql(`create table "support_tickets" ("id" uuid not null, "user_id" text not null, "subject" text not null, "body" text not null, "status" text not null default 'open', "created_at" timestamptz not null, "deleted_at" timestamptz null, constraint "support_tickets_pkey" primary key ("id"));`);
    this.addSql(`create index "support_tickets_user_id_created_at_index" on "support_tickets" ("user_id", "created_at");`);

    this.addSql(`create table "twitter_data" ("id" uuid not null, "user_id" text not null, "tweet_id" text not null, "text" text not null, "lang" text null, "tweet_created_at" timestamptz not null, "fetched_at" timestamptz not null, "run_id" uuid null, "deleted_at" timestamptz null, constraint "twitter_data_pkey" primary key ("id"));`);
    this.addSql(`create index "twitter_data_user_id_tweet_created_at_index" on "twitter_data" ("user_id", "tweet_created_at");`);
    this.addSql(`alter table "twitter_data" add constraint "twitter_data_user_id_tweet_id_unique" unique ("user_id", "tweet_id");`);

    this.addSql(`create table "users" ("id" text not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "erased_at" timestamptz null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`create index "users_last_seen_at_index" on "users" ("last_seen_at");`);

    this.addSql(`create table "workflow_runs" ("id" uuid not null, "user_id" text null, "flow" "run_flow" not null, "job_name" text not null, "state" "run_state" not null default 'PENDING', "attempts" int not null default 0, "max_attempts" int not null default 5, "input" jsonb null, "result" jsonb null, "error_code" text null, "error_message" text null, "next_attempt_at" timestamptz null, "started_at" timestamptz null, "finished_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "workflow_runs_pkey" primary key ("id"));`);
    this.addSql(`create index "workflow_runs_state_finished_at_index" on "workflow_runs" ("state", "finished_at");`);
    this.addSql(`create index "workflow_runs_user_id_created_at_index" on "workflow_runs" ("user_id", "created_at");`);
  }

}
