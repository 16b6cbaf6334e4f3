// The one HTML shell every server-rendered page uses (the privacy pages and the operator console):
// the head with this origin's stylesheets and deferred scripts, the skip link, the header, <main>.
// Deferred scripts run in document order, so the shared API client always loads before a page's
// own script.
import { html, SafeHtml } from './html';

export const SHARED_ASSET_PATHS = {
  stylesheet: '/assets/privacy/privacy.css',
  /** window.RepazooApi: the bearer token and the JSON call both pages' scripts use. */
  apiClient: '/assets/shared/api-client.js',
} as const;

export interface PageLayout {
  /** The <title>, before " · Repazoo". */
  title: string;
  /** What the header shows after the brand (navigation, a live status). */
  header: SafeHtml;
  brand?: string;
  body: SafeHtml;
  /** Rendered after <main>, so that <main> can be made inert while a dialog is open. */
  overlay?: SafeHtml;
  /** Extra stylesheets after the shared one. */
  stylesheets?: readonly string[];
  /** The page's own script; pages with a script also get the shared API client before it. */
  script?: string;
}

export function renderPage({ title, header, brand = 'Repazoo', body, overlay, stylesheets = [], script }: PageLayout): string {
  const scripts = script ? [SHARED_ASSET_PATHS.apiClient, script] : [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Repazoo</title>
${[SHARED_ASSET_PATHS.stylesheet, ...stylesheets].map((href) => html`<link rel="stylesheet" href="${href}">\n`)}${scripts.map((src) => html`<script src="${src}" defer></script>\n`)}</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<span class="brand">${brand}</span>
${header}
</header>
<main id="main" class="page" tabindex="-1">
${body}
</main>
${overlay}
</body>
</html>
`.value;
}
