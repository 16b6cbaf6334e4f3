// Headless Debian Chromium (driven by playwright-core) against the real app listening on a real
// port, so the pages, their script and the API are exercised exactly as a browser uses them.
import { Browser, chromium, Page } from 'playwright-core';
import { AddressInfo, createServer } from 'node:net';
import { startTestApp, TestApp, TestAppOptions } from '../utils/test-app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface ServedTestApp extends TestApp {
  /** `http://127.0.0.1:<port>`, also the app's PUBLIC_BASE_URL. */
  baseUrl: string;
}

/** A port the OS considers free right now (the app's links need it before it listens). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startServedApp(options: TestAppOptions = {}): Promise<ServedTestApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const sut = await startTestApp({ ...options, env: { PUBLIC_BASE_URL: baseUrl, ...options.env } });
  await sut.app.listen(port, '127.0.0.1');
  return Object.assign(sut, { baseUrl });
}

// In-page code is written as strings: the project's TypeScript has no DOM library (it is a
// server code base), and these few expressions do not justify adding one.

/** Makes the page start with the token the host application would have stored. */
export async function storeTokenBeforeLoad(page: Page, token: string): Promise<void> {
  await page.addInitScript({ content: `sessionStorage.setItem('repazoo.token', ${JSON.stringify(token)});` });
}

export function activeElementId(page: Page): Promise<string> {
  return page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
}

export function focusIsInDialog(page: Page): Promise<boolean> {
  return page.evaluate<boolean>("Boolean(document.activeElement && document.activeElement.closest('[role=\"dialog\"]'))");
}

export function horizontalScrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth');
}

export function isInert(page: Page, selector: string): Promise<boolean> {
  return page.evaluate<boolean>(`document.querySelector(${JSON.stringify(selector)}).inert === true`);
}

/** The computed background colour of the first element matching `selector`, as [red, green, blue]. */
export function backgroundRgb(page: Page, selector: string): Promise<number[]> {
  const element = `document.querySelector(${JSON.stringify(selector)})`;
  return page.evaluate<number[]>(`getComputedStyle(${element}).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)`);
}
