'use strict';
// stdin-paste: the CLI's paste reader (js/cli/paste.js) fed hostile stdin through a pipe: a line of
// several MiB, megabytes of random bytes, NULs and every C0 control, terminal escape sequences (CSI,
// OSC 52 clipboard writes, OSC 8 links, titles, bell, backspaces), C1 controls, invalid UTF-8, long
// lines, then the valid code or redirected URL. `keryx demo --paste --http` and `keryx auth tiktok
// --sandbox <url> --no-browser` must stay up, finish with the valid paste, print no raw control
// character (pipes, so no countdown either) and keep their memory bounded. Memory is read from
// /proc/<pid>/status while the CLI runs and, at exit, by the CLI itself (measure.js preloaded).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { startSandbox } = require('../../js/sandbox');
const harness = require('../e2e/auth_harness');
const m = require('./measure');
const attacker = require('./attacker');

if (!m.hasProc()) {
  test('hostile suites measure through /proc (Linux only)', { skip: 'no /proc here' }, () => {});
  return;
}

const RECORDER = path.join(__dirname, '..', 'e2e', 'fixtures', 'record-auth-secrets.js');
const MEASURE = path.join(__dirname, 'measure.js');
// Peak RSS a hostile run may cost over a quiet run of the same command: the paste reader holds one
// line at a time (the biggest here is 4 MiB; V8 keeps it as a string, plus the stream's buffers).
const PEAK_BOUND_KIB = 64 * 1024;
// Bytes a terminal would act on: C0 controls but \t \n \r, DEL, and C1 controls (as UTF-8 or raw).
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]/;

/**
 * runMeasured: `keryx <args>` with pipes on every stream, the secret recorder on fd 3 and the exit
 * figures on fd 4. `feed(child, api)` writes stdin (api.url resolves with the authorize URL).
 * Resolves `{ code, signal, stdout: Buffer, stderr: Buffer, exitStatus, sampled, secrets }`.
 */
function runMeasured(args, env, feed) {
  const child = spawn(process.execPath, ['-r', RECORDER, '-r', MEASURE, harness.CLI, ...args], {
    env: { ...env, KERYX_HOSTILE_EXIT_FD: '4' },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
  });
  const out = [];
  const err = [];
  let secrets = '';
  let exitLine = '';
  let resolveUrl;
  const url = new Promise((resolve) => (resolveUrl = resolve));
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => {
    err.push(d);
    const mUrl = /\n {2}(https?:\/\/\S+)\r?\n/.exec(Buffer.concat(err).toString('latin1'));
    if (mUrl) resolveUrl(mUrl[1]);
  });
  child.stdio[3].on('data', (d) => (secrets += d));
  child.stdio[4].on('data', (d) => (exitLine += d));
  child.stdin.on('error', () => {}); // EPIPE if the CLI is done before all the junk is written
  const sampling = m.sampler(child.pid, 25);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const sampled = sampling.stop();
      let exitStatus = null;
      try {
        exitStatus = JSON.parse(exitLine.trim().split('\n').pop());
      } catch {
        /* it died without reporting (a crash) */
      }
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        exitStatus,
        sampled,
        secrets: secrets.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
      });
    });
  });
  Promise.resolve(feed(child, { url })).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return done;
}

/** writeAll: writes `buffers` to the child's stdin, honouring back-pressure. */
async function writeAll(stdin, buffers) {
  for (const b of buffers) {
    if (stdin.destroyed) return;
    if (!stdin.write(b)) await new Promise((resolve) => stdin.once('drain', resolve));
  }
}

/** peakOf: the CLI's peak RSS (its own VmHWM at exit, else the largest sample). */
const peakOf = (r) => Math.max(r.exitStatus ? r.exitStatus.hwmKiB : 0, r.sampled.hwmKiB || 0, r.sampled.maxRssKiB);

/** assertClean: nothing a terminal would act on reached stdout or stderr. */
function assertClean(r, label) {
  for (const [name, buf] of [['stdout', r.stdout], ['stderr', r.stderr]]) {
    const text = buf.toString('latin1');
    const hit = CONTROL.exec(text);
    assert.equal(hit, null, `${label}: a raw control byte 0x${hit && Buffer.from(hit[0], 'latin1').toString('hex')} reached ${name} at ${hit && hit.index}: ${JSON.stringify(text.slice(Math.max(0, (hit && hit.index) - 60), (hit && hit.index) + 20))}`);
    assert.ok(!/pwned|evil\.example|cm0gLXJmIH4|Y3VybCBldmls/.test(text), `${label}: pasted junk was echoed on ${name}`);
  }
}

const bytesOf = (buffers) => buffers.reduce((s, b) => s + b.length, 0);

/** summarize: one row for docs/quality.md, written once both runs of a command are in. */
function summarize(name, title, baseline, hostile, junk, extra = {}) {
  const idle = peakOf(baseline);
  const peak = peakOf(hostile);
  m.writeSummary(name, {
    order: `2-${name}`,
    title,
    tried: `${junk.lines} lines, ${(junk.bytes / 2 ** 20).toFixed(1)} MiB of stdin`,
    rss: { idleKiB: idle, peakKiB: peak, afterKiB: hostile.sampled.last ? hostile.sampled.last.rssKiB : null, note: 'idle = peak RSS of the same command with only the valid paste' },
    fds: { before: baseline.exitStatus && baseline.exitStatus.fds, peak: hostile.sampled.maxFds, after: hostile.exitStatus && hostile.exitStatus.fds },
    exit: { code: hostile.code, signal: hostile.signal },
    stdoutBytes: hostile.stdout.length,
    stderrBytes: hostile.stderr.length,
    ...extra,
  });
}

test('keryx demo --paste --http: hostile stdin, then a valid code, wins with nothing raw printed', { timeout: 60000 }, async () => {
  const { env } = harness.tempHome();
  const code = `hostile-valid-${crypto.randomBytes(9).toString('hex')}`; // 32 characters
  const args = ['demo', '--paste', '--http', '--timeout', '60'];
  const feedOnly = (lines) => async (child) => {
    await writeAll(child.stdin, lines);
    child.stdin.end();
  };
  const baseline = await runMeasured(args, env, feedOnly([Buffer.from(`${code}\n`)]));
  assert.equal(baseline.code, 0, baseline.stderr.toString());

  const junk = attacker.pasteJunk();
  const lines = [...junk, Buffer.from(`${code}\n`)];
  const r = await runMeasured(args, env, feedOnly(lines));
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  summarize('paste-demo', 'stdin paste, keryx demo --paste --http', baseline, r, { lines: lines.length, bytes: bytesOf(lines) }, {
    refused: (stderr.match(/That paste was not accepted/g) || []).length,
    result: r.code === 0 && stdout.includes(`(${code.length} characters`) ? 'valid paste captured, exit 0, no raw control byte printed' : `exit ${r.code} ${r.signal || ''}`,
  });

  assert.equal(r.signal, null, `the CLI died of ${r.signal}: ${stderr.slice(-2000)}`);
  assert.equal(r.code, 0, stderr.slice(-2000));
  assert.match(stdout, new RegExp(`captured from the paste \\(${code.length} characters, not shown\\)`));
  assertClean(r, 'demo');
  // Every junk line was refused, each with a stable code, and nothing of it echoed.
  const refusals = stderr.match(/That paste was not accepted \[([a-z_]+)\]/g) || [];
  assert.ok(refusals.length >= junk.length - 2, `${refusals.length} refusals for ${junk.length} junk lines`);
  for (const line of refusals) assert.match(line, /\[(paste_invalid|state_mismatch|missing_code|invalid_argument)\]/);
  assert.ok(!stdout.includes(code) && !stderr.includes(code), 'the code is never printed');
  const grew = peakOf(r) - peakOf(baseline);
  assert.ok(grew < PEAK_BOUND_KIB, `peak RSS ${peakOf(r)} KiB, ${grew} KiB over a quiet run`);
});

test('keryx auth tiktok --sandbox <url> --no-browser: hostile stdin, then the redirected URL, stores the token', { timeout: 60000 }, async () => {
  const sb = await startSandbox({ autoApprove: true });
  try {
    const fed = { lines: 0, bytes: 0 };
    /** feed: junk while keryx starts; once the authorize URL is out, URL-shaped junk, then the real URL. */
    const feed = (junk) => async (child, { url }) => {
      const first = junk.slice(0, Math.ceil(junk.length / 2));
      await writeAll(child.stdin, first);
      const authorize = await url;
      const res = await fetch(authorize, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = res.headers.get('location');
      const redirectUri = location.split('?')[0];
      const more = attacker.pasteJunk({ redirectUri, seed: attacker.seedFromEnv() + 1, bigLineBytes: 1024 * 1024, randomBytes: 256 * 1024 });
      const rest = [...junk.slice(first.length), ...more, Buffer.from(`${location}\n`)];
      fed.lines = junk.length + more.length + 1;
      fed.bytes = bytesOf(junk) + bytesOf(more) + location.length + 1;
      await writeAll(child.stdin, rest);
      child.stdin.end();
    };
    const quiet = harness.tempHome();
    const baseline = await runMeasured(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser', '--timeout', '60'], quiet.env, async (child, { url }) => {
      const res = await fetch(await url, { redirect: 'manual' });
      child.stdin.end(`${res.headers.get('location')}\n`);
    });
    assert.equal(baseline.code, 0, baseline.stderr.toString());

    const ctx = harness.tempHome();
    const junk = attacker.pasteJunk();
    const r = await runMeasured(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser', '--timeout', '60'], ctx.env, feed(junk));
    const stdout = r.stdout.toString('utf8');
    const stderr = r.stderr.toString('utf8');
    const list = await harness.withHome(ctx.env, ctx.sandboxHome, () => require('../../js/lib/store').list());
    summarize('paste-auth', 'stdin paste, keryx auth tiktok --sandbox', baseline, r, fed, {
      refused: (stderr.match(/That paste was not accepted/g) || []).length,
      result: r.code === 0 && /received from the paste/.test(stderr) ? 'redirected URL pasted, token stored, exit 0, no raw control byte printed' : `exit ${r.code} ${r.signal || ''}`,
    });

    assert.equal(r.signal, null, `the CLI died of ${r.signal}: ${stderr.slice(-2000)}`);
    assert.equal(r.code, 0, stderr.slice(-2000));
    assert.match(stderr, /Authorization code received from the paste; exchanged and stored\./);
    assert.match(stdout, /tiktok authorized \(sandbox\)/);
    assertClean(r, 'auth');
    const refusals = stderr.match(/That paste was not accepted \[([a-z_]+)\]/g) || [];
    assert.ok(refusals.some((l) => l.includes('[state_mismatch]')), 'a URL with another state is refused as state_mismatch');
    harness.assertNoSecrets(stdout + stderr, r.secrets);
    assert.deepEqual(list.map((x) => x.platform), ['tiktok'], 'exactly the tiktok account is stored');
    const grew = peakOf(r) - peakOf(baseline);
    assert.ok(grew < PEAK_BOUND_KIB, `peak RSS ${peakOf(r)} KiB, ${grew} KiB over a quiet run`);
  } finally {
    await sb.close();
  }
});

// The pipe reader (readline) keeps a line in memory until its end, whatever its length; MAX_LINE
// (16384) is applied only once the line is complete. So memory grows with the longest line
// (about 3.5 bytes of RSS per byte of input here), and a line of 2^29 characters or more
// (V8's string limit) crashes the CLI: "RangeError: Invalid string length" from
// node:internal/readline/interface, uncaught, stack trace on stderr, exit 1, the flow lost.
test(
  'a 48 MiB line without a line break does not cost its size in memory',
  { timeout: 60000 },
  async () => {
    const { env } = harness.tempHome();
    const code = `hostile-valid-${crypto.randomBytes(9).toString('hex')}`;
    const args = ['demo', '--paste', '--http', '--timeout', '60'];
    const baseline = await runMeasured(args, env, async (child) => child.stdin.end(`${code}\n`));
    const block = Buffer.alloc(1024 * 1024, 'L');
    const r = await runMeasured(args, env, async (child) => {
      await writeAll(child.stdin, Array.from({ length: 48 }, () => block));
      child.stdin.end(`\n${code}\n`);
    });
    const grew = peakOf(r) - peakOf(baseline);
    m.writeSummary('paste-longline', {
      order: '2-paste-longline',
      title: 'stdin paste, one 48 MiB line (demo --paste)',
      tried: '1 line of 48 MiB, then the code',
      rss: { idleKiB: peakOf(baseline), peakKiB: peakOf(r), afterKiB: r.sampled.last ? r.sampled.last.rssKiB : null },
      fds: { before: baseline.exitStatus && baseline.exitStatus.fds, peak: r.sampled.maxFds, after: r.exitStatus && r.exitStatus.fds },
      result: `exit ${r.code}; peak ${(grew / 1024).toFixed(0)} MiB over a quiet run`,
      notes: ['the reader keeps at most 16 KiB of a line; what remains is discarded input chunks awaiting garbage collection (a 600 MB line: about +40 MiB, the same order)'],
    });
    assert.equal(r.code, 0, r.stderr.toString().slice(-2000));
    assertClean(r, 'long line');
    // Not the line's size: at most 16 KiB of it is kept; the rest is discarded chunks the GC has not
    // collected yet (bounded: a 600 MB line costs about the same, see the heavy test).
    assert.ok(grew < 48 * 1024, `a 48 MiB line raised the CLI's peak RSS by ${(grew / 1024).toFixed(0)} MiB`);
  },
);

const HEAVY = process.env.KERYX_HOSTILE_HEAVY === '1';
test(
  'a 600 MB line without a line break does not crash the CLI (KERYX_HOSTILE_HEAVY=1)',
  HEAVY
    ? { timeout: 120000 }
    : { skip: 'heavy (600 MB of stdin, ~650 MB RSS): set KERYX_HOSTILE_HEAVY=1' },
  async () => {
    const { env } = harness.tempHome();
    const code = `hostile-valid-${crypto.randomBytes(9).toString('hex')}`;
    const block = Buffer.alloc(4 * 1024 * 1024, 'L');
    const r = await runMeasured(['demo', '--paste', '--http', '--timeout', '100'], env, async (child) => {
      for (let i = 0; i < 150 && !child.stdin.destroyed; i++) await writeAll(child.stdin, [block]);
      if (!child.stdin.destroyed) child.stdin.end(`\n${code}\n`);
    });
    assert.doesNotMatch(r.stderr.toString(), /RangeError|Invalid string length/);
    assert.equal(r.code, 0, r.stderr.toString().slice(-2000));
  },
);
