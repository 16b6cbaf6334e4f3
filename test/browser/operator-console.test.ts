// The operator console (/admin/runs) in headless Chromium against the real app (PostgreSQL, Redis,
// the run events over Redis pub/sub): a flow started from the form shows up and reaches COMPLETED
// without a reload; Cancel and Retry ask first and work; schedules run on demand; a person's token
// sees "admins only" and no data; the page fits 375 px; in embedded mode it takes a pasted token.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { RunFlow, RunState, WorkflowRun } from '../../src/core/jobs/entities/workflow-run.entity';
import { PermanentJobError } from '../../src/core/jobs/job-errors';
import { JobHandlerRegistry } from '../../src/core/jobs/job-handler.registry';
import { RunsService } from '../../src/core/jobs/runs.service';
import { PAGE_CONTENT_SECURITY_POLICY } from '../../src/modules/privacy/pages/privacy-pages.controller';
import { ADMINS_ONLY_MESSAGE } from '../../src/modules/operator-console/pages/operator-console.templates';
import { horizontalScrollWidth, launchChromium, ServedTestApp, startServedApp, storeTokenBeforeLoad } from './browser-harness';

declare module '../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    'browser.flaky': { userId: string };
  }
}

const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts');
const ADMIN = 'console-operator';

describe('Operator console page (/admin/runs)', () => {
  let sut: ServedTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let flakyCalls = 0;

  beforeAll(async () => {
    sut = await startServedApp();
    await sut.resetDatabase();
    sut.app.get(JobHandlerRegistry).register('browser.flaky', async () => {
      flakyCalls += 1;
      if (flakyCalls === 1) throw new PermanentJobError('BROWSER_REFUSED', 'Refused the first time');
      return { calls: flakyCalls };
    });
    browser = await launchChromium();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  });
  afterEach(() => context.close());
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  /** Opens the console as the host application would leave it: the token in sessionStorage. */
  async function openConsole(token: string): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
    });
    await storeTokenBeforeLoad(page, token);
    const response = (await page.goto(`${sut.baseUrl}/admin/runs`))!;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).toBe(PAGE_CONTENT_SECURITY_POLICY);
    return { page, problems };
  }

  const row = (page: Page, runId: string) => page.locator(`#runs-table tr[data-run-id="${runId}"]`);

  it('should show a flow started from the form in the table and move it to COMPLETED without a reload', async () => {
    const personId = `person-${Date.now()}`;
    await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token(personId)}`);
    const { page, problems } = await openConsole(sut.token(ADMIN, { admin: true }));
    await page.locator('#live-status[data-state="live"]').waitFor();
    await page.evaluate('window.__notReloaded = true');

    await page.locator('#start-user').fill(personId);
    await page.locator('#start-job').selectOption('export.build');
    await page.getByRole('button', { name: 'Start', exact: true }).click();

    const started = page.locator('#start-alerts [data-run-id]');
    await started.waitFor();
    const runId = (await started.getAttribute('data-run-id'))!;
    await row(page, runId).waitFor();
    await page.locator(`#runs-table tr[data-run-id="${runId}"][data-state="COMPLETED"]`).waitFor({ timeout: 20_000 });
    expect(await row(page, runId).textContent()).toContain(personId);
    expect(await row(page, runId).textContent()).toContain('export.build');
    expect(await page.evaluate('window.__notReloaded === true')).toBe(true);
    const stored = await sut.em().findOneOrFail(WorkflowRun, { id: runId }, { disableIdentityMap: true });
    expect(stored).toMatchObject({ userId: personId, state: RunState.COMPLETED });

    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'operator-console-375.png'), fullPage: true });
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
    expect(problems).toEqual([]);
  });

  it('should cancel a run after a confirmation, and do nothing when the operator goes back', async () => {
    const { page } = await openConsole(sut.token(ADMIN, { admin: true }));
    await page.locator('#live-status[data-state="live"]').waitFor();
    const personId = `person-${Date.now()}`;
    const run = await sut.app.get(RunsService).startRun(RunFlow.EXPORT, 'browser.flaky', personId, { userId: personId }, { delayMs: 60_000 });
    // Arrives through the live stream.
    await row(page, run.id).waitFor();
    await row(page, run.id).getByRole('button', { name: `Details of run ${run.id}` }).click();
    await page.locator('#detail-id', { hasText: run.id }).waitFor();

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'No, go back' }).click();
    expect((await sut.em().findOneOrFail(WorkflowRun, { id: run.id }, { disableIdentityMap: true })).state).toBe(RunState.PENDING);

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.locator('#detail-alerts', { hasText: 'The run was cancelled.' }).waitFor();
    await page.locator(`#runs-table tr[data-run-id="${run.id}"][data-state="CANCELLED"]`).waitFor();
    await page.locator('#detail-logs', { hasText: 'The run was cancelled by an operator' }).waitFor();
    expect((await sut.em().findOneOrFail(WorkflowRun, { id: run.id }, { disableIdentityMap: true })).state).toBe(RunState.CANCELLED);
    expect(await page.getByRole('button', { name: 'Retry run' }).isVisible()).toBe(true);
  });

  it('should retry a failed run after a confirmation and show it complete', async () => {
    flakyCalls = 0;
    const { page, problems } = await openConsole(sut.token(ADMIN, { admin: true }));
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 5000 }).catch(async (error) => {
      throw new Error(`${error}\n${problems.join('\n')}\n${await page.locator('body').textContent()}`);
    });
    const personId = `person-${Date.now()}`;
    const run = await sut.app.get(RunsService).startRun(RunFlow.EXPORT, 'browser.flaky', personId, { userId: personId });
    await page.locator(`#runs-table tr[data-run-id="${run.id}"][data-state="FAILED"]`).waitFor();
    await row(page, run.id).getByRole('button', { name: `Details of run ${run.id}` }).click();
    await page.locator('#detail-error', { hasText: 'BROWSER_REFUSED' }).waitFor();

    await page.getByRole('button', { name: 'Retry run' }).click();
    await page.getByRole('button', { name: 'Yes, retry the run' }).click();

    await page.locator(`#runs-table tr[data-run-id="${run.id}"][data-state="COMPLETED"]`).waitFor();
    await page.locator('#detail-state', { hasText: 'COMPLETED' }).waitFor();
    expect(await page.locator('#detail-attempts').textContent()).toBe('2 of 2');
  });

  it('should list the schedules with their last run and run one now', async () => {
    const { page } = await openConsole(sut.token(ADMIN, { admin: true }));
    const schedule = page.locator('#schedules-table tr[data-job="monitoring_check"]');
    await schedule.waitFor();
    await schedule.getByRole('button', { name: 'Run monitoring_check now' }).click();
    const alert = page.locator('#schedules-alerts', { hasText: 'Started monitoring_check' });
    await alert.waitFor();
    const runId = /run ([0-9a-f-]{36})/.exec((await alert.textContent())!)![1];
    await page.locator(`#runs-table tr[data-run-id="${runId}"][data-state="COMPLETED"]`).waitFor();
    expect(await page.locator(`#runs-table tr[data-run-id="${runId}"]`).textContent()).toContain('scheduled');
  });

  it('should tell a person’s token that the page is for admins only, and show no data', async () => {
    const personId = `person-${Date.now()}`;
    await sut.app.get(RunsService).startRun(RunFlow.EXPORT, 'browser.flaky', personId, { userId: personId }, { delayMs: 60_000 });
    const { page } = await openConsole(sut.token(`not-an-admin-${Date.now()}`));

    await page.getByText(ADMINS_ONLY_MESSAGE).waitFor();
    expect(await page.locator('#console').isVisible()).toBe(false);
    expect(await page.locator('#runs-table tbody tr').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(personId);
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isVisible()).toBe(false);
  });
});

describe('Operator console page in embedded mode', () => {
  let sut: ServedTestApp;
  let browser: Browser;

  beforeAll(async () => {
    sut = await startServedApp({ mode: 'embedded' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  it('should take a pasted admin token in the "Access token" field and keep it out of the URL', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(`${sut.baseUrl}/admin/runs`);
    await page.getByText('You are not signed in').waitFor();
    const token = sut.token('embedded-operator', { admin: true });

    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Use this token' }).click();

    await page.locator('#console').waitFor();
    await page.locator('#live-status[data-state="live"]').waitFor();
    const run = await sut.app.get(RunsService).startRun(RunFlow.SCHEDULED, 'monitoring_check', null, { trigger: 'admin' }, { maxAttempts: 1 });
    await page.locator(`#runs-table tr[data-run-id="${run.id}"][data-state="COMPLETED"]`).waitFor({ timeout: 20_000 });
    expect(urls.filter((url) => url.includes(token))).toEqual([]);
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
    await context.close();
  });
});
