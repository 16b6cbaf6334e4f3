import { Migration } from '@mikro-orm/migrations';

export class Migration20261203234332 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "analysis_quota_usage" ("subject" text not null, "month" date not null, "used" int not null, constraint "analysis_quota_usage_pkey" primary key ("subject", "month"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "analysis_quota_usage" cascade;`);
  }

}
