// A person's data written straight to the database, as ingestion, analysis, the X connection and
// Stripe would have left it: a completed run with its log, two tweets (ids 101 and 102), an
// analysis, a sealed X token, an invoice, an active subscription and a notice. For the export,
// delete-my-data and privacy page tests, which then check what is exported, deleted and kept.
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';

export const PLANTED_TWEET_IDS = ['101', '102'] as const;

export async function plantPersonalData(em: EntityManager, userId: string): Promise<void> {
  const sql = (query: string, params: unknown[]) => em.getConnection().execute(query, params);
  const now = new Date();
  await sql('insert into users (id, created_at, last_seen_at) values (?, ?, ?) on conflict do nothing', [userId, now, now]);
  const runId = randomUUID();
  await sql(
    "insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, created_at, updated_at) values (?, ?, 'ingestion', 'twitter.ingest', 'COMPLETED', 1, 5, ?, ?)",
    [runId, userId, now, now],
  );
  await sql("insert into run_logs (run_id, user_id, level, message, created_at) values (?, ?, 'info', 'fetched 2 tweets', ?)", [runId, userId, now]);
  for (const tweetId of PLANTED_TWEET_IDS) {
    await sql('insert into twitter_data (id, user_id, tweet_id, text, tweet_created_at, fetched_at, run_id) values (?, ?, ?, ?, ?, ?, ?)', [
      randomUUID(), userId, tweetId, `tweet ${tweetId} of ${userId}`, now, now, runId,
    ]);
  }
  await sql(
    "insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at) values (?, ?, ?, 'local', 'lexicon', 'positive', 0.5, 'upbeat', 2, '[]', ?)",
    [randomUUID(), userId, runId, now],
  );
  await sql(
    "insert into oauth_tokens (id, user_id, provider, provider_user_id, access_token_ciphertext, refresh_token_ciphertext, key_id, scopes, access_token_expires_at, granted_at, created_at, updated_at) values (?, ?, 'x', '42', 'v1:sealed-access', 'v1:sealed-refresh', 'test1', '{tweet.read}', ?, ?, ?, ?)",
    [randomUUID(), userId, now, now, now, now],
  );
  await sql(
    "insert into billing_records (id, user_id, kind, stripe_object_id, amount_cents, currency, status, occurred_at, created_at) values (?, ?, 'invoice', ?, 1900, 'eur', 'paid', ?, ?)",
    [randomUUID(), userId, `in_${randomUUID()}`, now, now],
  );
  await sql(
    "insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at) values (?, ?, ?, 'pro', 'active', ?, ?)",
    [randomUUID(), userId, `sub_${randomUUID()}`, now, now],
  );
  // Notices to the person (issue 21).
  await sql(
    "insert into notifications (id, user_id, kind, title, message, data, dedup_key, created_at) values (?, ?, 'export_ready', 'Your data export is ready', 'Download it', '{}', ?, ?)",
    [randomUUID(), userId, `planted:${randomUUID()}`, now],
  );
}
