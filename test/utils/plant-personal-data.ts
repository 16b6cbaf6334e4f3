// A person's data written straight to the database, in EVERY table the personal-data map declares:
// the helper reads the map, so a newly declared table gets planted (and then erased, exported and
// expired by the tests that use this) without touching this file.
//
// Tables with an example below get realistic rows, as ingestion, analysis, the X connection and
// Stripe would have left them: a completed run with its log, two tweets (ids 101 and 102), an
// analysis, a sealed X token, an invoice, an active subscription, a Stripe event whose payload
// names the person, and an audit entry (through AuditService, so the hash chain stays valid). Any
// other declared table gets one row built from its schema: the person in the person column, and
// in tables erasure deletes, the person's id in every required text column too (so a test that
// scans for the id finds it if the row survives).
import { EntityManager } from '@mikro-orm/postgresql';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../../src/core/audit/audit.service';
import { PersonKey } from '../../src/core/crypto/content-cipher';
import { DataKeys } from '../../src/core/crypto/data-keys';
import { Pseudonyms } from '../../src/core/crypto/pseudonyms';
import { PersonalDataMap, PersonalDataTable } from '../../src/core/personal-data';

export const PLANTED_TWEET_IDS = ['101', '102'] as const;

/** The parts of a running test app the helper needs. */
export interface PlantingTarget {
  app: Pick<INestApplicationContext, 'get'>;
  em(): EntityManager;
}

interface PlantingContext {
  sql: (query: string, params: unknown[]) => Promise<unknown>;
  target: PlantingTarget;
  userId: string;
  runId: string;
  now: Date;
  /** The person's data key: content columns are planted sealed, as the app writes them. */
  key: PersonKey;
}

type Example = (context: PlantingContext) => Promise<void>;

const EXAMPLES: Record<string, Example> = {
  users: async ({ sql, userId, now }) => {
    await sql('insert into users (id, created_at, last_seen_at) values (?, ?, ?) on conflict do nothing', [userId, now, now]);
  },
  workflow_runs: async ({ sql, userId, runId, now }) => {
    await sql(
      "insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, created_at, updated_at) values (?, ?, 'ingestion', 'twitter.ingest', 'COMPLETED', 1, 5, ?, ?)",
      [runId, userId, now, now],
    );
  },
  run_logs: async ({ sql, userId, runId, now }) => {
    await sql("insert into run_logs (run_id, user_id, level, message, created_at) values (?, ?, 'info', 'fetched 2 tweets', ?)", [runId, userId, now]);
  },
  twitter_data: async ({ sql, userId, runId, now, key }) => {
    for (const tweetId of PLANTED_TWEET_IDS) {
      const id = randomUUID();
      await sql('insert into twitter_data (id, user_id, tweet_id, text, tweet_created_at, fetched_at, run_id) values (?, ?, ?, ?, ?, ?, ?)', [
        id, userId, tweetId, key.seal('twitter_data', 'text', id, plantedTweetText(tweetId, userId)), now, now, runId,
      ]);
    }
  },
  analyses: async ({ sql, userId, runId, now, key }) => {
    const id = randomUUID();
    await sql(
      "insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at) values (?, ?, ?, 'local', 'lexicon', 'positive', 0.5, ?, 2, ?, ?)",
      [id, userId, runId, key.seal('analyses', 'summary', id, 'upbeat'), JSON.stringify(key.seal('analyses', 'tweets', id, '[]')), now],
    );
  },
  oauth_tokens: async ({ sql, userId, now }) => {
    await sql(
      "insert into oauth_tokens (id, user_id, provider, provider_user_id, access_token_ciphertext, refresh_token_ciphertext, key_id, scopes, access_token_expires_at, granted_at, created_at, updated_at) values (?, ?, 'x', '42', 'v1:sealed-access', 'v1:sealed-refresh', 'test1', '{tweet.read}', ?, ?, ?, ?)",
      [randomUUID(), userId, now, now, now, now],
    );
  },
  billing_records: async ({ sql, userId, now }) => {
    await sql(
      "insert into billing_records (id, user_id, kind, stripe_object_id, amount_cents, currency, status, occurred_at, created_at) values (?, ?, 'invoice', ?, 1900, 'eur', 'paid', ?, ?)",
      [randomUUID(), userId, `in_${randomUUID()}`, now, now],
    );
  },
  subscriptions: async ({ sql, userId, now }) => {
    await sql(
      "insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at) values (?, ?, ?, 'pro', 'active', ?, ?)",
      [randomUUID(), userId, `sub_${randomUUID()}`, now, now],
    );
  },
  billing_events: async ({ sql, userId, now }) => {
    const payload = {
      id: `evt_${randomUUID()}`,
      type: 'invoice.paid',
      data: {
        object: {
          object: 'invoice',
          amount_paid: 1900,
          customer_name: 'Ada Lovelace',
          customer_email: 'ada@example.com',
          customer_address: { line1: '12 Analytical Row', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
          metadata: { userId },
        },
      },
    };
    await sql("insert into billing_events (id, type, user_id, payload, received_at) values (?, 'invoice.paid', ?, ?, ?)", [
      payload.id, userId, JSON.stringify(payload), now,
    ]);
  },
  // A hold placed and lifted a year ago: declared data of the person, which must not stop the
  // erasure and retention tests that plant it (an active hold would).
  legal_holds: async ({ sql, userId, now }) => {
    const yearAgo = new Date(now.getTime() - 365 * 24 * 60 * 60 * 1000);
    await sql("insert into legal_holds (id, user_id, reason, placed_by, placed_at, lifted_at, lifted_by) values (?, ?, 'Closed inquiry', 'ops', ?, ?, 'ops')", [
      randomUUID(), userId, yearAgo, yearAgo,
    ]);
  },
  data_requests: async ({ sql, userId, now }) => {
    await sql(
      "insert into data_requests (id, user_id, type, regime, status, received_at, due_at, completed_at, reason, message) values (?, ?, 'rectification', 'gdpr', 'completed', ?, ?, ?, 'Corrected', ?)",
      [randomUUID(), userId, now, now, now, `please correct the name of ${userId}`],
    );
  },
  notifications: async ({ sql, userId, now }) => {
    await sql(
      "insert into notifications (id, user_id, kind, title, message, data, dedup_key, created_at) values (?, ?, 'export_ready', 'Your data export is ready', 'Download it', '{}', ?, ?)",
      [randomUUID(), userId, `planted:${randomUUID()}`, now],
    );
  },
  consent_records: async ({ sql, userId, now }) => {
    await sql(
      "insert into consent_records (id, user_id, provider, action, scopes, privacy_notice_version, recorded_at) values (?, ?, 'x', 'granted', '{tweet.read}', '2026-11', ?)",
      [randomUUID(), userId, now],
    );
  },
  audit_log: async ({ target, userId }) => {
    await target.app.get(AuditService).audit(userId, 'Planted for a test', 'privacy', { note: 'planted' });
  },
};

interface ColumnInfo {
  column_name: string;
  data_type: string;
  /** For an enum column, its first label. */
  enum_label: string | null;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
}

/** The text of a planted tweet (read back through GET /api/twitter/tweets: the table holds it sealed). */
export function plantedTweetText(tweetId: string, userId: string): string {
  return `tweet ${tweetId} of ${userId}`;
}

/** One row built from the table's schema: every required column filled by its type, content columns sealed. */
async function plantFromSchema(table: PersonalDataTable, person: string, { sql, userId, now, key }: PlantingContext): Promise<void> {
  const columns = (await sql(
    `select c.column_name, c.data_type, c.is_nullable, c.column_default,
            (select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typname = c.udt_name order by e.enumsortorder limit 1) as enum_label
       from information_schema.columns c
      where c.table_schema = current_schema() and c.table_name = ? order by c.ordinal_position`,
    [table.table],
  )) as ColumnInfo[];
  const names: string[] = [];
  const values: unknown[] = [];
  for (const column of columns) {
    if (column.column_name === table.person.column) {
      names.push(column.column_name);
      values.push(person);
      continue;
    }
    if (column.is_nullable === 'YES' || column.column_default !== null) continue;
    names.push(column.column_name);
    if (column.enum_label !== null) {
      values.push(column.enum_label);
      continue;
    }
    values.push(valueOfType(column.data_type, table.erasure.action === 'delete' ? `planted ${randomUUID()} for ${userId}` : `planted ${randomUUID()}`, now));
  }
  const rowId = String(values[names.indexOf('id')]);
  for (const [index, name] of names.entries()) {
    if (table.encrypted?.includes(name)) values[index] = key.seal(table.table, name, rowId, String(values[index]));
    if (table.encryptedJson?.includes(name)) values[index] = JSON.stringify(key.seal(table.table, name, rowId, String(values[index])));
  }
  await sql(`insert into ${table.table} (${names.join(', ')}) values (${names.map(() => '?').join(', ')})`, values);
}

function valueOfType(dataType: string, text: string, now: Date): unknown {
  switch (dataType) {
    case 'uuid':
      return randomUUID();
    case 'integer':
    case 'bigint':
    case 'smallint':
    case 'numeric':
    case 'real':
    case 'double precision':
      return 1;
    case 'boolean':
      return false;
    case 'date':
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return now;
    case 'json':
    case 'jsonb':
      return JSON.stringify({ planted: text });
    case 'ARRAY':
      return '{}';
    default:
      return text;
  }
}

/** Plants one person's data in every table of the personal-data map. */
export async function plantPersonalData(target: PlantingTarget, userId: string): Promise<void> {
  const sql = (query: string, params: unknown[]) => target.em().getConnection().execute(query, params);
  const key = await target.app.get(DataKeys).forWrite(target.em(), userId);
  const context: PlantingContext = { sql, target, userId, runId: randomUUID(), now: new Date(), key };
  const pseudonym = target.app.get(Pseudonyms).of(userId);
  for (const table of target.app.get(PersonalDataMap).tables()) {
    const example = EXAMPLES[table.table];
    if (example) await example(context);
    else await plantFromSchema(table, table.person.holds === 'pseudonym' ? pseudonym : userId, context);
  }
}
