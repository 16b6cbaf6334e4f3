// The privacy settings page: unread notices, X connection, data export and "Delete my data (GDPR)". It calls the
// JSON API with the bearer token that the host application keeps in sessionStorage['repazoo.token']
// (in embedded mode the page also lets the person paste one). No framework, no build step.
(function () {
  'use strict';

  var EXPORT_POLL_MS = 1000;
  var EXPORT_POLL_LIMIT = 180;
  // Codes the OAuth callback puts in ?error= (see TwitterOAuthController.callback).
  var CONNECT_ERRORS = {
    ACCESS_DENIED: 'You did not allow access on X, so your account was not connected.',
    STATE_INVALID: 'The connection request expired or was already used. Please try again.',
    AUTHORIZATION_FAILED: 'X could not authorize the connection. Please try again.',
    TOKEN_EXCHANGE_FAILED: 'X did not complete the connection. Please try again later.',
    TWITTER_NOT_CONFIGURED: 'Connecting to X is not configured on this server.',
  };

  function $(id) {
    return document.getElementById(id);
  }

  // ---- token and API (shared with the operator console: /assets/shared/api-client.js) ---------

  var api = window.RepazooApi;
  var ApiError = api.ApiError;
  var readToken = api.readToken;
  var callApi = api.call;

  /** Only http(s) links from the API are followed: never a javascript: or data: URL. */
  function safeUrl(value) {
    var url = new URL(String(value), window.location.href);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ApiError('The server returned an unusable link.', 0);
    return url.href;
  }

  // ---- rendering helpers -----------------------------------------------------------------------

  function showAlert(container, kind, text) {
    var alert = document.createElement('div');
    alert.className = 'alert alert-' + kind;
    alert.setAttribute('role', kind === 'success' ? 'status' : 'alert');
    alert.textContent = text;
    container.replaceChildren(alert);
  }

  function showDate(element, iso) {
    if (!iso) {
      element.textContent = '–';
      return;
    }
    var time = document.createElement('time');
    time.dateTime = iso;
    time.textContent = formatDate(iso);
    element.replaceChildren(time);
  }

  function formatDate(iso) {
    var options = { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' };
    return new Date(iso).toLocaleString(undefined, options) + ' UTC';
  }

  function setBusy(button, busy, busyLabel) {
    if (busy) {
      button.dataset.label = button.textContent;
      button.textContent = busyLabel;
    } else if (button.dataset.label) {
      button.textContent = button.dataset.label;
    }
    button.disabled = busy;
    if (busy) button.setAttribute('aria-busy', 'true');
    else button.removeAttribute('aria-busy');
  }

  // ---- sign-in state ---------------------------------------------------------------------------

  function refreshTokenNotice() {
    $('token-missing').hidden = readToken() !== '';
  }

  function setUpTokenForm() {
    var form = $('token-form');
    if (!form) return; // only in embedded mode
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = $('access-token');
      var token = input.value.trim().replace(/^Bearer\s+/i, '');
      if (!token) {
        showAlert($('page-alerts'), 'error', 'Paste an access token first.');
        input.focus();
        return;
      }
      try {
        api.storeToken(token);
      } catch {
        showAlert($('page-alerts'), 'error', 'This browser does not allow session storage, so the token cannot be kept.');
        return;
      }
      input.value = '';
      showAlert($('page-alerts'), 'success', 'Token saved for this browser tab.');
      refreshTokenNotice();
      void loadNotices();
      void loadConsent();
    });
  }

  // ---- notices ---------------------------------------------------------------------------------

  /** Unread notices at the top of the page, newest first; each can be marked read. */
  async function loadNotices() {
    if (!readToken()) return;
    var notices;
    try {
      notices = await callApi('GET', '/api/notifications?unread=true&limit=20');
    } catch (error) {
      showAlert($('notices-alerts'), 'error', error.message);
      $('notices').hidden = false;
      return;
    }
    renderNotices(Array.isArray(notices) ? notices : []);
  }

  function renderNotices(notices) {
    var list = $('notices-list');
    list.replaceChildren();
    notices.forEach(function (notice) {
      var item = document.createElement('li');
      item.className = 'notice-item';
      item.dataset.kind = String(notice.kind);
      var title = document.createElement('strong');
      title.textContent = String(notice.title);
      var message = document.createElement('p');
      message.textContent = String(notice.message);
      var when = document.createElement('p');
      when.className = 'note';
      showDate(when, notice.createdAt);
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Mark as read';
      button.addEventListener('click', function () { void markNoticeRead(notice.id, item, button); });
      item.append(title, message, when, button);
      list.append(item);
    });
    $('notices').hidden = notices.length === 0;
  }

  async function markNoticeRead(id, item, button) {
    setBusy(button, true, 'Marking…');
    try {
      await callApi('POST', '/api/notifications/' + encodeURIComponent(id) + '/read');
    } catch (error) {
      setBusy(button, false);
      showAlert($('notices-alerts'), 'error', error.message);
      return;
    }
    item.remove();
    if ($('notices-list').children.length === 0) $('notices').hidden = true;
  }

  function showCallbackResult() {
    var params = new URLSearchParams(window.location.search);
    var code = params.get('error');
    if (params.get('connected') === 'x') showAlert($('page-alerts'), 'success', 'Your X account is connected.');
    if (code) {
      var known = Object.prototype.hasOwnProperty.call(CONNECT_ERRORS, code);
      showAlert($('page-alerts'), 'error', known ? CONNECT_ERRORS[code] : 'Connecting your X account failed (' + code.slice(0, 64) + ').');
    }
    // Reloading the page should not show the same message again.
    if (params.has('error') || params.has('connected')) window.history.replaceState(null, '', window.location.pathname);
  }

  // ---- connection with X -----------------------------------------------------------------------

  function renderConsent(twitter) {
    var status = 'Not connected';
    if (twitter.connected) status = 'Connected';
    else if (twitter.revokedAt) status = 'Not connected (disconnected on ' + formatDate(twitter.revokedAt) + ')';
    $('x-status').textContent = status;
    showDate($('x-granted'), twitter.connected ? twitter.grantedAt : null);
    showDate($('x-expires'), twitter.connected ? twitter.expiresAt : null);
    $('x-connect').hidden = Boolean(twitter.connected);
    $('x-disconnect').hidden = !twitter.connected;
  }

  async function loadConsent() {
    if (!readToken()) {
      $('x-status').textContent = 'Unknown (not signed in)';
      return;
    }
    try {
      var consent = await callApi('GET', '/api/consent');
      renderConsent(consent.twitter);
    } catch (error) {
      $('x-status').textContent = 'Unknown';
      showAlert($('x-alerts'), 'error', error.message);
    }
  }

  async function connectX() {
    var button = $('x-connect');
    setBusy(button, true, 'Opening X…');
    try {
      var answer = await callApi('GET', '/api/twitter/connect', { storeCookies: true });
      window.location.assign(safeUrl(answer.authorizeUrl));
    } catch (error) {
      setBusy(button, false);
      showAlert($('x-alerts'), 'error', error.message);
    }
  }

  async function disconnectX() {
    var button = $('x-disconnect');
    setBusy(button, true, 'Disconnecting…');
    try {
      await callApi('DELETE', '/api/twitter/connection');
      showAlert($('x-alerts'), 'success', 'Your X account is disconnected and our access to it is revoked.');
      await loadConsent();
    } catch (error) {
      showAlert($('x-alerts'), 'error', error.message);
    } finally {
      setBusy(button, false);
    }
  }

  // ---- export ----------------------------------------------------------------------------------

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function pollExport(exportId) {
    var path = '/api/privacy/exports/' + encodeURIComponent(exportId);
    for (var attempt = 0; attempt < EXPORT_POLL_LIMIT; attempt += 1) {
      await wait(EXPORT_POLL_MS);
      var status = await callApi('GET', path);
      if (status.status !== 'pending') return status;
    }
    throw new ApiError('Your export is taking longer than expected. Please try again in a few minutes.', 0);
  }

  async function startExport() {
    var button = $('export-start');
    setBusy(button, true, 'Preparing…');
    $('export-ready').hidden = true;
    $('export-alerts').replaceChildren();
    $('export-status').textContent = 'Preparing your export…';
    try {
      var started = await callApi('POST', '/api/privacy/export');
      var result = await pollExport(started.exportId);
      if (result.status !== 'ready') throw new ApiError('Your export could not be built. Please try again.', 0);
      $('export-link').href = safeUrl(result.url);
      $('export-ready').hidden = false;
      $('export-status').textContent = 'Your export is ready. The link works until ' + formatDate(result.expiresAt) + '.';
    } catch (error) {
      $('export-status').textContent = '';
      showAlert($('export-alerts'), 'error', error.message);
    } finally {
      setBusy(button, false);
    }
  }

  // ---- delete my data --------------------------------------------------------------------------

  var FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';
  var dialogBusy = false;

  function dialogElement() {
    return $('delete-dialog').querySelector('[role="dialog"]');
  }

  function setPageInert(inert) {
    document.querySelectorAll('body > header, body > main').forEach(function (element) {
      element.inert = inert;
    });
  }

  function openDeleteDialog() {
    $('delete-dialog').hidden = false;
    setPageInert(true);
    document.addEventListener('keydown', onDialogKeydown);
    // The least destructive choice gets the focus.
    $('delete-cancel').focus();
  }

  function closeDeleteDialog() {
    if (dialogBusy) return;
    $('delete-dialog').hidden = true;
    setPageInert(false);
    document.removeEventListener('keydown', onDialogKeydown);
    $('delete-open').focus();
  }

  function onDialogKeydown(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      closeDeleteDialog();
      return;
    }
    if (event.key !== 'Tab') return;
    var dialog = dialogElement();
    var focusable = Array.prototype.slice.call(dialog.querySelectorAll(FOCUSABLE));
    if (focusable.length === 0) {
      event.preventDefault();
      return;
    }
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  async function confirmDelete() {
    var confirmButton = $('delete-confirm');
    var cancelButton = $('delete-cancel');
    var dialog = dialogElement();
    dialogBusy = true;
    setBusy(confirmButton, true, 'Deleting…');
    cancelButton.disabled = true;
    dialog.setAttribute('aria-busy', 'true');
    dialog.focus(); // a disabled button cannot keep the focus
    var outcome;
    try {
      await callApi('POST', '/api/privacy/delete-my-data');
      outcome = ['success', 'Your data has been deleted. Some billing records are retained as required by law.'];
    } catch (error) {
      outcome = ['error', error.code === 'REAUTH_REQUIRED' ? reauthMessage() : error.message];
    }
    dialogBusy = false;
    setBusy(confirmButton, false);
    cancelButton.disabled = false;
    dialog.removeAttribute('aria-busy');
    closeDeleteDialog();
    showAlert($('delete-alerts'), outcome[0], outcome[1]);
    if (outcome[0] === 'success') {
      $('export-ready').hidden = true;
      $('export-status').textContent = '';
      void loadConsent();
    }
  }

  /** Deletion needs a recent sign-in (REAUTH_REQUIRED): nothing was deleted. */
  function reauthMessage() {
    var how = $('token-form')
      ? 'Mint a fresh token (npm run cli -- token --user <id>), paste it above, then try again.'
      : 'Sign in again, then come back and try again.';
    return 'Nothing was deleted: deleting your data needs a recent sign-in, and yours is too old. ' + how;
  }

  // ---- wiring ----------------------------------------------------------------------------------

  function start() {
    showCallbackResult();
    refreshTokenNotice();
    setUpTokenForm();
    $('x-connect').addEventListener('click', function () { void connectX(); });
    $('x-disconnect').addEventListener('click', function () { void disconnectX(); });
    $('export-start').addEventListener('click', function () { void startExport(); });
    $('delete-open').addEventListener('click', openDeleteDialog);
    $('delete-cancel').addEventListener('click', closeDeleteDialog);
    $('delete-confirm').addEventListener('click', function () { void confirmDelete(); });
    void loadNotices();
    void loadConsent();
  }

  start();
})();
