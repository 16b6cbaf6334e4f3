import { Migration } from '@mikro-orm/migrations';

/** The newest Stripe event applied to a subscription: a late, older event changes nothing. */
export class Migration20261203225819 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "subscriptions" add column "last_event_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "subscriptions" drop column "last_event_at";`);
  }

}
