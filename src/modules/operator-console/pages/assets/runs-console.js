// The operator console (/admin/runs): summary, every run with filters, a run's detail and log,
// Cancel and Retry, the schedules, and a form to start a person's flow. It calls the admin API
// with the bearer token the host application keeps in sessionStorage['repazoo.token'] (embedded
// mode: pasted into the "Access token" field). Live updates come from GET /api/admin/runs/events,
// read with fetch and a stream reader rather than EventSource, because EventSource cannot send the
// Authorization header and the token must never travel in a URL (URLs end up in access logs).
// Everything shown is set with textContent: no data ever becomes markup. No framework, no build.
(function () {
  'use strict';

  var NETWORK_ERROR = window.RepazooApi.NETWORK_ERROR;
  var ADMINS_ONLY = 'admins-only';
  var RECONNECT_MS = 3000;
  var SUMMARY_REFRESH_MS = 5000;

  var filters = {};
  var nextCursor = null;
  var selectedRunId = null;
  var streamAbort = null;
  var summaryTimer = null;
  var stopped = false;

  function $(id) {
    return document.getElementById(id);
  }

  // ---- token and API (shared with the privacy page: /assets/shared/api-client.js) -------------

  var api = window.RepazooApi;
  var ApiError = api.ApiError;
  var readToken = api.readToken;

  /** The console shows the API's error code before its message, for operators to search for. */
  async function callApi(method, path, body) {
    try {
      return await api.call(method, path, { body: body });
    } catch (error) {
      if (error.code && error.code !== 'NO_TOKEN') error.message = error.code + ': ' + error.message;
      throw error;
    }
  }

  // ---- small helpers ---------------------------------------------------------------------------

  function clear(element) {
    while (element.firstChild) element.removeChild(element.firstChild);
  }

  function cell(row, text, label, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (label) td.setAttribute('data-label', label);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function showAlert(container, kind, message) {
    clear(container);
    var alert = document.createElement('p');
    alert.className = 'alert alert-' + kind;
    alert.textContent = message;
    container.appendChild(alert);
  }

  function formatTime(iso) {
    if (!iso) return '–';
    var date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '–' : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }

  function formatAge(seconds) {
    if (seconds === null || seconds === undefined) return 'none';
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
    return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  }

  function formatRate(rate) {
    return rate === null || rate === undefined ? 'n/a' : (rate * 100).toFixed(1) + ' %';
  }

  function stateBadge(state) {
    var span = document.createElement('span');
    span.className = 'state state-' + state;
    span.textContent = state;
    return span;
  }

  /** Access refused: 403 means a token without the admin role; nothing of the console stays visible. */
  function handleAccessError(error) {
    if (error && error.status === 403) {
      showAdminsOnly();
      return true;
    }
    if (error && error.status === 401) {
      $('console').hidden = true;
      showAlert($('page-alerts'), 'error', 'Your access token is missing, invalid or expired. Sign in again, then reload this page.');
      stopStream();
      return true;
    }
    return false;
  }

  function showAdminsOnly() {
    stopped = true;
    stopStream();
    $('console').hidden = true;
    // Remove what may have been drawn before the refusal.
    clear($('runs-table').tBodies[0]);
    clear($('summary-table').tBodies[0]);
    $('admins-only').hidden = false;
    document.body.setAttribute('data-access', ADMINS_ONLY);
  }

  // ---- summary ---------------------------------------------------------------------------------

  async function loadSummary() {
    var summary = await callApi('GET', '/api/admin/runs/summary');
    $('summary-depth').textContent = String(summary.queue.depth);
    $('summary-oldest').textContent = formatAge(summary.queue.oldestPendingAgeSeconds);
    $('summary-failure-hour').textContent = formatRate(summary.lastHour.failureRate);
    $('summary-failure-day').textContent = formatRate(summary.lastDay.failureRate);
    var rows = {};
    summary.lastDay.counts.forEach(function (count) {
      rows[count.job + ' ' + count.state] = { job: count.job, state: count.state, hour: 0, day: count.count };
    });
    summary.lastHour.counts.forEach(function (count) {
      var key = count.job + ' ' + count.state;
      rows[key] = rows[key] || { job: count.job, state: count.state, hour: 0, day: 0 };
      rows[key].hour = count.count;
    });
    var body = $('summary-table').tBodies[0];
    clear(body);
    Object.keys(rows).sort().forEach(function (key) {
      var row = document.createElement('tr');
      cell(row, rows[key].job, 'Job');
      cell(row, '', 'State').appendChild(stateBadge(rows[key].state));
      cell(row, String(rows[key].hour), 'Last hour');
      cell(row, String(rows[key].day), 'Last 24 h');
      body.appendChild(row);
    });
  }

  /** At most one summary request per SUMMARY_REFRESH_MS while events pour in. */
  function refreshSummarySoon() {
    if (summaryTimer) return;
    summaryTimer = setTimeout(function () {
      summaryTimer = null;
      loadSummary().catch(function (error) {
        handleAccessError(error);
      });
    }, SUMMARY_REFRESH_MS);
  }

  // ---- runs table ------------------------------------------------------------------------------

  function queryString(extra) {
    var params = new URLSearchParams();
    Object.keys(filters).forEach(function (key) {
      if (filters[key]) params.set(key, filters[key]);
    });
    Object.keys(extra || {}).forEach(function (key) {
      params.set(key, extra[key]);
    });
    var text = params.toString();
    return text ? '?' + text : '';
  }

  function rowOf(runId) {
    return $('runs-table').querySelector('tr[data-run-id="' + CSS.escape(runId) + '"]');
  }

  function fillRow(row, run) {
    clear(row);
    row.setAttribute('data-run-id', run.id);
    row.setAttribute('data-state', run.state);
    cell(row, formatTime(run.createdAt), 'Created');
    cell(row, run.job, 'Job');
    cell(row, run.userId === null ? 'scheduled' : run.userId, 'Person', 'person');
    cell(row, '', 'State', 'state-cell').appendChild(stateBadge(run.state));
    cell(row, String(run.attempts), 'Attempts', 'attempts');
    cell(row, run.error ? run.error.code : '', 'Error');
    var actions = cell(row, '', '');
    var open = document.createElement('button');
    open.type = 'button';
    open.textContent = 'Details';
    open.setAttribute('aria-label', 'Details of run ' + run.id);
    open.addEventListener('click', function () { void openDetail(run.id); });
    actions.appendChild(open);
    row.classList.toggle('selected', run.id === selectedRunId);
  }

  function renderRuns(items, append) {
    var body = $('runs-table').tBodies[0];
    if (!append) clear(body);
    items.forEach(function (run) {
      var row = document.createElement('tr');
      fillRow(row, run);
      body.appendChild(row);
    });
    $('runs-empty').hidden = body.rows.length > 0;
  }

  async function loadRuns(append) {
    var page = await callApi('GET', '/api/admin/runs' + queryString(append && nextCursor ? { before: nextCursor } : {}));
    renderRuns(page.items, append);
    nextCursor = page.next;
    $('runs-more').hidden = !nextCursor;
  }

  /** Whether a run belongs in the table under the current filters. */
  function matchesFilters(run) {
    if (filters.state && run.state !== filters.state) return false;
    if (filters.job && run.job !== filters.job) return false;
    if (filters.userId && run.userId !== filters.userId) return false;
    if (filters.from && run.createdAt < filters.from) return false;
    if (filters.to && run.createdAt >= filters.to) return false;
    return true;
  }

  /** Runs being read now; `again` is set when an event for the run arrives during the read. */
  var reading = {};

  /**
   * Reads the run and shows it: updates its row, or adds it on top when it matches the filters
   * (events carry no person, so a new run is read once). An event that arrives while the read is
   * in flight may be newer than its answer, so the run is read again until none did.
   */
  async function syncRun(runId) {
    if (reading[runId]) {
      reading[runId].again = true;
      return;
    }
    reading[runId] = { again: false };
    try {
      var run;
      do {
        reading[runId].again = false;
        run = await callApi('GET', '/api/admin/runs/' + encodeURIComponent(runId));
      } while (reading[runId].again);
      var row = rowOf(runId);
      if (row) {
        if (matchesFilters(run)) fillRow(row, run);
        else row.parentNode.removeChild(row);
      } else if (matchesFilters(run)) {
        row = document.createElement('tr');
        fillRow(row, run);
        var body = $('runs-table').tBodies[0];
        body.insertBefore(row, body.firstChild);
        $('runs-empty').hidden = true;
      }
    } catch (error) {
      handleAccessError(error);
    } finally {
      delete reading[runId];
    }
  }

  function applyEvent(event) {
    var row = rowOf(event.runId);
    if (row && !reading[event.runId]) {
      if (filters.state && filters.state !== event.state) {
        row.parentNode.removeChild(row);
      } else {
        row.setAttribute('data-state', event.state);
        var stateCell = row.querySelector('.state-cell');
        clear(stateCell);
        stateCell.appendChild(stateBadge(event.state));
        row.querySelector('.attempts').textContent = String(event.attempts);
        // The error code of a failed run is in the run, not the event.
        if (event.state === 'FAILED') void syncRun(event.runId);
      }
    } else if (row || ((!filters.state || filters.state === event.state) && (!filters.job || filters.job === event.job))) {
      void syncRun(event.runId);
    }
    if (event.runId === selectedRunId) void refreshDetail(event.runId);
    refreshSummarySoon();
  }

  var detailReading = null;

  /** Redraws the open detail after an event, reading again when another event came meanwhile. */
  async function refreshDetail(runId) {
    if (detailReading) {
      detailReading.again = true;
      return;
    }
    detailReading = { again: false };
    try {
      do {
        detailReading.again = false;
        await openDetail(runId, { keepFocus: true });
      } while (detailReading.again && selectedRunId === runId);
    } finally {
      detailReading = null;
    }
  }

  function readFilters() {
    var form = $('filters');
    var toIso = function (value) {
      // datetime-local has no zone: the fields say UTC, so read them as UTC.
      return value ? new Date(value + ':00Z').toISOString() : '';
    };
    filters = {
      state: form.elements.state.value,
      job: form.elements.job.value,
      userId: form.elements.userId.value.trim(),
      from: toIso(form.elements.from.value),
      to: toIso(form.elements.to.value),
    };
  }

  // ---- run detail ------------------------------------------------------------------------------

  async function openDetail(runId, options) {
    var keepFocus = options && options.keepFocus;
    try {
      var run = await callApi('GET', '/api/admin/runs/' + encodeURIComponent(runId));
      var logs = await callApi('GET', '/api/admin/runs/' + encodeURIComponent(runId) + '/logs');
      selectedRunId = run.id;
      $('detail-id').textContent = run.id;
      $('detail-job').textContent = run.job;
      $('detail-user').textContent = run.userId === null ? 'none (scheduled run)' : run.userId;
      clear($('detail-state'));
      $('detail-state').appendChild(stateBadge(run.state));
      $('detail-attempts').textContent = run.attempts + ' of ' + run.maxAttempts;
      $('detail-created').textContent = formatTime(run.createdAt);
      $('detail-started').textContent = formatTime(run.startedAt);
      $('detail-finished').textContent = formatTime(run.finishedAt);
      $('detail-next').textContent = formatTime(run.nextAttemptAt);
      $('detail-error').textContent = run.error ? run.error.code + ': ' + run.error.message : 'none';
      $('detail-cancel').hidden = !(run.state === 'PENDING' || run.state === 'RUNNING');
      $('detail-retry').hidden = !(run.state === 'FAILED' || run.state === 'CANCELLED');
      var list = $('detail-logs');
      clear(list);
      logs.forEach(function (line) {
        var item = document.createElement('li');
        item.className = 'level-' + line.level;
        item.textContent = formatTime(line.createdAt) + ' [' + line.level + '] ' + line.message;
        list.appendChild(item);
      });
      if (logs.length === 0) {
        var none = document.createElement('li');
        none.textContent = 'No log lines yet.';
        list.appendChild(none);
      }
      var row = rowOf(run.id);
      if (row) fillRow(row, run);
      Array.prototype.forEach.call($('runs-table').tBodies[0].rows, function (other) {
        other.classList.toggle('selected', other.getAttribute('data-run-id') === run.id);
      });
      $('run-detail').hidden = false;
      if (!keepFocus) $('run-detail').focus();
    } catch (error) {
      if (!handleAccessError(error)) showAlert($('page-alerts'), 'error', error.message || NETWORK_ERROR);
    }
  }

  function closeDetail() {
    selectedRunId = null;
    $('run-detail').hidden = true;
    clear($('detail-alerts'));
  }

  /** Asks with the native modal dialog (focus trapped, Escape cancels); resolves true on "Yes". */
  function confirmAction(text, yesLabel) {
    var dialog = $('confirm-dialog');
    $('confirm-text').textContent = text;
    $('confirm-yes').textContent = yesLabel;
    return new Promise(function (resolve) {
      function finish(answer) {
        $('confirm-yes').removeEventListener('click', onYes);
        $('confirm-no').removeEventListener('click', onNo);
        dialog.removeEventListener('cancel', onNo);
        if (dialog.open) dialog.close();
        resolve(answer);
      }
      function onYes() { finish(true); }
      function onNo() { finish(false); }
      $('confirm-yes').addEventListener('click', onYes);
      $('confirm-no').addEventListener('click', onNo);
      dialog.addEventListener('cancel', onNo);
      dialog.showModal();
      $('confirm-no').focus();
    });
  }

  async function changeRun(action) {
    var runId = selectedRunId;
    if (!runId) return;
    var confirmed = await confirmAction(
      action === 'cancel'
        ? 'Cancel run ' + runId + '? It ends CANCELLED and stores nothing more.'
        : 'Retry run ' + runId + '? It gets one more attempt.',
      action === 'cancel' ? 'Yes, cancel the run' : 'Yes, retry the run',
    );
    if (!confirmed) return;
    try {
      var run = await callApi('POST', '/api/admin/runs/' + encodeURIComponent(runId) + '/' + action);
      showAlert($('detail-alerts'), 'success', action === 'cancel' ? 'The run was cancelled.' : 'The run was queued again (state ' + run.state + ').');
      await openDetail(runId, { keepFocus: true });
    } catch (error) {
      if (!handleAccessError(error)) showAlert($('detail-alerts'), 'error', error.message);
    }
  }

  // ---- schedules -------------------------------------------------------------------------------

  async function loadSchedules() {
    var jobs = await callApi('GET', '/api/admin/jobs');
    var body = $('schedules-table').tBodies[0];
    clear(body);
    jobs.forEach(function (job) {
      var row = document.createElement('tr');
      row.setAttribute('data-job', job.name);
      cell(row, job.name, 'Job');
      cell(row, job.cron ? job.cron + ' (' + job.timeZone + ')' : 'on demand only', 'Schedule');
      var last = cell(row, '', 'Last run');
      if (job.lastRun) {
        var link = document.createElement('button');
        link.type = 'button';
        link.textContent = job.lastRun.state;
        link.className = 'state state-' + job.lastRun.state;
        link.setAttribute('aria-label', 'Last run of ' + job.name + ': ' + job.lastRun.state + ', show details');
        link.addEventListener('click', function () { void openDetail(job.lastRun.runId); });
        last.appendChild(link);
        last.appendChild(document.createTextNode(' ' + formatTime(job.lastRun.finishedAt || job.lastRun.startedAt)));
      } else {
        last.textContent = 'never';
      }
      cell(row, formatTime(job.nextRunAt), 'Next run');
      var actions = cell(row, '', '');
      var run = document.createElement('button');
      run.type = 'button';
      run.textContent = 'Run now';
      run.setAttribute('aria-label', 'Run ' + job.name + ' now');
      run.addEventListener('click', function () { void runScheduleNow(job.name, run); });
      actions.appendChild(run);
      body.appendChild(row);
    });
  }

  async function runScheduleNow(name, button) {
    button.disabled = true;
    try {
      var started = await callApi('POST', '/api/admin/jobs/' + encodeURIComponent(name) + '/run');
      showAlert($('schedules-alerts'), 'success', 'Started ' + name + ': run ' + started.runId + '.');
      await loadSchedules();
    } catch (error) {
      if (!handleAccessError(error)) showAlert($('schedules-alerts'), 'error', error.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---- start a flow for a person ---------------------------------------------------------------

  async function startForPerson(event) {
    event.preventDefault();
    var form = $('start-form');
    var userId = form.elements.userId.value.trim();
    if (!userId) {
      showAlert($('start-alerts'), 'error', 'Enter the person’s user id first.');
      return;
    }
    $('start-submit').disabled = true;
    try {
      var started = await callApi('POST', '/api/admin/users/' + encodeURIComponent(userId) + '/runs', { job: form.elements.job.value });
      showAlert($('start-alerts'), 'success', 'Started: run ' + started.runId + '.');
      var alert = $('start-alerts').firstChild;
      alert.setAttribute('data-run-id', started.runId);
    } catch (error) {
      if (!handleAccessError(error)) showAlert($('start-alerts'), 'error', error.message);
    } finally {
      $('start-submit').disabled = false;
    }
  }

  // ---- live stream -----------------------------------------------------------------------------

  function setLive(state, text) {
    $('live-status').setAttribute('data-state', state);
    $('live-status').textContent = text;
  }

  function stopStream() {
    if (streamAbort) streamAbort.abort();
    streamAbort = null;
  }

  /** One Server-Sent Events frame: its `event` and `data` lines. */
  function parseFrame(frame) {
    var type = 'message';
    var data = [];
    frame.split('\n').forEach(function (line) {
      if (line.indexOf('event:') === 0) type = line.slice(6).trim();
      else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
    });
    return { type: type, data: data.join('\n') };
  }

  async function openStream() {
    if (stopped) return;
    var controller = new AbortController();
    streamAbort = controller;
    var response;
    try {
      response = await fetch('/api/admin/runs/events', {
        headers: { Authorization: 'Bearer ' + readToken(), Accept: 'text/event-stream' },
        credentials: 'omit',
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      if (!controller.signal.aborted) reconnectLater();
      return;
    }
    if (response.status === 401 || response.status === 403) {
      handleAccessError(new ApiError('', response.status));
      return;
    }
    if (!response.ok || !response.body) {
      reconnectLater();
      return;
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    try {
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, '\n');
        var end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          var frame = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (frame.type === 'ready') setLive('live', 'Live');
          if (frame.type === 'run') {
            try {
              applyEvent(JSON.parse(frame.data));
            } catch {
              // A frame that is not a run event is skipped.
            }
          }
        }
      }
    } catch {
      // Aborted, or the connection dropped.
    }
    if (!controller.signal.aborted) {
      // The server ends each stream after a while (the token is checked again): reload what may
      // have changed meanwhile, then listen again.
      void loadRuns(false).catch(function (error) { handleAccessError(error); });
      reconnectLater();
    }
  }

  function reconnectLater() {
    if (stopped) return;
    setLive('down', 'Reconnecting…');
    setTimeout(function () { void openStream(); }, RECONNECT_MS);
  }

  // ---- start -----------------------------------------------------------------------------------

  async function start() {
    $('admins-only').hidden = true;
    clear($('page-alerts'));
    if (!readToken()) {
      $('token-missing').hidden = false;
      return;
    }
    $('token-missing').hidden = true;
    stopped = false;
    try {
      // The summary first: a 403 here shows "admins only" before anything else is asked for.
      await loadSummary();
      $('console').hidden = false;
      document.body.setAttribute('data-access', 'admin');
      await loadRuns(false);
      await loadSchedules();
      void openStream();
    } catch (error) {
      if (!handleAccessError(error)) showAlert($('page-alerts'), 'error', error.message || NETWORK_ERROR);
    }
  }

  function setUpTokenForm() {
    var form = $('token-form');
    if (!form) return; // only in embedded mode
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var token = $('access-token').value.trim().replace(/^Bearer\s+/i, '');
      if (!token) {
        showAlert($('page-alerts'), 'error', 'Paste an access token first.');
        return;
      }
      try {
        api.storeToken(token);
      } catch {
        showAlert($('page-alerts'), 'error', 'This browser does not allow storing the token for this tab.');
        return;
      }
      $('access-token').value = '';
      stopStream();
      void start();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setUpTokenForm();
    $('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      readFilters();
      void loadRuns(false).catch(function (error) {
        if (!handleAccessError(error)) showAlert($('page-alerts'), 'error', error.message);
      });
    });
    $('filters').addEventListener('reset', function () {
      setTimeout(function () {
        readFilters();
        void loadRuns(false).catch(function (error) { handleAccessError(error); });
      }, 0);
    });
    $('runs-more').addEventListener('click', function () {
      void loadRuns(true).catch(function (error) {
        if (!handleAccessError(error)) showAlert($('page-alerts'), 'error', error.message);
      });
    });
    $('detail-cancel').addEventListener('click', function () { void changeRun('cancel'); });
    $('detail-retry').addEventListener('click', function () { void changeRun('retry'); });
    $('detail-close').addEventListener('click', closeDetail);
    $('start-form').addEventListener('submit', function (event) { void startForPerson(event); });
    void start();
  });
})();
