'use strict';
// helpers.js: shared pieces of the e2e capture suites: a small HTTP(S) client that never verifies
// certificates (the capture server's certificate is self-signed and in-memory), a raw socket
// sender for malformed traffic, port occupation, and deadlines. Loopback only.
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');
const crypto = require('node:crypto');

/** withTimeout: `promise`, or a rejection naming `label` after `ms` milliseconds. */
function withTimeout(promise, ms, label = 'operation') {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** delay: resolves after `ms` milliseconds. */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** isPending: whether `promise` is still unsettled (checked after a short grace of `graceMs`). */
async function isPending(promise, graceMs = 50) {
  const marker = Symbol('pending');
  const settled = promise.then(
    () => 'resolved',
    () => 'rejected',
  );
  return (await Promise.race([settled, delay(graceMs).then(() => marker)])) === marker;
}

/**
 * httpGet: one request over http or https (certificate not verified, no agent, no proxy).
 * Resolves `{ status, headers, body }`; rejects with the socket error (e.g. ECONNREFUSED) or on
 * `timeoutMs` (default 5000). `options.method`, `options.headers`, `options.body` are optional.
 */
function httpGet(url, options = {}) {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const { method = 'GET', headers = {}, body, timeoutMs = 5000 } = options;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method, headers: { Connection: 'close', ...headers }, agent: false, rejectUnauthorized: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer from ${u.host} in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** callbackUrl: `redirectUri` with `params` (an object) as its query. */
function callbackUrl(redirectUri, params) {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** randomCode: a fake authorization code, distinct per call. */
const randomCode = () => `code-${crypto.randomBytes(12).toString('hex')}`;

/**
 * rawSend: opens a plain TCP (or `tls: true`, unverified) connection to `host`:`port`, writes
 * `chunks` (strings or Buffers; `gapMs` apart), optionally half-closes (`end`), and collects what
 * comes back until the peer closes or `timeoutMs` passes. Never rejects: resolves
 * `{ data: Buffer, error: code | null, closedByPeer, timedOut }`.
 */
function rawSend({ host = '127.0.0.1', port, tls: useTls = false, chunks = [], gapMs = 0, end = false, timeoutMs = 5000 }) {
  return new Promise((resolve) => {
    const received = [];
    let error = null;
    let closedByPeer = false;
    let timedOut = false;
    let done = false;
    const sock = useTls
      ? tls.connect({ host, port, rejectUnauthorized: false, servername: 'localhost' })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      timedOut = true;
      sock.destroy();
    }, timeoutMs);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ data: Buffer.concat(received), error, closedByPeer, timedOut });
    };
    sock.on('data', (c) => received.push(c));
    sock.on('end', () => {
      closedByPeer = true;
    });
    sock.on('error', (e) => {
      error = e.code || e.message;
      if (e.code === 'ECONNRESET') closedByPeer = true;
    });
    sock.on('close', finish);
    sock.once(useTls ? 'secureConnect' : 'connect', async () => {
      for (let i = 0; i < chunks.length && !sock.destroyed && !closedByPeer; i++) {
        if (i > 0 && gapMs > 0) await delay(gapMs);
        if (!sock.destroyed) sock.write(chunks[i]);
      }
      if (end && !sock.destroyed) sock.end();
    });
  });
}

/** occupy: a node:net server listening on `host`:`port` (rejects with EADDRINUSE if taken). */
function occupy(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => s.destroy());
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

/** release: closes servers made by occupy(). */
function release(...servers) {
  return Promise.all(servers.filter(Boolean).map((s) => new Promise((resolve) => s.close(() => resolve()))));
}

/** freePort: a port currently free on every interface, v4 and v6 (kernel-chosen, then released). */
async function freePort() {
  const server = await occupy(0, '::');
  const { port } = server.address();
  await release(server);
  return port;
}

/** canListen: whether a fresh server can listen on `host`:`port` right now (it is closed again). */
async function canListen(port, host = '127.0.0.1') {
  try {
    await release(await occupy(port, host));
    return true;
  } catch (err) {
    if (err.code === 'EADDRINUSE') return false;
    throw err;
  }
}

/** connectError: the error code of one TCP connect to `host`:`port` (null when it connected). */
function connectError(port, host = '127.0.0.1', timeoutMs = 3000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('ETIMEDOUT');
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(null);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      resolve(e.code || e.message);
    });
  });
}

/** httpsRangeOptions: https-range on one free port (never the Meta range), loopback only. */
async function httpsRangeOptions(extra = {}) {
  const port = await freePort();
  return { mode: 'https-range', rangeFirst: port, rangeLast: port, listen: 'loopback', ...extra };
}

module.exports = {
  withTimeout,
  delay,
  isPending,
  httpGet,
  callbackUrl,
  randomCode,
  rawSend,
  occupy,
  release,
  freePort,
  canListen,
  connectError,
  httpsRangeOptions,
};
