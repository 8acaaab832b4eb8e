'use strict';
// capture.js: the authorization-code capture: a loopback server (http, https on a port range with
// an in-memory certificate, or a pinned redirect URI) racing a pasted code or URL. First wins.
const { load } = require('./native');
const { KeryxError, codes, fromNative, awaitNative } = require('./errors');
const pkce = require('./pkce');

const MODES = ['http', 'https-range', 'pinned'];
const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

function validate(options) {
  const o = { mode: 'http', path: '/', timeoutMs: DEFAULT_TIMEOUT_MS, ...options };
  if (!MODES.includes(o.mode)) throw new KeryxError(codes.INVALID_ARGUMENT, `mode must be one of ${MODES.join(', ')}`);
  if (o.mode === 'pinned' && typeof o.redirectUri !== 'string') {
    throw new KeryxError(codes.INVALID_ARGUMENT, "mode 'pinned' needs redirectUri");
  }
  if (typeof o.path !== 'string' || !o.path.startsWith('/')) {
    throw new KeryxError(codes.INVALID_ARGUMENT, "path must start with '/'");
  }
  if (!Number.isInteger(o.timeoutMs) || o.timeoutMs <= 0) {
    throw new KeryxError(codes.INVALID_ARGUMENT, 'timeoutMs must be a positive integer');
  }
  if (o.listen !== undefined && o.listen !== 'all' && o.listen !== 'loopback') {
    throw new KeryxError(codes.INVALID_ARGUMENT, "listen must be 'all' or 'loopback'");
  }
  if (o.state === undefined) o.state = pkce.state();
  if (typeof o.state !== 'string') throw new KeryxError(codes.INVALID_ARGUMENT, 'state must be a string');
  return o;
}

/**
 * start: binds the capture server and resolves once it accepts connections (open the browser only
 * after this). Options: `mode` ('http' loopback on an ephemeral port | 'https-range' first free of
 * `rangeFirst`-`rangeLast`, default 3764-3769 | 'pinned' exactly `redirectUri`), `path` (default
 * '/'), `host` ('127.0.0.1' or 'localhost', http mode), `listen` ('all' | 'loopback', https-range),
 * `state` (default: a fresh 256-bit one), `timeoutMs` (default 300000), `signal` (AbortSignal),
 * `appName` (shown on the browser pages).
 *
 * Resolves to a Capture: `{ redirectUri, port, tls, pasteOnly, certPem, boundAddresses, skippedPorts, state,
 * result, offer(text), cancel(), close() }`. `result` resolves to `{ code, state, source }` (the
 * code is a secret: never print it) or rejects with a KeryxError (platform_rejected,
 * capture_timeout, cancelled). The server closes itself once the result is in.
 */
async function start(options = {}) {
  const o = validate(options);
  if (o.signal && o.signal.aborted) throw new KeryxError(codes.CANCELLED, 'the authorization was cancelled');
  let settle;
  const result = new Promise((resolve, reject) => {
    settle = (err, value) => (err ? reject(fromNative(err)) : resolve(value));
  });
  result.catch(() => {}); // a result nobody awaits must not become an unhandled rejection
  const { signal, ...nativeOptions } = o;
  const handle = await awaitNative(load().captureStart(nativeOptions, (err, value) => settle(err, value)));

  let closing = null;
  const close = () => {
    if (!closing) closing = handle.close();
    return closing;
  };
  const onAbort = () => handle.cancel();
  if (signal) signal.addEventListener('abort', onAbort, { once: true });
  result.then(
    () => undefined,
    () => undefined,
  ).finally(() => {
    if (signal) signal.removeEventListener('abort', onAbort);
    close();
  });

  return {
    redirectUri: handle.redirectUri,
    port: handle.port,
    tls: handle.tls,
    pasteOnly: handle.pasteOnly,
    certPem: handle.certPem,
    boundAddresses: handle.boundAddresses,
    skippedPorts: handle.skippedPorts,
    state: o.state,
    result,
    /** offer: pasted text; null when it decided the flow, else a KeryxError saying why it was refused. */
    offer(text) {
      if (typeof text !== 'string') throw new KeryxError(codes.INVALID_ARGUMENT, 'offer() takes a string');
      const refused = handle.offer(text);
      return refused ? fromNative(refused) : null;
    },
    /** cancel: ends the flow with `cancelled` (no effect once it has a result). */
    cancel() {
      handle.cancel();
    },
    /** close: cancels if still waiting, stops the server and releases the port. */
    close,
  };
}

module.exports = { start, DEFAULT_TIMEOUT_MS };
