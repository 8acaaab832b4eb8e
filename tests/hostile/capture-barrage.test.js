'use strict';
// capture-barrage: thousands of hostile requests against a live capture server running in a child
// process (tests/hostile/capture-child.js), over http and over https, with bounded concurrency and
// real sockets. Measured from outside through /proc/<pid>: idle RSS, peak RSS (VmHWM), RSS after,
// open descriptors before / peak / after. Then the real callback must still be captured.
// Each run leaves test-artifacts/hostile-barrage-<mode>.json (see measure.js --report).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const net = require('node:net');

const h = require('../e2e/helpers');
const m = require('./measure');
const attacker = require('./attacker');

if (!m.hasProc()) {
  test('hostile suites measure through /proc (Linux only)', { skip: 'no /proc here' }, () => {});
  return;
}

const CHILD = path.join(__dirname, 'capture-child.js');
const TOTAL = Number(process.env.KERYX_HOSTILE_REQUESTS) || 3000; // first round, per mode
const CONCURRENCY = 50;
// Peak RSS over idle the barrage may cost. Measured on a 2-CPU box: 33-43 MiB over idle, with 16
// workers each holding at most one oversized request (a 1 MiB unterminated line, a 256 KiB header)
// plus their malloc arenas; 64 MiB leaves room for scheduling noise.
const PEAK_BOUND_KIB = 64 * 1024;
// How much may stay resident once the barrage is over: glibc keeps the worker threads' arenas (RSS
// after equals the peak here), so this is the same bound.
const AFTER_BOUND_KIB = 64 * 1024;
// The header flood stops once the server is this far over idle (uncapped it reached 200-770 MiB).
const FLOOD_STOP_KIB = 3 * PEAK_BOUND_KIB;
// The second round (1,000 more, other bytes, same classes) may add this much at most. Measured: four
// rounds of 3,000 in one process added 28, 11, 3 and 0.3 MiB (the arenas plateau) and the second
// round here adds 0-8 MiB; a leak of 24 KiB or more per request would fail it.
const ROUND2 = Math.ceil(TOTAL / 3);
const ROUND2_GROWTH_KIB = 24 * 1024;

/** startChild: the capture server in its own process; resolves `{ child, ready, events, next(ev) }`. */
async function startChild(options) {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events = [];
  const waiters = [];
  let stderr = '';
  let buf = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line);
      events.push(ev);
      for (const w of waiters.splice(0)) w();
    }
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  /** next: the first event named `name` (already seen or still to come). */
  const next = (name, ms = 10000) =>
    h.withTimeout(
      new Promise((resolve, reject) => {
        const look = () => {
          const ev = events.find((e) => e.event === name);
          if (ev) return resolve(ev);
          if (child.exitCode !== null) return reject(new Error(`capture child exited (${child.exitCode}) without '${name}': ${stderr}`));
          waiters.push(look);
          return undefined;
        };
        child.on('exit', look);
        look();
      }),
      ms,
      `capture child event '${name}'`,
    );
  const ready = await next('ready');
  return { child, ready, events, next, exited, stderr: () => stderr };
}

/** stop: asks the child to close its capture and exit; kills it if it does not. */
async function stop(c) {
  if (c.child.exitCode !== null) return c.exited;
  c.child.stdin.end('exit\n');
  try {
    return await h.withTimeout(c.exited, 5000, 'capture child exit');
  } catch {
    c.child.kill('SIGKILL');
    return c.exited;
  }
}

/** warmUp: a few ordinary refused requests, so thread pools and allocators are in their idle shape. */
async function warmUp(ready, scheme) {
  for (let i = 0; i < 20; i++) {
    await h.httpGet(`${scheme}://127.0.0.1:${ready.port}/warm-up-${i}`).catch(() => null);
  }
  await m.delay(300);
}

// Outcomes each class may end with, beyond the common ones (an HTTP 4xx, a close, a reset).
const COMMON = /^(4\d\d|closed|reset)$/;
const EXPECT = {
  'wrong state': /^(400|414|closed|reset)$/,
  'duplicate or invalid parameters with the right state': /^(400|404|405|closed|reset)$/,
  'TLS: random bytes': /^(closed|reset|tls-alert)$/,
  'TLS: truncated ClientHello': /^(closed|reset|tls-alert)$/,
  'TLS: corrupted ClientHello': /^(closed|reset|tls-alert|tls-handshake)$/, // some corruptions still parse
  'TLS: other record shapes': /^(closed|reset|tls-alert|tls-handshake)$/, // two ClientHellos: the first parses
  'TLS: plain HTTP with the right state': /^(closed|reset|tls-alert)$/,
  'TLS: handshake then close': /^(closed|reset)$/,
};

for (const mode of ['http', 'https']) {
  test(`${TOTAL} + ${ROUND2} hostile requests against the ${mode} capture server: bounded memory, no fd leak, the callback still wins`, { timeout: 120000 }, async () => {
    const options = mode === 'http' ? { mode: 'http', path: '/callback' } : await h.httpsRangeOptions({ path: '/' });
    const scheme = mode === 'http' ? 'http' : 'https';
    const c = await startChild(options);
    const { pid, port, state } = c.ready;
    let summary = null;
    try {
      assert.equal(c.ready.tls, mode === 'https');
      await warmUp(c.ready, scheme);
      const idle = m.procStatus(pid);
      const fdsBefore = m.fdCount(pid);
      const kindsBefore = m.fdKinds(pid);

      const path_ = new URL(c.ready.redirectUri).pathname;
      const plans = await attacker.schedule({ mode, total: TOTAL, ctx: { port, path: path_, state } });
      const sampling = m.sampler(pid, 20);
      const result = await attacker.barrage({ port, plans, concurrency: CONCURRENCY });
      const during = sampling.stop();

      // Descriptors must come back to the idle count (the listening sockets stay) within seconds.
      const settleBegan = Date.now();
      const fdsAfter = await m.waitForFds(pid, fdsBefore, 10000);
      const fdSettleMs = Date.now() - settleBegan;
      await m.delay(200);
      const after = m.procStatus(pid);
      const kindsAfter = m.fdKinds(pid);

      // A second, shorter round with other bytes: RSS kept after the first round is the allocator's
      // arenas (they plateau), not a per-request leak, so this round must add little.
      const plans2 = await attacker.schedule({ mode, total: ROUND2, ctx: { port, path: path_, state }, seed: attacker.seedFromEnv() + 1 });
      const sampling2 = m.sampler(pid, 20);
      const result2 = await attacker.barrage({ port, plans: plans2, concurrency: CONCURRENCY });
      const during2 = sampling2.stop();
      const fdsAfter2 = await m.waitForFds(pid, fdsBefore, 10000);
      await m.delay(200);
      const after2 = m.procStatus(pid);
      const peakKiB = Math.max(during.hwmKiB || 0, during.maxRssKiB, during2.hwmKiB || 0, during2.maxRssKiB);

      // The flow must still be waiting: no hostile request decided it.
      assert.deepEqual(c.events.filter((e) => e.event !== 'ready'), [], 'no hostile request may end the flow');
      assert.equal(c.child.exitCode, null, 'the capture process must still run');

      // Now the real callback.
      const code = h.randomCode();
      const began = Date.now();
      const res = await h.httpGet(h.callbackUrl(c.ready.redirectUri, { code, state }), { timeoutMs: 5000 });
      const callbackMs = Date.now() - began;
      const got = await c.next('result', 5000);
      const listeners = c.ready.boundAddresses.length;
      const fdsDone = await m.waitForFds(pid, fdsBefore - listeners, 5000);

      summary = {
        order: `1-${mode === 'http' ? 1 : 2}-${mode}`,
        title: `capture barrage, ${mode}${mode === 'https' ? ' (https-range, loopback)' : ''}`,
        tried: `${result.tried + result2.tried} requests (${result.tried} + ${result2.tried}), ${CONCURRENCY} at a time`,
        rounds: [result.tried, result2.tried],
        concurrency: CONCURRENCY,
        seed: attacker.seedFromEnv(),
        elapsedMs: result.elapsedMs + result2.elapsedMs,
        rss: { idleKiB: idle.rssKiB, idleHwmKiB: idle.hwmKiB, peakKiB, maxSampledKiB: Math.max(during.maxRssKiB, during2.maxRssKiB), afterRound1KiB: after.rssKiB, afterKiB: after2.rssKiB },
        fds: { before: fdsBefore, peak: Math.max(during.maxFds, during2.maxFds), after: fdsAfter2, afterRound1: fdsAfter, settleMs: fdSettleMs, afterCapture: fdsDone, listeners, kindsBefore, kindsAfter },
        threads: { idle: idle.threads, after: after2.threads },
        hung: result.hung + result2.hung,
        ok200: result.ok200 + result2.ok200,
        multiResponse: result.multiResponse + result2.multiResponse,
        examples: { ...result2.examples, ...result.examples },
        callback: { status: res.status, ms: callbackMs, captured: got.code === code },
        answers: result.answers,
        result:
          `${res.status === 200 && got.code === code ? 'callback captured' : 'callback LOST'} (HTTP ${res.status} in ${callbackMs} ms); ` +
          `${result.hung + result2.hung} hung, ${result.ok200 + result2.ok200} answered 200, ${result.multiResponse + result2.multiResponse} answered twice; ` +
          `${((result.elapsedMs + result2.elapsedMs) / 1000).toFixed(1)} s`,
      };
      for (const [cls, a] of Object.entries(result2.answers)) {
        const into = (summary.answers[cls] = summary.answers[cls] || { tried: 0, outcomes: {} });
        into.tried += a.tried;
        for (const [k, v] of Object.entries(a.outcomes)) into.outcomes[k] = (into.outcomes[k] || 0) + v;
      }
      const answers = summary.answers;
      const hung = summary.hung;
      const ok200 = summary.ok200;
      const multiResponse = summary.multiResponse;

      // No class may hang, win, or get more than one response on one connection.
      assert.equal(result.tried, TOTAL);
      assert.equal(result2.tried, ROUND2);
      assert.equal(hung, 0, `connections neither answered nor closed: ${JSON.stringify(summary.examples)}`);
      assert.equal(ok200, 0, `hostile requests answered 200: ${JSON.stringify(summary.examples)}`);
      assert.equal(multiResponse, 0, `connections answered more than once: ${JSON.stringify(summary.examples)}`);
      for (const [cls, a] of Object.entries(answers)) {
        const allowed = EXPECT[cls] || COMMON;
        for (const outcome of Object.keys(a.outcomes)) assert.match(outcome, allowed, `${cls}: unexpected outcome ${outcome} (${JSON.stringify(a.outcomes)})`);
      }
      // Memory stays bounded and descriptors come back.
      assert.ok(peakKiB - idle.rssKiB < PEAK_BOUND_KIB, `peak RSS ${peakKiB} KiB is ${peakKiB - idle.rssKiB} KiB over idle ${idle.rssKiB} KiB`);
      assert.ok(after2.rssKiB - idle.rssKiB < AFTER_BOUND_KIB, `RSS after ${after2.rssKiB} KiB vs idle ${idle.rssKiB} KiB`);
      assert.ok(after2.rssKiB - after.rssKiB < ROUND2_GROWTH_KIB, `the second round grew RSS from ${after.rssKiB} to ${after2.rssKiB} KiB: a leak?`);
      assert.equal(fdsAfter, fdsBefore, `descriptors: ${fdsBefore} before, ${fdsAfter} ${fdSettleMs} ms after (${JSON.stringify(kindsAfter)})`);
      assert.equal(fdsAfter2, fdsBefore, `descriptors after the second round: ${fdsAfter2}`);
      // The real callback wins, quickly, and the listening sockets are released.
      assert.equal(res.status, 200);
      assert.match(res.body, /data-result="success"/);
      assert.equal(got.code, code);
      assert.equal(got.source, 'callback');
      assert.equal(fdsDone, fdsBefore - listeners, 'the listening sockets are closed once the result is in');
      assert.equal(await h.canListen(port), true);
    } finally {
      const exit = await stop(c);
      if (summary) {
        summary.childExit = exit;
        m.writeSummary(`barrage-${mode}`, summary);
      }
    }
  });
}

// An endless header stream (a line that never ends, or header lines that never stop) is buffered by
// cpp-httplib 0.11.4 until the connection's 4 s deadline: the server has no cap on one header line
// before its end (CPPHTTPLIB_HEADER_MAX_LENGTH is checked only once the line is complete) and none
// on the number of headers. Four such connections pushed this server's RSS up by 200-770 MiB in 4 s
// on a 2-CPU box (depending on how much CPU it got), and the pages stay resident afterwards. The
// flood stops early once RSS is 3x the bound over idle.
test(
  'endless header streams (4 connections, up to 4.5 s) cost less than 64 MiB',
  { timeout: 30000 },
  async () => {
    const c = await startChild({ mode: 'http', path: '/callback' });
    const { pid, port } = c.ready;
    const flood = { tried: 0, bytesSent: 0 };
    let summary = null;
    try {
      await warmUp(c.ready, 'http');
      const idle = m.procStatus(pid);
      const fdsBefore = m.fdCount(pid);
      const sampling = m.sampler(pid, 50);
      const socks = [];
      const shapes = [
        ['GET /callback HTTP/1.1\r\nX-Endless: ', Buffer.alloc(64 * 1024, 'e')],
        ['GET /callback HTTP/1.1\r\n', Buffer.from(`X-H: ${'v'.repeat(90)}\r\n`.repeat(640))],
      ];
      for (let i = 0; i < 4; i++) {
        const [head, block] = shapes[i % 2];
        const s = net.connect(port, '127.0.0.1');
        flood.tried++;
        let closed = false;
        s.on('error', () => {});
        s.on('close', () => (closed = true));
        s.on('connect', () => {
          s.write(head);
          const pump = () => {
            while (!closed && s.write(block)) flood.bytesSent += block.length;
          };
          s.on('drain', pump);
          pump();
        });
        socks.push(s);
      }
      // Stop early once the server is far past the bound (the answer is known; spare the machine).
      let stoppedAfterMs = null;
      const floodBegan = Date.now();
      while (Date.now() - floodBegan < 4500) {
        await m.delay(50);
        const st = m.procStatus(pid);
        if (st && st.rssKiB - idle.rssKiB > FLOOD_STOP_KIB) {
          stoppedAfterMs = Date.now() - floodBegan;
          break;
        }
      }
      for (const s of socks) s.destroy();
      const during = sampling.stop();
      const fdsAfter = await m.waitForFds(pid, fdsBefore, 10000);
      await m.delay(300);
      const after = m.procStatus(pid);
      const peakKiB = Math.max(during.hwmKiB || 0, during.maxRssKiB);
      const code = h.randomCode();
      const res = await h.httpGet(h.callbackUrl(c.ready.redirectUri, { code, state: c.ready.state }));
      const got = await c.next('result', 5000);
      summary = {
        order: '1-3-flood',
        title: 'endless header streams, http (4 connections, up to 4.5 s)',
        tried: `${flood.tried} connections, ${(flood.bytesSent / 2 ** 20).toFixed(0)} MiB sent${stoppedAfterMs ? ` (stopped after ${(stoppedAfterMs / 1000).toFixed(1)} s, past 3x the bound)` : ''}`,
        rss: { idleKiB: idle.rssKiB, peakKiB, afterKiB: after.rssKiB },
        fds: { before: fdsBefore, peak: during.maxFds, after: fdsAfter },
        result: `${got.code === code ? 'callback captured' : 'callback LOST'}; peak ${((peakKiB - idle.rssKiB) / 1024).toFixed(0)} MiB over idle${peakKiB - idle.rssKiB >= PEAK_BOUND_KIB ? ' (BUG: unbounded header buffering)' : ''}`,
        notes: peakKiB - idle.rssKiB >= PEAK_BOUND_KIB ? ['known bug, test marked todo: header bytes are buffered without a cap until the connection deadline (cpp-httplib 0.11.4: no header count limit, line length checked only after the line ends)'] : [],
      };
      assert.equal(res.status, 200);
      assert.equal(got.code, code);
      assert.equal(fdsAfter, fdsBefore);
      assert.ok(peakKiB - idle.rssKiB < PEAK_BOUND_KIB, `an endless header stream raised peak RSS by ${((peakKiB - idle.rssKiB) / 1024).toFixed(0)} MiB (idle ${(idle.rssKiB / 1024).toFixed(0)} MiB, after ${(after.rssKiB / 1024).toFixed(0)} MiB)`);
    } finally {
      await stop(c);
      if (summary) m.writeSummary('barrage-flood', summary);
    }
  },
);

// A client that half-closes right after its request (`printf 'GET ...' | nc -N`, some scripted
// clients) usually gets no page at all: the server handles the request (a callback is captured) but
// then closes without writing the response. Browsers never half-close, so only such clients notice;
// found while classifying the barrage's answers (complete requests half-closed one time in five).
test(
  'a callback followed at once by a half-close still gets its success page',
  { timeout: 30000, todo: 'cpp-httplib drops the response when the client has already sent FIN (the flow still captures the code)' },
  async () => {
    const tally = { page: 0, noPage: 0, captured: 0 };
    for (let i = 0; i < 10; i++) {
      const c = await startChild({ mode: 'http', path: '/callback' });
      try {
        const code = h.randomCode();
        const target = new URL(h.callbackUrl(c.ready.redirectUri, { code, state: c.ready.state }));
        const r = await h.rawSend({ port: c.ready.port, chunks: [`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`], end: true });
        const got = await c.next('result', 5000);
        if (got.code === code) tally.captured++;
        if (/^HTTP\/1\.1 200 /.test(r.data.toString('latin1'))) tally.page++;
        else tally.noPage++;
      } finally {
        await stop(c);
      }
    }
    m.writeSummary('halfclose', {
      order: '1-4-halfclose',
      noteOnly: true,
      notes: tally.noPage
        ? [`known issue, test marked todo: a callback followed at once by a half-close (FIN) is captured, but ${tally.noPage} of 10 got no success page`]
        : [],
    });
    assert.equal(tally.captured, 10);
    assert.equal(tally.noPage, 0, `no success page for ${tally.noPage} of 10 half-closed callbacks (${JSON.stringify(tally)})`);
  },
);
