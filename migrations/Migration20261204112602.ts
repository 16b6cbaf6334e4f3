import { Migration } from '@mikro-orm/migrations';

export class Migration20261204112602 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "data_keys" ("id" text not null, "user_id" text not null, "wrapped_key" text not null, "created_at" timestamptz not null, "destroyed_at" timestamptz null, constraint "data_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "data_keys" add constraint "data_keys_user_id_unique" unique ("user_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "data_keys" cascade;`);
  }

}
