'use strict';
// 30-http: keryx's HTTP client from JS against a real Node http server on 127.0.0.1: the exact
// bytes received, responses, limits, error codes, validation, and that requests run off the loop.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { request, json } = require('../../js/lib/http');
const { KeryxError } = require('../../js/lib/errors');
const { version } = require('../../package.json');

for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) {
  delete process.env[name]; // loopback requests must not go to a proxy from the test machine
}

let server;
let base;
const seen = [];
const timers = new Set();

function routes(req, res, body) {
  const url = new URL(req.url, base);
  seen.push({ method: req.method, path: url.pathname, query: url.search, headers: req.headers, body });
  switch (url.pathname) {
    case '/echo':
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-multi', ['one', 'two']);
      return res.end(JSON.stringify({ method: req.method, body }));
    case '/error':
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end('{"error":"invalid_grant","error_description":"Bad code"}');
    case '/slow': {
      const t = setTimeout(() => { timers.delete(t); res.end('late'); }, Number(url.searchParams.get('ms')));
      return timers.add(t);
    }
    case '/big':
      return res.end(Buffer.alloc(2 * 1024 * 1024, 'x'));
    case '/text':
      return res.end('access_token=S3CR3T&expires_in=3600');
    case '/redirect':
      res.writeHead(302, { location: '/echo' });
      return res.end();
    default:
      res.writeHead(404);
      return res.end();
  }
}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => routes(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const t of timers) clearTimeout(t);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function rejects(promise, code, check) {
  const err = await promise.then(() => assert.fail('expected a rejection'), (e) => e);
  assert.ok(err instanceof KeryxError, `not a KeryxError: ${err}`);
  assert.equal(err.code, code, err.message);
  if (check) check(err);
  return err;
}

test('a form POST sends the exact urlencoded body and headers', async () => {
  seen.length = 0;
  const res = await request({
    method: 'POST',
    url: `${base}/echo`,
    headers: { Authorization: 'Basic Y2xpZW50OnNlY3JldA==' },
    form: {
      grant_type: 'authorization_code',
      code: 'a+b&c=d e',
      redirect_uri: 'http://127.0.0.1:8123/cb',
      name: 'üñ 日本',
      empty: '',
    },
  });
  assert.equal(res.status, 200);
  const got = seen[0];
  assert.equal(got.method, 'POST');
  assert.equal(got.body,
    'grant_type=authorization_code&code=a%2Bb%26c%3Dd%20e&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcb' +
    '&name=%C3%BC%C3%B1%20%E6%97%A5%E6%9C%AC&empty=');
  assert.equal(new URLSearchParams(got.body).get('code'), 'a+b&c=d e');
  assert.equal(got.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(got.headers['user-agent'], `keryx/${version}`);
  assert.equal(got.headers.authorization, 'Basic Y2xpZW50OnNlY3JldA==');
  assert.equal(got.headers.expect, undefined);
});

test('json and raw bodies, response status, headers and body', async () => {
  seen.length = 0;
  const a = await request({ method: 'PUT', url: `${base}/echo?x=1`, json: { a: 'b', n: 1 } });
  const b = await request({ method: 'POST', url: `${base}/echo`, json: '[1,2]' });
  const c = await request({ method: 'POST', url: `${base}/echo`, body: Buffer.from([0x62, 0x69, 0x6e]) });
  assert.deepEqual(seen.map((s) => [s.method, s.query, s.headers['content-type'], s.body]), [
    ['PUT', '?x=1', 'application/json', '{"a":"b","n":1}'],
    ['POST', '', 'application/json', '[1,2]'],
    ['POST', '', 'application/octet-stream', 'bin'],
  ]);
  assert.equal(a.status, 200);
  assert.deepEqual(JSON.parse(a.body), { method: 'PUT', body: '{"a":"b","n":1}' });
  assert.equal(a.headers['content-type'], 'application/json');
  assert.deepEqual(a.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(a.headers['x-multi'], 'one, two');
  assert.ok(Object.keys(a.headers).every((k) => k === k.toLowerCase()));
  assert.equal(b.status, 200);
  assert.equal(c.status, 200);
});

test('a 4xx is a response, and json() parses it', async () => {
  const res = await json({ method: 'POST', url: `${base}/error`, form: { code: 'x' } });
  assert.equal(res.status, 400);
  assert.deepEqual(res.data, { error: 'invalid_grant', error_description: 'Bad code' });
  assert.equal(seen.at(-1).headers.accept, 'application/json');
  await json({ url: `${base}/echo`, headers: { accept: 'text/plain' } });
  assert.equal(seen.at(-1).headers.accept, 'text/plain');
});

test('json() rejects a non-JSON body with json_invalid and without its content', async () => {
  await rejects(json({ url: `${base}/text` }), 'json_invalid', (err) => {
    assert.equal(err.message, 'response body is not valid JSON (HTTP 200, 35 bytes)');
    assert.equal(err.cause, undefined);
  });
});

test('redirects are returned unless followRedirects is set', async () => {
  const raw = await request({ url: `${base}/redirect` });
  assert.equal(raw.status, 302);
  assert.equal(raw.headers.location, '/echo');
  const followed = await request({ url: `${base}/redirect`, followRedirects: true });
  assert.equal(followed.status, 200);
  assert.equal(JSON.parse(followed.body).method, 'GET');
});

test('timeoutMs gives timeout, without the query string in the message', async () => {
  const started = Date.now();
  const slow = request({ url: `${base}/slow?ms=3000&client_secret=S3CR3T`, timeoutMs: 200 });
  await rejects(slow, 'timeout', (err) => {
    assert.equal(err.message, `request to ${base}/slow timed out after 200 ms`);
    assert.ok(!err.stack.includes('S3CR3T'));
  });
  assert.ok(Date.now() - started < 2000);
});

test('the response cap gives response_too_large', async () => {
  await rejects(request({ url: `${base}/big` }), 'response_too_large', (err) => {
    assert.equal(err.message, `response body from ${base}/big exceeds 1048576 bytes`);
  });
  await rejects(request({ url: `${base}/text`, maxBytes: 10 }), 'response_too_large');
  const ok = await request({ url: `${base}/big`, maxBytes: 3 * 1024 * 1024 });
  assert.equal(ok.body.length, 2 * 1024 * 1024);
});

test('a refused connection gives network_error', async () => {
  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address();
  await new Promise((resolve) => closed.close(resolve));
  await rejects(request({ url: `http://127.0.0.1:${port}/token?code=S3CR3T` }), 'network_error', (err) => {
    assert.equal(err.message, `could not connect to http://127.0.0.1:${port}/token`);
  });
});

test('a slow request does not block the event loop, and requests run in parallel', async () => {
  let ticks = 0;
  const interval = setInterval(() => { ticks += 1; }, 10);
  const started = Date.now();
  try {
    const results = await Promise.all([1, 2, 3].map(() => request({ url: `${base}/slow?ms=500` })));
    assert.deepEqual(results.map((r) => r.body), ['late', 'late', 'late']);
  } finally {
    clearInterval(interval);
  }
  assert.ok(ticks >= 20, `only ${ticks} interval ticks during a 500 ms request`);
  assert.ok(Date.now() - started < 1400, 'the three requests ran one after another');
});

// makeCert: a self-signed P-256 certificate for 127.0.0.1 from the openssl CLI, or null without it.
function makeCert(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-nodes', '-days', '1', '-subj', '/CN=keryx test', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', key, '-out', cert], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert), caFile: cert };
}

test('https verifies caFile inside Node (its bundled OpenSSL) and fails without it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-http-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pem = makeCert(dir);
  if (!pem) return t.skip('the openssl CLI is not available');
  const tls = https.createServer({ key: pem.key, cert: pem.cert }, (req, res) => res.end('secure'));
  await new Promise((resolve) => tls.listen(0, '127.0.0.1', resolve));
  t.after(() => { tls.closeAllConnections(); tls.close(); });
  const url = `https://127.0.0.1:${tls.address().port}/hello`;
  const ok = await request({ url, caFile: pem.caFile });
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'secure');
  await rejects(request({ url: `${url}?code=S3CR3T` }), 'tls_error', (err) => {
    assert.ok(err.message.startsWith(`TLS with ${url} failed: `), err.message);
    assert.ok(!err.message.includes('S3CR3T'));
  });
});

test('invalid options are rejected in JS with precise messages', async () => {
  const cases = [
    [undefined, 'options must be an object'],
    [{}, 'url must be a non-empty string'],
    [{ url: 'not a url?secret=S3CR3T' }, 'url must be an absolute URL'],
    [{ url: 'ftp://127.0.0.1/x' }, 'url must use http: or https:'],
    [{ url: base, method: 'GE T' }, 'method must be an HTTP method such as GET or POST'],
    [{ url: base, headers: { 'Bad Name': 'x' } }, 'headers has an invalid header name: "Bad Name"'],
    [{ url: base, headers: { 'X-A': 'a\r\nInjected: 1' } }, 'headers.X-A must not contain CR, LF or NUL'],
    [{ url: base, headers: { 'X-A': 1 } }, 'headers.X-A must be a string'],
    [{ url: base, form: { code: 5 } }, 'form.code must be a string'],
    [{ url: base, form: {}, json: '{}' }, 'only one of form, json and body may be given (got form, json)'],
    [{ url: base, json: 5 }, 'json must be a string of JSON text, a plain object or an array'],
    [{ url: base, body: 5 }, 'body must be a string, a Buffer or a Uint8Array'],
    [{ url: base, method: 'HEAD', body: 'x' }, 'a HEAD request cannot have a body'],
    [{ url: base, timeoutMs: 0 }, 'timeoutMs must be a positive integer'],
    [{ url: base, connectTimeoutMs: 1.5 }, 'connectTimeoutMs must be a positive integer'],
    [{ url: base, maxBytes: -1 }, 'maxBytes must be a positive integer'],
    [{ url: base, caFile: '' }, 'caFile must be a non-empty path string'],
    [{ url: base, followRedirects: 'yes' }, 'followRedirects must be a boolean or an integer from 0 to 20'],
  ];
  for (const [options, message] of cases) {
    await rejects(request(options), 'invalid_argument', (err) => assert.equal(err.message, message));
  }
});
