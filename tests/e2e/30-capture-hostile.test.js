'use strict';
// 30-capture-hostile: bad input never ends the flow or the server. After each hostile request the
// server must still capture the real callback (assertStillCaptures). Also: the paste race, the
// timeout and cancellation, each releasing the port.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const capture = require('../../js/lib/capture');
const { KeryxError, codes } = require('../../js/lib/errors');
const h = require('./helpers');

const DEADLINE = { timeout: 30000 };
const startHttp = (extra = {}) => capture.start({ mode: 'http', path: '/callback', timeoutMs: 25000, ...extra });
const startTls = async (extra = {}) => capture.start(await h.httpsRangeOptions({ path: '/callback', timeoutMs: 25000, ...extra }));

/** assertStillCaptures: the flow is still waiting, and a real callback with the right state wins. */
async function assertStillCaptures(cap) {
  assert.equal(await h.isPending(cap.result), true, 'the flow must still be waiting');
  const code = h.randomCode();
  const res = await h.httpGet(h.callbackUrl(cap.redirectUri, { code, state: cap.state }));
  assert.equal(res.status, 200);
  assert.match(res.body, /data-result="success"/);
  assert.ok(!res.body.includes(code) && !res.body.includes(cap.state), 'the page must not echo code or state');
  const got = await h.withTimeout(cap.result, 5000, 'capture result');
  assert.deepEqual({ ...got }, { code, state: cap.state, source: 'callback' });
}

/** hostile: one test: start a capture, run `attack`, then prove the server still captures. */
function hostile(name, start, attack) {
  test(name, DEADLINE, async () => {
    const cap = await start();
    try {
      await attack(cap);
      await assertStillCaptures(cap);
    } finally {
      await cap.close();
    }
  });
}

/** assertErrorOrClosed: the raw answer was an HTTP 4xx/5xx, or nothing at all with the server closing. */
function assertErrorOrClosed(r, label) {
  const text = r.data.toString('latin1');
  assert.equal(r.timedOut, false, `${label}: the server must answer or close, not hang`);
  if (text.length > 0) assert.match(text, /^HTTP\/1\.1 [45]\d\d /, `${label}: unexpected answer`);
  else assert.equal(r.closedByPeer, true, `${label}: the server must close the connection`);
}

/** storm: `total` connections of random bytes, `concurrency` at a time, each half-closed then closed. */
async function storm(port, total = 1000, concurrency = 50) {
  let next = 0;
  const tally = { answered: 0, closed: 0, hung: 0, ok200: 0 };
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const junk = crypto.randomBytes(1 + crypto.randomInt(1024));
      const chunk = i % 2 ? Buffer.concat([junk, Buffer.from('\r\n\r\n')]) : junk;
      const r = await h.rawSend({ port, chunks: [chunk], end: true, timeoutMs: 3000 });
      if (r.timedOut) tally.hung++;
      else if (r.data.length > 0) tally.answered++;
      else tally.closed++;
      if (r.data.toString('latin1').startsWith('HTTP/1.1 200')) tally.ok200++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}

hostile('wrong state: 400, nothing echoed, the flow keeps waiting', startHttp, async (cap) => {
  const code = h.randomCode();
  const wrong = crypto.randomBytes(32).toString('base64url');
  const res = await h.httpGet(h.callbackUrl(cap.redirectUri, { code, state: wrong }));
  assert.equal(res.status, 400);
  assert.match(res.body, /data-result="rejected"/);
  assert.match(res.body, /state_mismatch/);
  for (const secret of [code, wrong, cap.state]) assert.ok(!res.body.includes(secret), 'nothing echoed');
});

test('error=access_denied with the right state ends the flow with platform_rejected', DEADLINE, async () => {
  const cap = await startHttp();
  try {
    const url = h.callbackUrl(cap.redirectUri, { error: 'access_denied', error_description: 'denied by user', state: cap.state });
    const res = await h.httpGet(url);
    assert.equal(res.status, 200);
    assert.match(res.body, /data-result="failure"/);
    assert.ok(!res.body.includes(cap.state));
    await assert.rejects(h.withTimeout(cap.result, 5000, 'capture result'), (err) => {
      assert.ok(err instanceof KeryxError);
      assert.equal(err.code, codes.PLATFORM_REJECTED);
      assert.match(err.message, /access_denied \(denied by user\)/);
      return true;
    });
    // The flow is over: a later callback finds no listener, and the port is free.
    await assert.rejects(h.httpGet(h.callbackUrl(cap.redirectUri, { code: 'late', state: cap.state })), { code: 'ECONNREFUSED' });
    assert.equal(await h.canListen(cap.port), true);
  } finally {
    await cap.close();
  }
});

hostile('missing code: 400 missing_code', startHttp, async (cap) => {
  const res = await h.httpGet(h.callbackUrl(cap.redirectUri, { state: cap.state }));
  assert.equal(res.status, 400);
  assert.match(res.body, /missing_code/);
  assert.ok(!res.body.includes(cap.state));
});

hostile('a 64 KiB header gets an error or a close, not a crash', startHttp, async (cap) => {
  const request = `GET /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
  assertErrorOrClosed(await h.rawSend({ port: cap.port, chunks: [request] }), '64 KiB header');
});

for (const [kind, start] of [['http', startHttp], ['TLS', startTls]]) {
  hostile(`1,000 garbage connections against the ${kind} port`, start, async (cap) => {
    const began = Date.now();
    const tally = await storm(cap.port);
    const elapsed = Date.now() - began;
    assert.equal(tally.answered + tally.closed + tally.hung, 1000);
    assert.equal(tally.hung, 0, 'every garbage connection must be answered or closed');
    assert.equal(tally.ok200, 0);
    assert.ok(elapsed < 20000, `the storm took ${elapsed} ms`);
  });
}

test('a slowloris connection does not block the real callback', DEADLINE, async () => {
  const cap = await startHttp();
  try {
    await slowloris(cap);
  } finally {
    await cap.close();
  }
});

async function slowloris(cap) {
  const partial = `GET /callback?code=slow&state=${cap.state}`; // never finished
  const slow = h.rawSend({ port: cap.port, chunks: [...partial.slice(0, 15)], gapMs: 200, timeoutMs: 8000 });
  await h.delay(1000);
  const began = Date.now();
  await assertStillCaptures(cap);
  assert.ok(Date.now() - began < 2000, 'the callback must not wait for the slow client');
  await cap.close(); // ends lingering connections
  const r = await slow;
  assert.equal(r.timedOut, false, 'close() must end the slow connection');
  assert.ok(!r.data.toString('latin1').startsWith('HTTP/1.1 200'));
}

// The pool handles max_connections (16) connections at once and read_timeout (5 s) restarts at each
// byte, so 17 clients sending one byte every 200 ms would hold every worker. The server's reaper
// ends connections older than 1 s while others queue for a worker, so the callback gets through.
test('17 slowloris connections (more than max_connections) do not block the callback', { ...DEADLINE }, async () => {
  const cap = await startHttp();
  const slow = [];
  try {
    // Staggered, so every slow client is connected and holding a worker before the callback.
    for (let i = 0; i < 17; i++) {
      slow.push(h.rawSend({ port: cap.port, chunks: [...'GET /callback?code=slow'], gapMs: 200, timeoutMs: 8000 }));
      await h.delay(20);
    }
    await h.delay(300);
    const res = await h.httpGet(h.callbackUrl(cap.redirectUri, { code: h.randomCode(), state: cap.state }), { timeoutMs: 2000 });
    assert.equal(res.status, 200);
  } finally {
    await cap.close();
    await Promise.all(slow);
  }
});

hostile('plain-text HTTP to the TLS port does not capture', startTls, async (cap) => {
  const request = `GET /callback?code=${h.randomCode()}&state=${cap.state} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
  const r = await h.rawSend({ port: cap.port, chunks: [request] });
  assert.equal(r.timedOut, false);
  assert.ok(!r.data.toString('latin1').includes('HTTP/1.1 200'), 'no page over plain text');
});

hostile('/favicon.ico gets 404', startHttp, async (cap) => {
  const res = await h.httpGet(`http://127.0.0.1:${cap.port}/favicon.ico`);
  assert.equal(res.status, 404);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
});

hostile('a URI over 8 KiB is refused', startHttp, async (cap) => {
  const url = h.callbackUrl(cap.redirectUri, { code: h.randomCode(), state: 'wrong', pad: 'a'.repeat(9000) });
  assert.ok(url.length > 8192);
  const res = await h.httpGet(url);
  assert.equal(res.status, 414);
});

hostile('a POST with a big body to the callback path gets 405', startHttp, async (cap) => {
  const body = Buffer.alloc(64 * 1024, 'a');
  const res = await h.httpGet(h.callbackUrl(cap.redirectUri, { code: h.randomCode(), state: cap.state }), { method: 'POST', body });
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'GET');
});

test('paste: a bare code wins', DEADLINE, async () => {
  const cap = await startHttp();
  try {
    const code = h.randomCode();
    assert.equal(cap.offer(`  ${code}\n`), null);
    const got = await h.withTimeout(cap.result, 5000, 'capture result');
    assert.equal(got.code, code);
    assert.equal(got.source, 'paste');
  } finally {
    await cap.close();
  }
});

test('paste: the full redirected URL with the right state wins', DEADLINE, async (t) => {
  const cap = await startHttp();
  try {
    const code = h.randomCode();
    assert.equal(cap.offer(h.callbackUrl(cap.redirectUri, { code, state: cap.state })), null);
    const got = await h.withTimeout(cap.result, 5000, 'capture result');
    assert.equal(got.code, code);
    assert.equal(got.source, 'paste');
    // The result carries the state the pasted URL came with ("" only for a bare code).
    await t.test('the result carries the pasted URL\'s state', () => {
      assert.equal(got.state, cap.state);
    });
  } finally {
    await cap.close();
  }
});

hostile('paste: a URL with the wrong state is refused with state_mismatch', startHttp, async (cap) => {
  const wrong = crypto.randomBytes(32).toString('base64url');
  const refused = cap.offer(h.callbackUrl(cap.redirectUri, { code: h.randomCode(), state: wrong }));
  assert.ok(refused instanceof KeryxError);
  assert.equal(refused.code, codes.STATE_MISMATCH);
  assert.ok(!refused.message.includes(wrong) && !refused.message.includes(cap.state), 'no state in the message');
});

test('paste wins while the server waits; the port is released and a late callback gets no 200', DEADLINE, async () => {
  const cap = await startHttp();
  try {
    const code = h.randomCode();
    assert.equal(cap.offer(code), null);
    const got = await h.withTimeout(cap.result, 5000, 'capture result');
    assert.equal(got.code, code);
    assert.equal(await h.canListen(cap.port), true, 'the port is free once the result is in');
    await cap.close();
    assert.equal(await h.canListen(cap.port), true);
    const late = await h.httpGet(h.callbackUrl(cap.redirectUri, { code: h.randomCode(), state: cap.state })).then(
      (res) => res.status,
      (err) => err.code,
    );
    assert.ok(late === 'ECONNREFUSED' || late === 409, `the losing callback got ${late}`);
    assert.equal(cap.offer(h.randomCode()).code, codes.ALREADY_FINISHED);
  } finally {
    await cap.close();
  }
});

test('timeoutMs: 300 rejects with capture_timeout and releases the port', DEADLINE, async () => {
  const began = Date.now();
  const cap = await startHttp({ timeoutMs: 300 });
  try {
    await assert.rejects(h.withTimeout(cap.result, 5000, 'capture result'), { name: 'KeryxError', code: codes.CAPTURE_TIMEOUT });
    const elapsed = Date.now() - began;
    assert.ok(elapsed >= 250 && elapsed < 3000, `timed out after ${elapsed} ms`);
    assert.equal(await h.canListen(cap.port), true);
  } finally {
    await cap.close();
  }
});

test('an AbortSignal abort rejects with cancelled and releases the port', DEADLINE, async () => {
  const controller = new AbortController();
  const cap = await startTls({ signal: controller.signal });
  try {
    assert.equal(await h.isPending(cap.result), true);
    controller.abort();
    await assert.rejects(h.withTimeout(cap.result, 5000, 'capture result'), { name: 'KeryxError', code: codes.CANCELLED });
    assert.equal(await h.canListen(cap.port, '::1'), true);
    assert.equal(await h.canListen(cap.port, '127.0.0.1'), true);
  } finally {
    await cap.close();
  }
  await assert.rejects(startHttp({ signal: AbortSignal.abort() }), { code: codes.CANCELLED });
});
