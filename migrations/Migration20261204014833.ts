import { Migration } from '@mikro-orm/migrations';

export class Migration20261204014833 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "alert_deliveries" ("id" uuid not null, "alert_id" uuid not null, "channel" text not null, "event" text not null, "dedup_key" text not null, "state" text not null default 'pending', "attempts" int not null default 0, "last_error" text null, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "delivered_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "alert_deliveries_pkey" primary key ("id"));`);
    this.addSql(`alter table "alert_deliveries" add constraint "alert_deliveries_dedup_key_unique" unique ("dedup_key");`);
    this.addSql(`create index "alert_deliveries_alert_id_channel_index" on "alert_deliveries" ("alert_id", "channel");`);
    this.addSql(`create index "alert_deliveries_due" on "alert_deliveries" ("state", "next_attempt_at");`);

    this.addSql(`create table "notifications" ("id" uuid not null, "user_id" text not null, "kind" text not null, "title" text not null, "message" text not null, "data" jsonb not null, "dedup_key" text not null, "created_at" timestamptz not null, "read_at" timestamptz null, constraint "notifications_pkey" primary key ("id"));`);
    this.addSql(`create index "notifications_user_id_created_at_index" on "notifications" ("user_id", "created_at");`);
    this.addSql(`alter table "notifications" add constraint "notifications_user_id_dedup_key_unique" unique ("user_id", "dedup_key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "alert_deliveries" cascade;`);

    this.addSql(`drop table if exists "notifications" cascade;`);
  }

}
