// The operator console page (/admin/runs), rendered on the server from constants: the states and
// job names in its filters and forms come from the run engine, so they cannot drift from it.
import { RunState } from '../../../core/jobs/entities/workflow-run.entity';
import { JobName } from '../../../core/jobs/job-payloads';
import { html, SafeHtml } from '../../privacy/pages/html';
import { renderPage } from '../../privacy/pages/page-layout';
import { OPERATOR_STARTABLE_JOBS } from '../dto/start-user-run.dto';

export const CONSOLE_ASSET_PATHS = {
  stylesheet: '/assets/admin/console.css',
  script: '/assets/admin/runs-console.js',
} as const;

export const ADMINS_ONLY_MESSAGE = 'This page is for admins only. Your access token does not have the admin role, so no data is shown.';

export interface ConsolePageOptions {
  /** Embedded mode has no host application to sign in with: offer a field to paste a token. */
  offerTokenField: boolean;
}

const options = (values: readonly string[]): SafeHtml[] => values.map((value) => html`<option value="${value}">${value}</option>`);

export function renderRunsConsole({ offerTokenField }: ConsolePageOptions): string {
  const tokenSection = offerTokenField
    ? html`<section aria-labelledby="token-heading" class="card">
<h2 id="token-heading">Sign in with a token</h2>
<p class="note">This server runs in embedded mode. Paste an admin token minted with
<code>npm run cli -- token --user &lt;id&gt; --admin</code>. It is kept in this browser tab only.</p>
<form id="token-form" class="token-form">
<label for="access-token">Access token</label>
<input id="access-token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Use this token</button>
</form>
</section>`
    : null;

  const body = html`<h1>Runs</h1>
<div id="page-alerts" class="alerts" role="alert"></div>
<p id="token-missing" class="notice" hidden>You are not signed in: no access token was found for this page.</p>
<p id="admins-only" class="notice" hidden>${ADMINS_ONLY_MESSAGE}</p>
${tokenSection}
<div id="console" hidden>
<section aria-labelledby="summary-heading" class="card">
<h2 id="summary-heading">Summary</h2>
<dl class="figures">
<div><dt>Queue depth</dt><dd id="summary-depth">–</dd></div>
<div><dt>Oldest pending</dt><dd id="summary-oldest">–</dd></div>
<div><dt>Failure rate (1 h)</dt><dd id="summary-failure-hour">–</dd></div>
<div><dt>Failure rate (24 h)</dt><dd id="summary-failure-day">–</dd></div>
</dl>
<div class="table-wrap">
<table class="data-table" id="summary-table">
<caption>Runs created, by job and state</caption>
<thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Last hour</th><th scope="col">Last 24 h</th></tr></thead>
<tbody></tbody>
</table>
</div>
</section>

<section aria-labelledby="runs-heading" class="card">
<h2 id="runs-heading">All runs</h2>
<form id="filters" class="filters">
<div class="field"><label for="filter-state">State</label>
<select id="filter-state" name="state"><option value="">Any</option>${options(Object.values(RunState))}</select></div>
<div class="field"><label for="filter-job">Job</label>
<select id="filter-job" name="job"><option value="">Any</option>${options(Object.values(JobName))}</select></div>
<div class="field"><label for="filter-user">Person (user id)</label>
<input id="filter-user" name="userId" maxlength="255" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="filter-from">Created from (UTC)</label>
<input id="filter-from" name="from" type="datetime-local"></div>
<div class="field"><label for="filter-to">Created before (UTC)</label>
<input id="filter-to" name="to" type="datetime-local"></div>
<div class="actions"><button type="submit">Apply filters</button><button type="reset">Clear</button></div>
</form>
<div class="table-wrap">
<table class="data-table runs-table" id="runs-table">
<caption>Newest first; updated live</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Job</th><th scope="col">Person</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody></tbody>
</table>
</div>
<p id="runs-empty" class="note" hidden>No run matches these filters.</p>
<div class="actions"><button type="button" id="runs-more" hidden>Load older runs</button></div>
</section>

<section aria-labelledby="detail-heading" class="card" id="run-detail" hidden tabindex="-1">
<h2 id="detail-heading">Run <code id="detail-id"></code></h2>
<dl class="facts">
<div><dt>Job</dt><dd id="detail-job"></dd></div>
<div><dt>Person</dt><dd id="detail-user"></dd></div>
<div><dt>State</dt><dd id="detail-state"></dd></div>
<div><dt>Attempts</dt><dd id="detail-attempts"></dd></div>
<div><dt>Created</dt><dd id="detail-created"></dd></div>
<div><dt>Started</dt><dd id="detail-started"></dd></div>
<div><dt>Finished</dt><dd id="detail-finished"></dd></div>
<div><dt>Next attempt</dt><dd id="detail-next"></dd></div>
<div><dt>Error</dt><dd id="detail-error"></dd></div>
</dl>
<div class="actions">
<button type="button" id="detail-cancel" class="danger" hidden>Cancel run</button>
<button type="button" id="detail-retry" hidden>Retry run</button>
<button type="button" id="detail-close">Close</button>
</div>
<div id="detail-alerts" class="alerts"></div>
<h3>Log</h3>
<ol id="detail-logs" class="logs"></ol>
</section>

<section aria-labelledby="schedules-heading" class="card">
<h2 id="schedules-heading">Schedules</h2>
<div class="table-wrap">
<table class="data-table" id="schedules-table">
<thead><tr><th scope="col">Job</th><th scope="col">Schedule</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody></tbody>
</table>
</div>
<div id="schedules-alerts" class="alerts"></div>
</section>

<section aria-labelledby="start-heading" class="card">
<h2 id="start-heading">Start a flow for a person</h2>
<p class="note">Runs under the same consent, subscription and quota rules as when the person starts it.</p>
<form id="start-form" class="filters">
<div class="field"><label for="start-user">Person (user id)</label>
<input id="start-user" name="userId" required maxlength="255" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="start-job">Flow</label>
<select id="start-job" name="job">${options(OPERATOR_STARTABLE_JOBS)}</select></div>
<div class="actions"><button type="submit" id="start-submit">Start</button></div>
</form>
<div id="start-alerts" class="alerts"></div>
</section>
</div>
`;

  const overlay = html`<dialog id="confirm-dialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
<h2 id="confirm-title">Are you sure?</h2>
<p id="confirm-text"></p>
<div class="actions">
<button type="button" id="confirm-yes" class="danger">Yes</button>
<button type="button" id="confirm-no">No, go back</button>
</div>
</dialog>`;

  return renderPage({
    title: 'Runs · Operator console',
    brand: 'Repazoo · Operator console',
    header: html`<span id="live-status" class="live" role="status">Not connected</span>`,
    body,
    overlay,
    stylesheets: [CONSOLE_ASSET_PATHS.stylesheet],
    script: CONSOLE_ASSET_PATHS.script,
  });
}
