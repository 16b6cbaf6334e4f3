// /privacy and /data-requests in headless Chromium, and /settings/privacy in embedded mode, where
// the page offers an "Access token" field because there is no host application to sign in with.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext } from 'playwright-core';
import { PersonalDataMap } from '../../src/core/personal-data';
import { RETENTION_DAYS, retentionCategoriesOf } from '../../src/modules/retention/retention-policy';
import { horizontalScrollWidth, launchChromium, ServedTestApp, startServedApp } from './browser-harness';

const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts');

describe('Privacy notice and data requests pages', () => {
  let sut: ServedTestApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    sut = await startServedApp({
      env: { CONTROLLER_NAME: 'Example Controller GmbH', PRIVACY_CONTACT_EMAIL: 'privacy@controller.example', SECURITY_CONTACT_EMAIL: 'security@controller.example' },
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

  it('should render the retention table of /privacy from the personal-data map and RETENTION_DAYS', async () => {
    const page = await context.newPage();
    const response = (await page.goto(`${sut.baseUrl}/privacy`))!;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers()['content-security-policy']).toContain("script-src 'self'");

    const section = page.getByRole('region', { name: 'Data Retention & Deletion' });
    await section.waitFor();
    const rows: (string | null)[][] = [];
    for (const row of await section.locator('tbody tr').all()) {
      const cells = row.locator('td');
      rows.push([await row.getAttribute('data-category'), await cells.nth(0).textContent(), await cells.nth(2).getAttribute('data-days')]);
    }
    expect(rows).toEqual(
      retentionCategoriesOf(sut.app.get(PersonalDataMap).tables()).map(({ category, description }) => [
        category,
        description,
        String(RETENTION_DAYS[category]),
      ]),
    );
    expect(await section.locator('tr[data-category="logs"] td:last-child').textContent()).toContain(`${RETENTION_DAYS.logs} days`);
    const text = (await section.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('Operational logs and other working data are deleted automatically');
    expect(text).toContain('You can delete your data at any time');
    expect(text).toContain('Some billing records (invoices and charges) are kept for legal and tax reasons');
    expect(await section.getByRole('link', { name: 'delete my data in your privacy settings' }).getAttribute('href')).toBe('/settings/privacy');
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'privacy-notice-375.png'), fullPage: true });
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
  });

  it('should list every table of the personal-data map on /privacy with its purpose, legal basis, recipients and period', async () => {
    const page = await context.newPage();
    await page.goto(`${sut.baseUrl}/privacy`);
    const section = page.getByRole('region', { name: 'What we process and why' });
    await section.waitFor();
    const tables = sut.app.get(PersonalDataMap).tables();
    expect(await section.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-table')))).toEqual(
      tables.map((table) => table.table),
    );
    const logs = section.locator('tr[data-table="run_logs"] td');
    expect(await logs.nth(1).textContent()).toBe(tables.find((table) => table.table === 'run_logs')!.purpose);
    expect(await logs.nth(2).textContent()).toBe('Art. 6(1)(f) legitimate interests');
    expect(await logs.nth(3).textContent()).toBe('No one outside this service');
    expect(await logs.nth(4).textContent()).toContain(`${RETENTION_DAYS.logs} days`);
    // Recipients come from the declarations too (GDPR Art. 13(1)(e)).
    expect(await section.locator('tr[data-table="oauth_tokens"] td').nth(3).textContent()).toBe('X (Twitter)');
    expect(await section.locator('tr[data-table="consent_records"] td').nth(5).textContent()).toContain('GDPR Art. 7(1)');
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
  });

  it('should explain the daily automated cleanup on /data-requests and link the self-service button', async () => {
    const page = await context.newPage();
    await page.goto(`${sut.baseUrl}/data-requests`);

    const text = (await page.locator('main').textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('An automated cleanup runs daily at 03:00 UTC, following our retention policy');
    expect(text).toContain('“Delete my data (GDPR)”');
    await page.getByRole('link', { name: 'Go to privacy settings' }).click();
    await page.waitForURL(`${sut.baseUrl}/settings/privacy`);
    await page.getByRole('button', { name: 'Delete my data (GDPR)' }).waitFor();
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
  });

  it('should give /privacy the sections a privacy notice needs: controller and contacts, rights, California, cookies', async () => {
    const page = await context.newPage();
    await page.goto(`${sut.baseUrl}/privacy`);
    const headings = await page.locator('main h2').allTextContents();
    expect(headings).toEqual(expect.arrayContaining(['Who is responsible', 'Data Retention & Deletion', 'Your rights and how to use them', 'California residents', 'Cookies and storage in your browser']));

    const controller = page.getByRole('region', { name: 'Who is responsible' });
    expect((await controller.textContent())!.replace(/\s+/g, ' ')).toContain('Example Controller GmbH is the controller');
    expect(await controller.getByRole('link', { name: 'privacy@controller.example' }).getAttribute('href')).toBe('mailto:privacy@controller.example');
    expect(await controller.getByRole('link', { name: 'security@controller.example' }).getAttribute('href')).toBe('mailto:security@controller.example');
    const rights = (await page.getByRole('region', { name: 'Your rights and how to use them' }).textContent())!.replace(/\s+/g, ' ');
    for (const right of ['Access and portability', 'Erasure', 'Rectification, restriction and objection', 'Withdrawing consent', 'Complaint']) expect(rights).toContain(right);
    expect(rights).toContain('it needs a sign-in from the last 10 minutes');
    const california = (await page.getByRole('region', { name: 'California residents' }).textContent())!.replace(/\s+/g, ' ');
    expect(california).toContain('We do not sell your personal information, and we do not share it');
    const cookies = (await page.getByRole('region', { name: 'Cookies and storage in your browser' }).textContent())!.replace(/\s+/g, ' ');
    expect(cookies).toContain('repazoo_x_oauth');
    expect(cookies).toContain('no advertising or analytics cookies');
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
  });

  it('should serve /terms with the configured controller and contacts, linked from every page, at 375 px', async () => {
    const page = await context.newPage();
    await page.goto(`${sut.baseUrl}/privacy`);
    await page.getByRole('navigation', { name: 'Privacy' }).getByRole('link', { name: 'Terms' }).click();
    await page.waitForURL(`${sut.baseUrl}/terms`);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Terms of service');
    const headings = await page.locator('main h2').allTextContents();
    expect(headings).toEqual(['The service', 'Your account and your consent', 'Acceptable use', 'Plans and billing', 'Your data', 'Ending, changes and liability', 'Contact']);
    expect((await page.locator('main').textContent())!.replace(/\s+/g, ' ')).toContain('between you and Example Controller GmbH');
    const contact = page.getByRole('region', { name: 'Contact' });
    expect(await contact.getByRole('link', { name: 'privacy@controller.example' }).getAttribute('href')).toBe('mailto:privacy@controller.example');
    expect(await contact.getByRole('link', { name: 'security@controller.example' }).getAttribute('href')).toBe('mailto:security@controller.example');
    expect(await horizontalScrollWidth(page)).toBeLessThanOrEqual(375);
  });
});

describe('Privacy settings page in embedded mode', () => {
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

  it('should offer an "Access token" field that keeps the pasted token in sessionStorage and uses it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${sut.baseUrl}/settings/privacy`);
      await page.locator('#x-status', { hasText: 'not signed in' }).waitFor();
      expect(await page.locator('#token-missing').isVisible()).toBe(true);

      const token = sut.token('embedded-user');
      await page.getByLabel('Access token').fill(token);
      await page.getByRole('button', { name: 'Use this token' }).click();

      await page.locator('#x-status', { hasText: /^Not connected$/ }).waitFor();
      expect(await page.locator('#page-alerts [role="status"]').textContent()).toBe('Token saved for this browser tab.');
      expect(await page.evaluate<string | null>("sessionStorage.getItem('repazoo.token')")).toBe(token);
      expect(await page.getByLabel('Access token').inputValue()).toBe('');
      expect(await page.locator('#token-missing').isVisible()).toBe(false);

      // The token outlives a reload of the tab, and the API calls carry it.
      const consentCall = page.waitForRequest((request) => request.url().endsWith('/api/consent'));
      await page.reload();
      expect((await consentCall).headers().authorization).toBe(`Bearer ${token}`);
      await page.locator('#x-status', { hasText: /^Not connected$/ }).waitFor();
    } finally {
      await context.close();
    }
  });
});
