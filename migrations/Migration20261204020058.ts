import { Migration } from '@mikro-orm/migrations';

export class Migration20261204020058 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "data_requests" ("id" uuid not null, "user_id" text not null, "type" text not null, "regime" text not null, "status" text not null default 'received', "received_at" timestamptz not null, "due_at" timestamptz not null, "extended_until" timestamptz null, "completed_at" timestamptz null, "reason" text null, "message" text null, "export_id" uuid null, constraint "data_requests_pkey" primary key ("id"));`);
    this.addSql(`create index "data_requests_status_due_at_index" on "data_requests" ("status", "due_at");`);
    this.addSql(`create index "data_requests_user_id_received_at_index" on "data_requests" ("user_id", "received_at");`);

    this.addSql(`create table "legal_holds" ("id" uuid not null, "user_id" text not null, "reason" text not null, "placed_by" text not null, "placed_at" timestamptz not null, "until" timestamptz null, "lifted_at" timestamptz null, "lifted_by" text null, constraint "legal_holds_pkey" primary key ("id"));`);
    this.addSql(`create index "legal_holds_user_id_lifted_at_index" on "legal_holds" ("user_id", "lifted_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "data_requests" cascade;`);

    this.addSql(`drop table if exists "legal_holds" cascade;`);
  }

}
