// window.RepazooApi: what the privacy page and the operator console share to call the JSON API.
// The bearer token lives in sessionStorage['repazoo.token'] (the host application puts it there;
// in embedded mode the pages let the person paste one). No call sends cookies, except where the
// caller asks for it (/api/twitter/connect must let the browser store its HttpOnly state cookie).
// No framework, no build step; loaded before each page's own script (both are `defer`).
(function () {
  'use strict';

  var TOKEN_KEY = 'repazoo.token';
  var NETWORK_ERROR = 'Could not reach the server. Check your connection and try again.';
  var NO_TOKEN = 'You are not signed in: no access token was found. Sign in again, then reload this page.';

  function readToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  }

  function storeToken(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  }

  /** `status` 0 means the server was not reached (or gave nothing usable); `code` is the API's error code. */
  function ApiError(message, status, code) {
    this.message = message;
    this.status = status;
    this.code = code || '';
  }

  /** The most useful message of an error body: `{ ok: false, error }` or `{ statusCode, code, message }`. */
  function messageOf(body) {
    if (!body || typeof body !== 'object') return '';
    if (typeof body.error === 'string' && body.ok === false) return body.error;
    if (Array.isArray(body.message)) return body.message.join(' ');
    if (typeof body.message === 'string') return body.message;
    return '';
  }

  /**
   * Calls the API with the stored token; resolves to the parsed JSON body (null for 204) or
   * rejects with an ApiError. options.body is sent as JSON; options.storeCookies lets the browser
   * keep cookies the response sets (same origin only).
   */
  async function call(method, path, options) {
    var token = readToken();
    if (!token) throw new ApiError(NO_TOKEN, 401, 'NO_TOKEN');
    var body = options && options.body;
    var headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: options && options.storeCookies ? 'same-origin' : 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(NETWORK_ERROR, 0);
    }
    var parsed = null;
    if (response.status !== 204) parsed = await response.json().catch(function () { return null; });
    if (!response.ok || (parsed && parsed.ok === false)) {
      var code = parsed && typeof parsed.code === 'string' ? parsed.code : '';
      throw new ApiError(messageOf(parsed) || 'The request failed (HTTP ' + response.status + ').', response.status, code);
    }
    return parsed;
  }

  window.RepazooApi = Object.freeze({
    NETWORK_ERROR: NETWORK_ERROR,
    ApiError: ApiError,
    readToken: readToken,
    storeToken: storeToken,
    call: call,
  });
})();
