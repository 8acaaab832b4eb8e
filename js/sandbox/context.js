'use strict';
// context.js: one request/response pair as the handlers see it: parsed URL and query, the body
// read on demand, credentials from the Authorization header, and reply helpers. Every reply goes
// through send(), which adds the no-cache headers and appends to the request log (platform,
// endpoint, method, status, time, and an OAuth endpoint's error code: never a parameter value,
// so never a code or token; see request_log.js).
//
// Answers of a `refresh` endpoint are held back by the refreshDelayMs knob: by the time send()
// runs the handler has already committed the refresh (new tokens, rotation), so a client that
// dies during the wait has lost that answer for good, as it would on a slow network.
const { readBody, parseForm, parseJson, Fields } = require('./body');
const { takeForcedFailure } = require('./failures');
const { oauthErrorOf } = require('./request_log');
const { platformSetting } = require('./knobs');

const COMMON_HEADERS = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
});

const HTML_HEADERS = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
});

const JSON_TYPE = 'application/json; charset=utf-8';

/** formDecode: one half of HTTP Basic credentials, form-decoded per RFC 6749 §2.3.1. */
function formDecode(text) {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

class RequestContext {
  constructor(req, res, { clock, log, knobs, url }) {
    this.req = req;
    this.res = res;
    this.clock = clock;
    this.log = log;
    this.knobs = knobs;
    this.method = req.method;
    this.url = url;
    this.path = url.pathname;
    this.query = Fields.fromSearchParams(url.searchParams);
    this.platform = null; // the platform module serving this request, if any
    this.endpoint = null;
    this.answered = false;
    this.bodyRead = null;
  }

  // ---- input ------------------------------------------------------------------------------------

  body() {
    if (!this.bodyRead) this.bodyRead = readBody(this.req);
    return this.bodyRead;
  }

  /** readForm: the body's fields (urlencoded or multipart). */
  async readForm() {
    return parseForm(await this.body(), this.req.headers['content-type']);
  }

  /** readJson: the body parsed as JSON, or undefined. */
  async readJson() {
    return parseJson(await this.body());
  }

  /** bearer: the token of an `Authorization: Bearer` header, or null. */
  bearer() {
    const header = this.req.headers.authorization;
    const found = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    return found ? found[1] : null;
  }

  /** hasBasicAuth: whether the request carries an `Authorization: Basic` header at all. */
  hasBasicAuth() {
    const header = this.req.headers.authorization;
    return typeof header === 'string' && /^Basic(\s|$)/i.test(header);
  }

  /** basicCredentials: `{ clientId, clientSecret }` from HTTP Basic, or null if absent/garbled. */
  basicCredentials() {
    const header = this.req.headers.authorization;
    const found = typeof header === 'string' ? /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header) : null;
    if (!found) return null;
    const decoded = Buffer.from(found[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  }

  // ---- output -----------------------------------------------------------------------------------

  record(status, errorFields = null) {
    this.log.add({
      platform: this.platform ? this.platform.name : null,
      endpoint: this.endpoint,
      method: this.method,
      status,
      at: this.clock.now(),
      ...errorFields,
    });
  }

  /** refreshDelayMs: how long this answer is held back (refresh endpoints only). */
  refreshDelayMs() {
    if (this.endpoint !== 'refresh' || !this.platform) return 0;
    const delay = Number(platformSetting(this.knobs, this.platform.name, 'refreshDelayMs'));
    return Number.isFinite(delay) && delay > 0 ? delay : 0;
  }

  /**
   * send: the one way out. Ignored when the request was already answered. The log entry is
   * written when the answer is decided, even if it is then held back (refreshDelayMs).
   */
  send(status, headers, body = '', errorFields = null) {
    if (this.answered || this.res.headersSent) return;
    const payload = Buffer.from(body, 'utf8');
    const head = { ...COMMON_HEADERS, ...headers, 'content-length': payload.length };
    const delay = this.refreshDelayMs();
    if (delay === 0) {
      // writeHead throws on a bad status or header value; the request then stays unanswered and
      // the server's catch-all can still send its 500.
      this.res.writeHead(status, head);
      this.answered = true;
      this.record(status, errorFields);
      this.res.end(payload);
      return;
    }
    this.answered = true;
    this.record(status, errorFields);
    const timer = setTimeout(() => {
      if (this.res.destroyed || this.res.headersSent) return;
      try {
        this.res.writeHead(status, head);
        this.res.end(payload);
      } catch {
        this.res.destroy();
      }
    }, delay);
    // The wait must not keep a closing process alive; a client still waiting keeps its socket
    // (and so the process) alive by itself.
    timer.unref();
  }

  json(status, value, headers = {}) {
    this.send(status, { 'content-type': JSON_TYPE, ...headers }, JSON.stringify(value), oauthErrorOf(this.endpoint, value));
  }

  /** rawJson: JSON text written by the caller (to keep big integer literals intact). */
  rawJson(status, text, headers = {}) {
    this.send(status, { 'content-type': JSON_TYPE, ...headers }, text);
  }

  html(status, text) {
    this.send(status, HTML_HEADERS, text);
  }

  redirect(location) {
    this.send(302, { location, 'content-type': 'text/plain; charset=utf-8' }, 'Redirecting back to the app.\n');
  }

  /** hang: never answer; the connection stays open until the client gives up or the sandbox closes. */
  hang() {
    this.answered = true;
    this.record(0);
  }

  /**
   * begin: names the endpoint being served and applies a forced failure if one is set for it.
   * Returns true when the request has been dealt with (the handler must stop).
   */
  begin(endpoint) {
    this.endpoint = endpoint;
    const failure = takeForcedFailure(this.knobs, this.platform.name, endpoint);
    if (!failure) return false;
    if (failure.hang) {
      this.hang();
      return true;
    }
    const mode = failure.error200 ? 'error200' : 'status';
    const status = failure.error200 ? 200 : failure.status;
    if (mode === 'status' && typeof failure.body === 'string') {
      const looksJson = /^\s*[[{]/.test(failure.body);
      const extra = status === 503 || status === 429 ? { 'retry-after': '1' } : {};
      this.send(status, { 'content-type': looksJson ? JSON_TYPE : 'text/plain; charset=utf-8', ...extra }, failure.body);
      return true;
    }
    const made = this.platform.forcedError(endpoint, mode, status);
    const extra = status === 503 || status === 429 ? { 'retry-after': '1' } : {};
    if (made.html !== undefined) this.send(status, { ...HTML_HEADERS, ...extra }, made.html);
    else this.json(status, made.json, extra);
    return true;
  }
}

module.exports = { RequestContext };
