// /settings/privacy in headless Chromium against the real app on PostgreSQL: "Delete my data"
// really deletes (and keeps billing), Cancel and Escape do nothing, errors show, X connects and
// disconnects through a fake X, the export link arrives, and the page fits a 375 px screen.
import { sign } from 'jsonwebtoken';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { PAGE_CONTENT_SECURITY_POLICY } from '../../src/modules/privacy/pages/privacy-pages.controller';
import { FakeXServer } from '../fakes/fake-x-server';
import { plantPersonalData } from '../utils/plant-personal-data';
import {
  activeElementId,
  backgroundRgb,
  focusIsInDialog,
  horizontalScrollWidth,
  isInert,
  launchChromium,
  ServedTestApp,
  startServedApp,
  storeTokenBeforeLoad,
} from './browser-harness';

const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts');
const SUCCESS_TEXT = 'Your data has been deleted. Some billing records are retained as required by law.';
const PERSONAL_TABLES = ['support_tickets', 'twitter_data', 'analyses', 'workflow_runs', 'run_logs', 'oauth_tokens'];

describe('Privacy settings page (/settings/privacy)', () => {
  const fakeX = new FakeXServer();
  let sut: ServedTestApp;
  let browser: Browser;
  let context: BrowserContext;

  const sql = (query: string, params: unknown[] = []) => sut.em().getConnection().execute(query, params);
  const count = async (table: string, userId: string) =>
    Number((await sql(`select count(*)::int as n from ${table} where user_id = ?`, [userId]))[0].n);
  const countsOf = async (userId: string) => {
    const counts: Record<string, number> = {};
    for (const table of [...PERSONAL_TABLES, 'billing_records']) counts[table] = await count(table, userId);
    return counts;
  };

  /** Two support tickets through the API, the rest of a person's data in SQL (`plantPersonalData`). */
  async function plantTicketsAndPersonalData(userId: string): Promise<void> {
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    for (const subject of ['Billing question', 'Export question']) {
      expect((await sut.http.post('/api/support/tickets').set(auth).send({ subject, body: `About ${subject}` })).status).toBe(201);
    }
    await plantPersonalData(sut, userId);
  }

  /** Opens the page as the host application would leave it: the token in sessionStorage. */
  async function openSettings(token: string | null, query = '', inContext = context): Promise<Page> {
    const page = await inContext.newPage();
    if (token !== null) await storeTokenBeforeLoad(page, token);
    await page.goto(`${sut.baseUrl}/settings/privacy${query}`);
    return page;
  }

  const apiRequests = (page: Page, path: string): Request[] => {
    const seen: Request[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === path) seen.push(request);
    });
    return seen;
  };

  beforeAll(async () => {
    await fakeX.start();
    sut = await startServedApp({
      env: {
        TWITTER_CLIENT_ID: fakeX.clientId,
        TWITTER_CLIENT_SECRET: fakeX.clientSecret,
        TWITTER_API_BASE_URL: fakeX.baseUrl,
        TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
      },
    });
    browser = await launchChromium();
  });
  beforeEach(async () => {
    await sut.resetDatabase();
    fakeX.reset();
    context = await browser.newContext();
  });
  afterEach(() => context.close());
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
    await fakeX.stop();
  });

  describe('Delete my data', () => {
    it('should delete the person’s data after confirmation, show the loading state, keep billing records and confirm', async () => {
      const userId = 'browser-eraser';
      await plantTicketsAndPersonalData(userId);
      await plantTicketsAndPersonalData('bystander');
      expect(await countsOf(userId)).toEqual({
        support_tickets: 3, twitter_data: 2, analyses: 1, workflow_runs: 1, run_logs: 1, oauth_tokens: 1, billing_records: 1,
      });
      const bystanderBefore = await countsOf('bystander');
      const token = sut.token(userId);
      const page = await openSettings(token);
      // Hold the (real) request until the loading state has been seen, then let it through.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/privacy/delete-my-data', async (route: Route) => {
        await held;
        await route.continue();
      });

      const deleteButton = page.getByRole('button', { name: 'Delete my data (GDPR)' });
      await expect(page.locator('#delete-note').textContent()).resolves.toBe(
        'This deletes your workflows, logs, and related data. We keep limited billing records to comply with tax and accounting laws.',
      );
      await deleteButton.click();
      const dialog = page.getByRole('dialog', { name: 'Are you sure you want to delete your data?' });
      await dialog.waitFor();
      await expect(dialog.locator('p').textContent()).resolves.toBe(
        'This will delete your workflows, logs, and related data. Billing records and invoices will be kept as required by law.',
      );
      expect(await focusIsInDialog(page)).toBe(true);

      const answer = page.waitForResponse((response) => response.url().endsWith('/api/privacy/delete-my-data'));
      const request = page.waitForRequest((candidate) => candidate.url().endsWith('/api/privacy/delete-my-data'));
      await dialog.getByRole('button', { name: 'Yes, delete my data' }).click();
      expect((await request).method()).toBe('POST');
      expect((await request).headers().authorization).toBe(`Bearer ${token}`);
      const busyButton = page.locator('#delete-confirm');
      await expect(busyButton.textContent()).resolves.toBe('Deleting…');
      expect(await busyButton.isDisabled()).toBe(true);
      expect(await busyButton.getAttribute('aria-busy')).toBe('true');
      expect(await countsOf(userId)).toMatchObject({ twitter_data: 2 }); // nothing deleted before the request goes

      release();
      expect(await (await answer).json()).toEqual({
        ok: true,
        deleted: { workflows: 1, jobs: 0, logs: 1, support_tickets: 3, tokens: 1, dsar_exports: 1, tweets: 2, analyses: 1, compliance_events: 1, notifications: 1 },
      });
      const success = page.locator('#delete-alerts [role="status"]');
      await success.waitFor();
      expect(await success.textContent()).toBe(SUCCESS_TEXT);
      const [red, green] = await backgroundRgb(page, '#delete-alerts [role="status"]');
      expect(green).toBeGreaterThan(red);
      expect(await dialog.isVisible()).toBe(false);
      expect(await activeElementId(page)).toBe('delete-open');

      expect(await countsOf(userId)).toEqual({
        support_tickets: 0, twitter_data: 0, analyses: 0, workflow_runs: 0, run_logs: 0, oauth_tokens: 0, billing_records: 1,
      });
      expect(await countsOf('bystander')).toEqual(bystanderBefore);
      await page.locator('#x-status', { hasText: /^Not connected$/ }).waitFor();
    });

    it('should do nothing on Cancel: no request, every row still there, focus back on the button', async () => {
      const userId = 'browser-canceller';
      await plantTicketsAndPersonalData(userId);
      const before = await countsOf(userId);
      const page = await openSettings(sut.token(userId));
      const deletions = apiRequests(page, '/api/privacy/delete-my-data');

      await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      expect(await page.getByRole('dialog').isVisible()).toBe(false);
      expect(await activeElementId(page)).toBe('delete-open');
      await page.waitForTimeout(300);
      expect(deletions).toHaveLength(0);
      expect(await page.locator('#delete-alerts').textContent()).toBe('');
      expect(await countsOf(userId)).toEqual(before);
    });

    it('should keep the focus inside the modal on Tab and Shift+Tab, close it on Escape and return the focus', async () => {
      const userId = 'browser-keyboard';
      await plantTicketsAndPersonalData(userId);
      const page = await openSettings(sut.token(userId));
      const deletions = apiRequests(page, '/api/privacy/delete-my-data');

      await page.locator('#delete-open').focus();
      await page.keyboard.press('Enter');
      const dialog = page.locator('[role="dialog"]');
      await dialog.waitFor();
      expect(await dialog.getAttribute('aria-modal')).toBe('true');
      const titleId = await dialog.getAttribute('aria-labelledby');
      expect(await page.locator(`#${titleId}`).textContent()).toBe('Are you sure you want to delete your data?');
      expect(await isInert(page, 'main')).toBe(true);
      expect(await activeElementId(page)).toBe('delete-cancel');

      const visited: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        await page.keyboard.press('Tab');
        visited.push(await activeElementId(page));
      }
      expect(visited).toEqual(['delete-confirm', 'delete-cancel', 'delete-confirm', 'delete-cancel']);
      const visitedBackwards: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        await page.keyboard.press('Shift+Tab');
        visitedBackwards.push(await activeElementId(page));
      }
      expect(visitedBackwards).toEqual(['delete-confirm', 'delete-cancel', 'delete-confirm']);

      await page.keyboard.press('Escape');
      expect(await dialog.isVisible()).toBe(false);
      expect(await activeElementId(page)).toBe('delete-open');
      expect(await isInert(page, 'main')).toBe(false);
      expect(deletions).toHaveLength(0);
      expect(await count('twitter_data', userId)).toBe(2);
    });

    it('should show the API’s message in a red alert when the token has expired, and delete nothing', async () => {
      const userId = 'browser-expired';
      await plantTicketsAndPersonalData(userId);
      const before = await countsOf(userId);
      const expired = sign({ exp: Math.floor(Date.now() / 1000) - 60 }, sut.config.jwt.secret!, { algorithm: 'HS256', subject: userId });
      const expected = await sut.http.post('/api/privacy/delete-my-data').set('Authorization', `Bearer ${expired}`);
      expect(expected.status).toBe(401);
      const page = await openSettings(expired);

      await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
      const answer = page.waitForResponse((response) => response.url().endsWith('/api/privacy/delete-my-data'));
      await page.getByRole('button', { name: 'Yes, delete my data' }).click();
      expect((await answer).status()).toBe(401);

      const alert = page.locator('#delete-alerts [role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe(expected.body.message);
      const [red, green] = await backgroundRgb(page, '#delete-alerts [role="alert"]');
      expect(red).toBeGreaterThan(green);
      expect(await page.locator('#delete-alerts [role="status"]').count()).toBe(0);
      expect(await page.locator('#delete-confirm').isDisabled()).toBe(false);
      expect(await countsOf(userId)).toEqual(before);
    });

    it('should ask for a fresh sign-in when the sign-in is too old, delete nothing, and delete once signed in again', async () => {
      const userId = 'browser-stale-sign-in';
      await plantTicketsAndPersonalData(userId);
      const before = await countsOf(userId);
      const secret = sut.config.jwt.secret!;
      const stale = sign({ auth_time: Math.floor(Date.now() / 1000) - 30 * 60 }, secret, { algorithm: 'HS256', subject: userId, expiresIn: '1h' });
      const page = await openSettings(stale);
      expect(await page.locator('#delete-reauth-note').textContent()).toContain('needs a sign-in from the last 10 minutes');

      await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
      const refused = page.waitForResponse((response) => response.url().endsWith('/api/privacy/delete-my-data'));
      await page.getByRole('button', { name: 'Yes, delete my data' }).click();
      expect((await refused).status()).toBe(401);
      const alert = page.locator('#delete-alerts [role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('Nothing was deleted: deleting your data needs a recent sign-in, and yours is too old. Sign in again, then come back and try again.');
      expect(await countsOf(userId)).toEqual(before);

      // The host application signs the person in again: a fresh token in sessionStorage.
      await page.evaluate(`sessionStorage.setItem('repazoo.token', ${JSON.stringify(sut.token(userId))})`);
      await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
      const accepted = page.waitForResponse((response) => response.url().endsWith('/api/privacy/delete-my-data'));
      await page.getByRole('button', { name: 'Yes, delete my data' }).click();
      expect((await accepted).status()).toBe(200);
      await page.locator('#delete-alerts [role="status"]').waitFor();
      expect(await count('twitter_data', userId)).toBe(0);
    });

    it('should say so in a red alert when the server cannot be reached', async () => {
      const page = await openSettings(sut.token('browser-offline'));
      await page.route('**/api/privacy/delete-my-data', (route) => route.abort('connectionfailed'));

      await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
      await page.getByRole('button', { name: 'Yes, delete my data' }).click();

      const alert = page.locator('#delete-alerts [role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('Could not reach the server. Check your connection and try again.');
    });
  });

  describe('Connection with X', () => {
    it('should connect through X’s consent screen, show the dates, and disconnect', async () => {
      const userId = 'browser-connector';
      const page = await openSettings(sut.token(userId));
      await page.locator('#x-status', { hasText: /^Not connected$/ }).waitFor();
      fakeX.setAuthorizationDecision({ id: '2244994945', username: 'jane_doe' });

      await Promise.all([
        page.waitForURL(`${sut.baseUrl}/settings/privacy`),
        page.getByRole('button', { name: 'Connect X account', exact: true }).click(),
      ]);

      await expect(page.locator('#page-alerts [role="status"]').textContent()).resolves.toBe('Your X account is connected.');
      await page.locator('#x-status', { hasText: /^Connected$/ }).waitFor();
      const consent = (await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token(userId)}`)).body;
      expect(consent.twitter.connected).toBe(true);
      expect(await page.locator('#x-granted time').getAttribute('datetime')).toBe(consent.twitter.grantedAt);
      expect(await page.locator('#x-expires time').getAttribute('datetime')).toBe(consent.twitter.expiresAt);
      expect(await page.getByRole('button', { name: 'Connect X account', exact: true }).isVisible()).toBe(false);

      await page.getByRole('button', { name: 'Disconnect X account' }).click();
      await page.locator('#x-status', { hasText: /^Not connected/ }).waitFor();
      expect(await page.locator('#x-alerts [role="status"]').textContent()).toContain('disconnected');
      const tokens = await sql('select revoked_at from oauth_tokens where user_id = ?', [userId]);
      expect(tokens.map((row) => row.revoked_at !== null)).toEqual([true]);
      expect(fakeX.counters.revokeCalls).toBeGreaterThan(0);
    });

    it('should show the refusal the OAuth callback reports in ?error=', async () => {
      const page = await openSettings(sut.token('browser-refused'), '?error=ACCESS_DENIED');
      const alert = page.locator('#page-alerts [role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('You did not allow access on X, so your account was not connected.');
      expect(new URL(page.url()).search).toBe('');

      const unknown = await openSettings(sut.token('browser-refused'), '?error=%3Cimg%20src%3Dx%3E');
      expect(await unknown.locator('#page-alerts [role="alert"]').textContent()).toBe('Connecting your X account failed (<img src=x>).');
      expect(await unknown.locator('#page-alerts img').count()).toBe(0);
    });
  });

  it('should build an export and show its download link when it is ready', async () => {
    const userId = 'browser-exporter';
    await plantTicketsAndPersonalData(userId);
    const page = await openSettings(sut.token(userId));

    await page.getByRole('button', { name: 'Download my data' }).click();
    const link = page.getByRole('link', { name: 'Download your data (JSON)' });
    await link.waitFor({ timeout: 30_000 });

    const href = (await link.getAttribute('href'))!;
    expect(href.startsWith(`${sut.baseUrl}/api/privacy/exports/`)).toBe(true);
    const download = await fetch(href);
    expect(download.status).toBe(200);
    const document = (await download.json()) as { user: { id: string }; billingRecords: unknown[]; supportTickets: unknown[] };
    expect(document.user.id).toBe(userId);
    expect(document.supportTickets).toHaveLength(3); // two through the API, one planted
    expect(await page.locator('#export-status').textContent()).toMatch(/^Your export is ready\. The link works until .+ UTC\.$/);
  });

  it('should say when no token is available, and fail the API calls with that message', async () => {
    const page = await openSettings(null);
    expect(await page.locator('#token-missing').isVisible()).toBe(true);
    expect(await page.getByLabel('Access token').count()).toBe(0); // server mode: the host application signs in
    await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
    await page.getByRole('button', { name: 'Yes, delete my data' }).click();
    const alert = page.locator('#delete-alerts [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('You are not signed in');
  });

  it('should show unread notices at the top of the page and mark one read', async () => {
    const userId = 'browser-notices';
    await plantPersonalData(sut, userId); // leaves one unread notice
    await sql(
      "insert into notifications (id, user_id, kind, title, message, data, dedup_key, created_at, read_at) values (gen_random_uuid(), ?, 'consent_expiring', 'Your consent expires in 7 days', 'Reconnect to renew it.', '{}', 'browser:1', now() + interval '1 second', null), (gen_random_uuid(), ?, 'consent_expired', 'Already read', 'Old news.', '{}', 'browser:2', now(), now())",
      [userId, userId],
    );
    const page = await openSettings(sut.token(userId));
    const items = page.locator('#notices-list li');
    await items.nth(1).waitFor();
    expect(await items.locator('strong').allTextContents()).toEqual(['Your consent expires in 7 days', 'Your data export is ready']);
    // At the top: right after the sign-in parts, before the X connection and the rest.
    expect(await page.evaluate<string | null | undefined>(`document.getElementById('notices').nextElementSibling?.getAttribute('aria-labelledby')`)).toBe('x-heading');

    const markRead = apiRequests(page, '/api/notifications/' + String((await sql("select id from notifications where dedup_key = 'browser:1'"))[0].id) + '/read');
    await items.first().getByRole('button', { name: 'Mark as read' }).click();
    await page.locator('#notices-list li').nth(1).waitFor({ state: 'detached' });
    expect(markRead.map((request) => request.method())).toEqual(['POST']);
    expect((await sql("select read_at from notifications where dedup_key = 'browser:1'"))[0].read_at).not.toBeNull();

    await page.reload();
    await page.locator('#notices-list li').first().waitFor();
    await page.locator('#notices-list li').getByRole('button', { name: 'Mark as read' }).click();
    await page.locator('#notices').waitFor({ state: 'hidden' });
  });

  it('should serve a strict Content-Security-Policy that blocks inline scripts, and no inline script of its own', async () => {
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    const response = (await page.goto(`${sut.baseUrl}/settings/privacy`))!;
    const policy = response.headers()['content-security-policy'];
    expect(policy).toBe(PAGE_CONTENT_SECURITY_POLICY);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(await page.locator('script:not([src])').count()).toBe(0);
    await page.locator('#x-status', { hasText: 'not signed in' }).waitFor(); // the script file ran
    expect(violations).toEqual([]);

    const injected = await page.evaluate<boolean>(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
      return window.injected === true;
    })()`);
    expect(injected).toBe(false);
  });

  it('should fit a 375 px wide screen without horizontal scrolling, modal included', async () => {
    const userId = 'browser-mobile';
    const mobile = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const page = await openSettings(sut.token(userId), '?error=ACCESS_DENIED', mobile);
      await page.locator('#x-status', { hasText: /^Not connected$/ }).waitFor();
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'privacy-settings-375.png'), fullPage: true });
      expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);

      await page.getByRole('button', { name: 'Delete my data (GDPR)' }).click();
      const box = (await page.getByRole('dialog').boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(375);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'privacy-settings-375-modal.png') });
      expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
    } finally {
      await mobile.close();
    }
  });
});
