'use strict';
// 20-capture-ports: port choice and bound addresses. This is the ONE file that uses Meta's real
// callback range 3764-3769 (every other suite picks free ports), so it runs its tests in order.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const os = require('node:os');

const capture = require('../../js/lib/capture');
const { codes } = require('../../js/lib/errors');
const h = require('./helpers');

const META = [3764, 3765, 3766, 3767, 3768, 3769];
const DEADLINE = { timeout: 30000 };

/** rangeFree: waits (bounded, ~5 s) until no listener holds a Meta port; false if one still does. */
async function rangeFree() {
  for (let i = 0; i < 25; i++) {
    const busy = [];
    for (const port of META) if (!(await h.canListen(port, '::'))) busy.push(port);
    if (busy.length === 0) return true;
    await h.delay(200);
  }
  return false;
}

/** skipUnlessRangeFree: skips `t` when something outside this suite holds a Meta port. */
async function skipUnlessRangeFree(t) {
  if (await rangeFree()) return false;
  t.skip('a Meta port (3764-3769) is held by another process on this machine');
  return true;
}

/** capturesVia: a real callback through `base` (the redirect URI rewritten to one address). */
async function capturesVia(cap, base) {
  const code = h.randomCode();
  const res = await h.httpGet(h.callbackUrl(base, { code, state: cap.state }));
  assert.equal(res.status, 200);
  assert.match(res.body, /data-result="success"/);
  const got = await h.withTimeout(cap.result, 5000, 'capture result');
  assert.equal(got.code, code);
  assert.equal(got.source, 'callback');
}

/** notFoundVia: a GET of an unknown path through `origin` answers 404 (the address is served). */
async function notFoundVia(origin) {
  const res = await h.httpGet(`${origin}/not-the-callback`);
  assert.equal(res.status, 404, `${origin} should be served`);
}

/** nonLoopbackAddress: one of this machine's own non-loopback addresses (IPv4 first), or null. */
function nonLoopbackAddress() {
  const all = Object.values(os.networkInterfaces()).flat().filter((a) => a && !a.internal);
  const v4 = all.find((a) => a.family === 'IPv4');
  const v6 = all.find((a) => a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80'));
  return (v4 || v6 || {}).address || null;
}

test('https-range skips busy 3764 and 3765 and binds 3766', DEADLINE, async (t) => {
  if (await skipUnlessRangeFree(t)) return;
  const held = [await h.occupy(3764, '::'), await h.occupy(3765, '0.0.0.0')];
  let cap;
  try {
    cap = await capture.start({ mode: 'https-range', timeoutMs: 20000 });
    assert.equal(cap.port, 3766);
    assert.equal(cap.redirectUri, 'https://localhost:3766/');
    assert.deepEqual([...cap.skippedPorts], [3764, 3765]);
    assert.equal(cap.tls, true);
    await capturesVia(cap, 'https://127.0.0.1:3766/');
  } finally {
    if (cap) await cap.close();
    await h.release(...held);
  }
});

test('https-range with all of 3764-3769 busy rejects with port_range_busy naming the range', DEADLINE, async (t) => {
  if (await skipUnlessRangeFree(t)) return;
  const held = [];
  try {
    for (const port of META) held.push(await h.occupy(port, port % 2 ? '0.0.0.0' : '::'));
    await assert.rejects(capture.start({ mode: 'https-range', timeoutMs: 20000 }), (err) => {
      assert.equal(err.name, 'KeryxError');
      assert.equal(err.code, codes.PORT_RANGE_BUSY);
      assert.match(err.message, /3764-3769/);
      return true;
    });
    for (const server of held) assert.ok(server.listening, 'the holders keep their ports');
  } finally {
    await h.release(...held);
  }
});

test('pinned mode on a port already in use rejects with port_in_use and says which port', DEADLINE, async () => {
  const port = await h.freePort();
  const holder = await h.occupy(port, '127.0.0.1');
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  try {
    await assert.rejects(capture.start({ mode: 'pinned', redirectUri, timeoutMs: 20000 }), (err) => {
      assert.equal(err.code, codes.PORT_IN_USE);
      assert.match(err.message, new RegExp(`port ${port} .*in use`));
      return true;
    });
  } finally {
    await h.release(holder);
  }
  // The same pin works once the port is free: the refusal above was about the port, not the URI.
  const cap = await capture.start({ mode: 'pinned', redirectUri, timeoutMs: 20000 });
  try {
    assert.equal(cap.port, port);
    assert.equal(cap.redirectUri, redirectUri);
    assert.deepEqual([...cap.boundAddresses], ['127.0.0.1']);
    await capturesVia(cap, redirectUri);
  } finally {
    await cap.close();
  }
});

test("listen: 'loopback' binds 127.0.0.1 and ::1 only", DEADLINE, async (t) => {
  if (await skipUnlessRangeFree(t)) return;
  const cap = await capture.start({ mode: 'https-range', listen: 'loopback', timeoutMs: 20000 });
  try {
    assert.equal(cap.port, 3764);
    assert.deepEqual([...cap.boundAddresses], ['127.0.0.1', '::1']);
    assert.deepEqual([...cap.skippedPorts], []);
    await notFoundVia('https://127.0.0.1:3764');
    await notFoundVia('https://[::1]:3764');
    await capturesVia(cap, 'https://[::1]:3764/');
  } finally {
    await cap.close();
  }
});

test("listen default binds '::' (all interfaces), reachable on 127.0.0.1 and ::1", DEADLINE, async (t) => {
  if (await skipUnlessRangeFree(t)) return;
  const cap = await capture.start({ mode: 'https-range', timeoutMs: 20000 });
  try {
    assert.equal(cap.port, 3764);
    assert.deepEqual([...cap.boundAddresses], ['::']);
    await notFoundVia('https://127.0.0.1:3764');
    await notFoundVia('https://[::1]:3764');
    await capturesVia(cap, 'https://127.0.0.1:3764/');
  } finally {
    await cap.close();
  }
});

test('http mode binds only 127.0.0.1', DEADLINE, async (t) => {
  const cap = await capture.start({ mode: 'http', timeoutMs: 20000 });
  try {
    assert.deepEqual([...cap.boundAddresses], ['127.0.0.1']);
    assert.equal(cap.redirectUri, `http://127.0.0.1:${cap.port}/`);
    await notFoundVia(`http://127.0.0.1:${cap.port}`);
    assert.equal(await h.connectError(cap.port, '::1'), 'ECONNREFUSED');
    await t.test("a connection to this machine's non-loopback address is refused", async (st) => {
      const address = nonLoopbackAddress();
      if (!address) {
        st.skip('this machine has no non-loopback address');
        return;
      }
      assert.equal(await h.connectError(cap.port, address), 'ECONNREFUSED');
    });
    await capturesVia(cap, cap.redirectUri);
  } finally {
    await cap.close();
  }
});
