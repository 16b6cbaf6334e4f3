import { Migration } from '@mikro-orm/migrations';

export class Migration20261204022707 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "workflow_runs_created_at_id_index" on "workflow_runs" ("created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "workflow_runs_created_at_id_index";`);
  }

}
