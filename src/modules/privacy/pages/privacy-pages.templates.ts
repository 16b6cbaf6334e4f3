// The three privacy pages, rendered on the server from the personal-data map (through the record
// of processing and the retention categories derived from it) and the cleanup schedule, so that
// what a person reads cannot drift from what the code does.
import { RETENTION_DAYS, RetentionCategoryDefinition, SOFT_DELETE_GRACE_DAYS } from '../../retention/retention-policy';
import { RETENTION_CRON } from '../../retention/retention.scheduler';
import { describeRetention, ProcessingActivity } from '../records-of-processing';
import { html, SafeHtml } from './html';
import { PageLayout, renderPage, SHARED_ASSET_PATHS } from './page-layout';

export const PRIVACY_ASSET_PATHS = {
  stylesheet: SHARED_ASSET_PATHS.stylesheet,
  settingsScript: '/assets/privacy/privacy-settings.js',
} as const;

export const DELETE_BUTTON_LABEL = 'Delete my data (GDPR)';

const PRIVACY_NAVIGATION = html`<nav aria-label="Privacy">
<a href="/settings/privacy">Privacy settings</a>
<a href="/privacy">Privacy notice</a>
<a href="/data-requests">Data requests</a>
<a href="/terms">Terms</a>
</nav>`;

function layout(page: Pick<PageLayout, 'title' | 'body' | 'overlay' | 'script'>): string {
  return renderPage({ ...page, header: PRIVACY_NAVIGATION });
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

export function renderRetentionTable(categories: readonly RetentionCategoryDefinition[]): SafeHtml {
  const rows = categories.map(({ category, description }) => {
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

/** Who the controller is and how to reach them (GDPR Art. 13(1)(a)): from configuration. */
export interface LegalContacts {
  controllerName: string;
  privacyContact: string;
  securityContact: string;
}

const mailto = (address: string) => html`<a href="mailto:${address}">${address}</a>`;

/** What is held about a person, why, on which basis and for how long: one row per declared table. */
export function renderProcessingTable(activities: readonly ProcessingActivity[]): SafeHtml {
  const rows = activities.map(
    (activity) => html`<tr data-table="${activity.table}">
<td>${activity.dataCategory}</td>
<td>${activity.purpose}</td>
<td>${activity.legalBasis}</td>
<td>${activity.recipients.length > 0 ? activity.recipients.join(', ') : 'No one outside this service'}</td>
<td>${describeRetention(activity)}</td>
<td>${activity.erasure === 'delete' ? 'Deleted' : `${activity.erasure === 'keep' ? 'Kept' : 'Pseudonymised'}: ${activity.erasureReason ?? ''}`}</td>
</tr>`,
  );
  return html`<div class="table-wrap">
<table class="processing-table">
<caption>What we hold about you, why, and for how long</caption>
<thead><tr><th scope="col">Data</th><th scope="col">Purpose</th><th scope="col">Legal basis (GDPR Art. 6)</th><th scope="col">Shared with</th><th scope="col">Kept for</th><th scope="col">When you delete your data</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>`;
}

export interface PrivacyNoticeContent {
  /** The retention categories derived from the personal-data map. */
  categories: readonly RetentionCategoryDefinition[];
  /** The record of processing's activities, one per declared table. */
  activities: readonly ProcessingActivity[];
  legal: LegalContacts;
  /** REAUTH_MAX_AGE_SECONDS, which the erasure right's description names. */
  recentSignInSeconds: number;
}

export function renderPrivacyNotice({ categories, activities, legal, recentSignInSeconds }: PrivacyNoticeContent): string {
  const body = html`<h1>Privacy notice</h1>
<section aria-labelledby="controller-heading" class="card">
<h2 id="controller-heading">Who is responsible</h2>
<p>${legal.controllerName} is the controller of your personal data in this service. Write to
${mailto(legal.privacyContact)} about your data and your rights, and to
${mailto(legal.securityContact)} to report a security problem.</p>
</section>
<section aria-labelledby="processing-heading" class="card">
<h2 id="processing-heading">What we process and why</h2>
${renderProcessingTable(activities)}
</section>
<section aria-labelledby="retention-heading" class="card">
<h2 id="retention-heading">Data Retention &amp; Deletion</h2>
<p>Operational logs and other working data are deleted automatically once their retention period
is over. The cleanup runs ${describeDailySchedule(RETENTION_CRON)}. Most data is first marked as
deleted and then erased for good ${SOFT_DELETE_GRACE_DAYS} days later.</p>
${renderRetentionTable(categories)}
<p>You can delete your data at any time, without waiting for these periods:
<a href="/settings/privacy">delete my data in your privacy settings</a>. Deletion on request is
immediate and final.</p>
<p>Some billing records (invoices and charges) are kept for legal and tax reasons, as accounting
law requires. They are never deleted by the automatic cleanup or by a deletion request.</p>
</section>
${renderRightsSection(recentSignInSeconds)}
<section aria-labelledby="ccpa-heading" class="card">
<h2 id="ccpa-heading">California residents</h2>
<p>We do not sell your personal information, and we do not share it for cross-context behavioural
advertising. You have the right to know what we hold, to correct it and to delete it, and we will
not treat you differently for using these rights. We answer within 45 days, which we may extend
once by 45 days if we tell you why. To make a request, use the buttons in your
<a href="/settings/privacy">privacy settings</a> or write to ${mailto(legal.privacyContact)}.</p>
</section>
<section aria-labelledby="cookies-heading" class="card">
<h2 id="cookies-heading">Cookies and storage in your browser</h2>
<p>We use no advertising or analytics cookies. While you connect your X account we set one
strictly necessary cookie, <code>repazoo_x_oauth</code>: it ties X’s answer to your browser so
nobody can connect their account to yours, lives 10 minutes at most, and is sent only to the
connection callback. The privacy pages keep your sign-in token in this tab’s session storage,
which the browser clears when you close the tab.</p>
</section>`;
  return layout({ title: 'Privacy notice', body });
}

/** GDPR Art. 13(2)(b)-(d): each right, and how to use it here. */
function renderRightsSection(recentSignInSeconds: number): SafeHtml {
  const minutes = Math.max(1, Math.round(recentSignInSeconds / 60));
  return html`<section aria-labelledby="rights-heading" class="card">
<h2 id="rights-heading">Your rights and how to use them</h2>
<ul class="rights">
<li><strong>Access and portability:</strong> “Download my data” in your <a href="/settings/privacy">privacy settings</a> gives you everything we hold about you as one JSON file.</li>
<li><strong>Erasure:</strong> “${DELETE_BUTTON_LABEL}” deletes your data at once. Because it cannot be undone, it needs a sign-in from the last ${minutes} minute${minutes === 1 ? '' : 's'}. We must refuse it only while the law requires us to keep the data (a legal hold), and then we tell you why.</li>
<li><strong>Rectification, restriction and objection:</strong> send a request through <code>POST /api/privacy/requests</code> or by email; a person on our privacy team answers it.</li>
<li><strong>Withdrawing consent:</strong> disconnect your X account in your privacy settings at any time; we stop reading your posts. Processing before you withdrew stays lawful.</li>
<li><strong>Complaint:</strong> you can complain to a data protection authority, in particular where you live or work.</li>
</ul>
<p>We answer within one month (GDPR), which we may extend by two more months if we tell you why
within the first month. You can follow your requests and their due dates in the app.</p>
</section>`;
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
  /** REAUTH_MAX_AGE_SECONDS: how recent a sign-in deleting the data needs. */
  recentSignInSeconds: number;
}

export function renderPrivacySettings({ offerTokenField, recentSignInSeconds }: SettingsPageOptions): string {
  const signInWindow = recentSignInSeconds % 60 === 0 ? `${recentSignInSeconds / 60} minute${recentSignInSeconds === 60 ? '' : 's'}` : `${recentSignInSeconds} seconds`;
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
<p id="delete-reauth-note" class="note">Because a deletion cannot be undone, it needs a sign-in from the last ${signInWindow}: if yours is older, you will be asked to sign in again first${offerTokenField ? ' (here: paste a freshly minted token above)' : ''}.</p>
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

export function renderTerms(legal: LegalContacts): string {
  const body = html`<h1>Terms of service</h1>
<p class="note">These terms are between you and ${legal.controllerName} (“we”), who runs this service.</p>
<section aria-labelledby="terms-service-heading" class="card">
<h2 id="terms-service-heading">The service</h2>
<p>With your consent, we read your own posts on X and analyse their sentiment with an AI model.
Before any text is sent to the model, personal details in it (names, emails, phone numbers,
addresses and the like) are replaced by placeholders. The analysis is an automated estimate: it can
be wrong, and it has no legal or similar effect on you.</p>
</section>
<section aria-labelledby="terms-consent-heading" class="card">
<h2 id="terms-consent-heading">Your account and your consent</h2>
<p>You connect your X account yourself, and you can disconnect it at any time in your
<a href="/settings/privacy">privacy settings</a>; we then stop reading your posts. Your consent lasts
at most one year, after which we ask again. One X account can be connected to one account at a
time. Keep your sign-in to yourself: deleting your data needs a recent sign-in, so a stolen
session cannot do it.</p>
</section>
<section aria-labelledby="terms-use-heading" class="card">
<h2 id="terms-use-heading">Acceptable use</h2>
<p>Use the service for your own account only. Do not try to reach other people’s data, overload
the service, get around its limits, or use it against X’s rules. We limit how often the service can
be called and may suspend an account that abuses it.</p>
</section>
<section aria-labelledby="terms-billing-heading" class="card">
<h2 id="terms-billing-heading">Plans and billing</h2>
<p>Paid plans are billed through Stripe; the plan decides how many analyses you can run each
month. Invoices and charges are kept as accounting law requires, even after you delete your data.</p>
</section>
<section aria-labelledby="terms-data-heading" class="card">
<h2 id="terms-data-heading">Your data</h2>
<p>Your posts remain yours. How we use and protect your data, how long we keep it and your rights
over it are explained in the <a href="/privacy">privacy notice</a>. You can download or delete your
data at any time; some requests are answered by a person, within the deadlines the law sets.</p>
</section>
<section aria-labelledby="terms-end-heading" class="card">
<h2 id="terms-end-heading">Ending, changes and liability</h2>
<p>You can stop using the service at any time and delete your data. We may change these terms; we
tell you in the app before a change that affects you takes effect. The service is provided as it
is; nothing in these terms limits liability that cannot be limited by law, or your rights as a
consumer.</p>
</section>
<section aria-labelledby="terms-contact-heading" class="card">
<h2 id="terms-contact-heading">Contact</h2>
<p>Questions about your data: ${mailto(legal.privacyContact)}. Security problems: ${mailto(legal.securityContact)}.</p>
</section>`;
  return layout({ title: 'Terms of service', body });
}
