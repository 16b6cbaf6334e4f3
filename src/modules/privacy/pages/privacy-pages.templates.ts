// The three privacy pages, rendered on the server from constants (the retention table, the cleanup
// schedule) so that what a person reads cannot drift from what the code does.
import { RETENTION_CATEGORIES, RETENTION_DAYS, SOFT_DELETE_GRACE_DAYS } from '../../retention/retention-policy';
import { RETENTION_CRON } from '../../retention/retention.scheduler';
import { html, SafeHtml } from './html';

export const PRIVACY_ASSET_PATHS = {
  stylesheet: '/assets/privacy/privacy.css',
  settingsScript: '/assets/privacy/privacy-settings.js',
} as const;

export const DELETE_BUTTON_LABEL = 'Delete my data (GDPR)';

interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Rendered after <main>, so that <main> can be made inert while a dialog is open. */
  overlay?: SafeHtml;
  script?: string;
}

function layout({ title, body, overlay, script }: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Repazoo</title>
<link rel="stylesheet" href="${PRIVACY_ASSET_PATHS.stylesheet}">
${script ? html`<script src="${script}" defer></script>` : null}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<span class="brand">Repazoo</span>
<nav aria-label="Privacy">
<a href="/settings/privacy">Privacy settings</a>
<a href="/privacy">Privacy notice</a>
<a href="/data-requests">Data requests</a>
</nav>
</header>
<main id="main" class="page" tabindex="-1">
${body}
</main>
${overlay}
</body>
</html>
`.value;
}

/** "daily at 03:00 UTC" for a plain daily cron expression; the raw expression otherwise. */
export function describeDailySchedule(cron: string): string {
  const match = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(cron.trim());
  if (!match) return `on the schedule "${cron}" (UTC)`;
  const [, minute, hour] = match;
  return `daily at ${hour.padStart(2, '0')}:${minute.padStart(2, '0')} UTC`;
}

function retentionPeriod(days: number): string {
  if (days === 0) return 'Until the next daily cleanup';
  return days === 1 ? '1 day' : `${days} days`;
}

export function renderRetentionTable(): SafeHtml {
  const rows = RETENTION_CATEGORIES.map(({ category, description }) => {
    const days = RETENTION_DAYS[category];
    return html`<tr data-category="${category}">
<td>${description}</td>
<td><code>${category}</code></td>
<td data-days="${days}">${retentionPeriod(days)}</td>
</tr>`;
  });
  return html`<div class="table-wrap">
<table class="retention-table">
<caption>How long each kind of operational data is kept</caption>
<thead><tr><th scope="col">Data</th><th scope="col">Category</th><th scope="col">Kept for</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>`;
}

export function renderPrivacyNotice(): string {
  const body = html`<h1>Privacy notice</h1>
<section aria-labelledby="retention-heading" class="card">
<h2 id="retention-heading">Data Retention &amp; Deletion</h2>
<p>Operational logs and other working data are deleted automatically once their retention period
is over. The cleanup runs ${describeDailySchedule(RETENTION_CRON)}. Most data is first marked as
deleted and then erased for good ${SOFT_DELETE_GRACE_DAYS} days later.</p>
${renderRetentionTable()}
<p>You can delete your data at any time, without waiting for these periods:
<a href="/settings/privacy">delete my data in your privacy settings</a>. Deletion on request is
immediate and final.</p>
<p>Some billing records (invoices and charges) are kept for legal and tax reasons, as accounting
law requires. They are never deleted by the automatic cleanup or by a deletion request.</p>
</section>`;
  return layout({ title: 'Privacy notice', body });
}

export function renderDataRequests(): string {
  const body = html`<h1>Data requests</h1>
<section aria-labelledby="automated-heading" class="card">
<h2 id="automated-heading">Automated cleanup</h2>
<p>An automated cleanup runs ${describeDailySchedule(RETENTION_CRON)}, following our retention policy:
every kind of data is deleted once its retention period is over
(<a href="/privacy">see the periods in the privacy notice</a>).</p>
</section>
<section aria-labelledby="self-service-heading" class="card">
<h2 id="self-service-heading">Delete or export your data yourself</h2>
<p>Under your account settings you will find the self-service button
“${DELETE_BUTTON_LABEL}”, which deletes your workflows, logs and related data at once, and
“Download my data”, which gives you a copy of everything we hold about you.</p>
<p><a class="button-link" href="/settings/privacy">Go to privacy settings</a></p>
</section>`;
  return layout({ title: 'Data requests', body });
}

export interface SettingsPageOptions {
  /** Embedded mode has no host application to sign in with: offer a field to paste a token. */
  offerTokenField: boolean;
}

export function renderPrivacySettings({ offerTokenField }: SettingsPageOptions): string {
  const tokenSection = offerTokenField
    ? html`<section aria-labelledby="token-heading" class="card">
<h2 id="token-heading">Sign in with a token</h2>
<p class="note">This server runs in embedded mode. Paste a token minted with
<code>npm run cli -- token --user &lt;id&gt;</code>. It is kept in this browser tab only.</p>
<form id="token-form" class="token-form">
<label for="access-token">Access token</label>
<input id="access-token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Use this token</button>
</form>
</section>`
    : null;

  const body = html`<h1>Privacy settings</h1>
<div id="page-alerts" class="alerts"></div>
<p id="token-missing" class="notice" hidden>You are not signed in: no access token was found for this page.</p>
${tokenSection}
<section id="notices" aria-labelledby="notices-heading" class="card notices" hidden>
<h2 id="notices-heading">Notices for you</h2>
<ul id="notices-list" class="notices-list"></ul>
<div id="notices-alerts" class="alerts"></div>
</section>
<section aria-labelledby="x-heading" class="card">
<h2 id="x-heading">Connection with X</h2>
<dl class="facts">
<div><dt>Status</dt><dd id="x-status">Unknown</dd></div>
<div><dt>Granted</dt><dd id="x-granted">–</dd></div>
<div><dt>Expires</dt><dd id="x-expires">–</dd></div>
</dl>
<div class="actions">
<button type="button" id="x-connect">Connect X account</button>
<button type="button" id="x-disconnect" hidden>Disconnect X account</button>
</div>
<div id="x-alerts" class="alerts"></div>
</section>
<section aria-labelledby="export-heading" class="card">
<h2 id="export-heading">Your data</h2>
<p class="note">Get a copy of everything we hold about you, as one JSON file. The download link is valid for 24 hours.</p>
<div class="actions"><button type="button" id="export-start">Download my data</button></div>
<p id="export-status" class="note" role="status"></p>
<p id="export-ready" hidden><a id="export-link" href="#" download>Download your data (JSON)</a></p>
<div id="export-alerts" class="alerts"></div>
</section>
<section aria-labelledby="privacy-heading" class="card">
<h2 id="privacy-heading">Privacy</h2>
<div class="actions">
<button type="button" id="delete-open" class="danger" aria-haspopup="dialog" aria-describedby="delete-note">${DELETE_BUTTON_LABEL}</button>
</div>
<p id="delete-note" class="note">This deletes your workflows, logs, and related data. We keep limited billing records to comply with tax and accounting laws.</p>
<div id="delete-alerts" class="alerts"></div>
</section>`;

  const overlay = html`<div id="delete-dialog" class="modal-backdrop" hidden>
<div class="modal" role="dialog" tabindex="-1" aria-modal="true" aria-labelledby="delete-dialog-title" aria-describedby="delete-dialog-text">
<h2 id="delete-dialog-title">Are you sure you want to delete your data?</h2>
<p id="delete-dialog-text">This will delete your workflows, logs, and related data. Billing records and invoices will be kept as required by law.</p>
<div class="actions">
<button type="button" id="delete-confirm" class="danger">Yes, delete my data</button>
<button type="button" id="delete-cancel">Cancel</button>
</div>
</div>
</div>`;
  return layout({ title: 'Privacy settings', body, overlay, script: PRIVACY_ASSET_PATHS.settingsScript });
}
