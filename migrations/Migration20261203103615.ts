import { Migration } from '@mikro-orm/migrations';

/**
 * At most one open alert per (kind, subject), enforced by the table. Duplicates an older release
 * may have left are resolved first, keeping the oldest (the rule `AlertsService.reconcile` applies).
 */
export class Migration20261203103615 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`update "alerts" set "status" = 'resolved', "resolved_at" = now() where "id" in (select "id" from (select "id", row_number() over (partition by "kind", "subject" order by "first_seen_at", "id") as "rank" from "alerts" where "status" = 'open') as "open_alerts" where "rank" > 1);`);
    this.addSql(`create unique index "alerts_one_open_per_kind_subject" on "alerts" ("kind", "subject") where "status" = 'open';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "alerts_one_open_per_kind_subject";`);
  }

}
