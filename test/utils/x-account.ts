// Test helpers for flows that start from a connected X account: tokens issued by the fake X server
// are sealed into oauth_tokens through the app's own vault (as the OAuth callback would), with a
// subscription, so ingestion and analysis tests need not replay the consent dance each time.
import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowRun } from '../../src/core/jobs/entities/workflow-run.entity';
import { RunExecutor } from '../../src/core/jobs/run-executor';
import { ConsentRepository } from '../../src/modules/consent/consent.repository';
import { TokenVaultService } from '../../src/modules/consent/token-vault.service';
import { FakeXServer } from '../fakes/fake-x-server';
import { TestApp } from './test-app';

export interface ConnectedAccount {
  userId: string;
  xUserId: string;
  accessToken: string;
  refreshToken: string | undefined;
}

export interface ConnectOptions {
  userId?: string;
  xUserId?: string;
  tier?: 'basic' | 'pro';
  /** Stripe's subscription status; `null` for no subscription at all. */
  subscriptionStatus?: string | null;
}

export async function connectXAccount(testApp: TestApp, fakeX: FakeXServer, options: ConnectOptions = {}): Promise<ConnectedAccount> {
  const userId = options.userId ?? `user-${randomUUID()}`;
  const xUserId = options.xUserId ?? String(randomInt(100_000_000, 999_999_999));
  const issued = fakeX.issueTokens({ userId: xUserId, username: `x_${xUserId}` });
  const vault = testApp.app.get(TokenVaultService, { strict: false });
  const repository = testApp.app.get(ConsentRepository, { strict: false });
  const now = new Date();
  await testApp.em().transactional((em) =>
    repository.upsertToken(em, {
      userId,
      providerUserId: xUserId,
      ...vault.seal(userId, { accessToken: issued.access_token, refreshToken: issued.refresh_token }),
      scopes: issued.scope.split(' '),
      accessTokenExpiresAt: new Date(now.getTime() + issued.expires_in * 1000),
      grantedAt: now,
    }),
  );
  const status = options.subscriptionStatus === undefined ? 'active' : options.subscriptionStatus;
  if (status !== null) {
    await testApp
      .em()
      .getConnection()
      .execute(
        'insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
        [randomUUID(), userId, `sub_${randomUUID()}`, options.tier ?? 'basic', status, now, now],
      );
  }
  return { userId, xUserId, accessToken: issued.access_token, refreshToken: issued.refresh_token };
}

export const FINISHED_STATES = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Polls the run's row until `predicate` holds (by default: it finished). */
export async function waitForRun(
  testApp: TestApp,
  runId: string,
  predicate: (run: WorkflowRun) => boolean = (run) => FINISHED_STATES.includes(run.state),
  timeoutMs = 30_000,
): Promise<WorkflowRun> {
  const deadline = Date.now() + timeoutMs;
  let last: WorkflowRun | null = null;
  while (Date.now() < deadline) {
    last = await testApp.em().findOne(WorkflowRun, { id: runId }, { disableIdentityMap: true });
    if (last && predicate(last)) return last;
    await sleep(100);
  }
  throw new Error(`run ${runId} did not reach the expected state in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

/** Polls `condition` (which may query the database or Redis) until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not so after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Waits until this app's worker executes no run: for runs whose row is gone (erased) and cannot be polled. */
export function waitForIdleWorker(testApp: TestApp): Promise<void> {
  const executor = testApp.app.get(RunExecutor, { strict: false });
  return waitUntil('the worker is idle', () => executor.activeCount === 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
