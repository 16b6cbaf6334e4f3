import { Migration } from '@mikro-orm/migrations';

/**
 * The audit log without a global lock: entries lose their per-entry chain (`prev_hash`, `hash`),
 * and sealed batches (`audit_batches`) hold Merkle roots chained under AUDIT_KEY. Entries already
 * in the table are not hashed here (a migration has no key): the first run of the AuditSealer
 * after the upgrade seals them in batches of up to 16,384, like any new entry. Check the old chain
 * with the previous version's `GET /api/admin/audit/verify` before upgrading: its hashes go.
 */
export class Migration20261204015509 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_batches" ("id" bigserial primary key, "first_seq" bigint not null, "last_seq" bigint not null, "size" int not null, "root" text not null, "prev_hash" text not null, "chained_hash" text not null, "sealed_at" timestamptz not null);`);
    this.addSql(`alter table "audit_batches" add constraint "audit_batches_last_seq_unique" unique ("last_seq");`);

    this.addSql(`alter table "audit_log" drop column "prev_hash", drop column "hash";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_batches" cascade;`);

    this.addSql(`alter table "audit_log" add column "prev_hash" text not null default '', add column "hash" text not null default '';`);
  }

}
