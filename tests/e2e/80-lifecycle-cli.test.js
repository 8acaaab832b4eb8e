'use strict';
// 80-lifecycle-cli: the token lifecycle from the command line, against the keryx sandbox and its
// controllable clock: `keryx auth refresh` (TikTok rotation stored, LinkedIn expiring then expired,
// Instagram's 24-hour floor, a revoked grant, --alert-cmd, --webhook, --watch, holder/take-over),
// `keryx exec` (a fresh token in the child's environment only; exit codes and signals) and the
// lifecycle part of `keryx status`. Every CLI run is a child process preloaded with a recorder of
// the run's secrets (fixtures/record-lifecycle-secrets.js, on fd 3); everything any run printed is
// scanned for every secret seen in the suite (recorded, stored in the vault, held by the sandbox).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startSandbox, SANDBOX_APPS } = require('../../js/sandbox');
const h = require('./auth_harness');
const { httpGet, withTimeout, delay } = require('./helpers');
const { splitWords } = require('../../js/cli/words');

const RECORDER = path.join(__dirname, 'fixtures', 'record-lifecycle-secrets.js');
const TIKTOK_USER = 'sandbox-open-id-0001';
const LINKEDIN_USER = 'sandboxSub001';
const INSTAGRAM_USER = '17841405793187218';
const DAY = 86400;

// Everything printed by any CLI run, and every secret seen, for the scan at the end (and per run).
const printed = [];
const secrets = new Set(Object.values(SANDBOX_APPS).map((a) => a.clientSecret));
const remember = (...values) => values.forEach((v) => typeof v === 'string' && v.length >= 6 && secrets.add(v));

/**
 * start: spawns `keryx <args>` preloaded with the recorder; returns `{ child, done, output() }`.
 * `done` resolves `{ code, signal, stdout, stderr, all }` once it exits; its output is scanned for
 * every secret known so far, and kept for the final scan.
 */
function start(args, env, { input = '' } = {}) {
  const child = spawn(process.execPath, ['-r', RECORDER, h.CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let recorded = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdio[3].on('data', (d) => (recorded += d));
  if (input !== null) child.stdin.end(input);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      for (const line of recorded.split('\n').filter(Boolean)) remember(JSON.parse(line));
      const all = stdout + stderr;
      printed.push({ args: args.join(' '), all });
      h.assertNoSecrets(all, [...secrets]);
      resolve({ code, signal, stdout, stderr, all });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** keryx: runs `keryx <args>` to completion. */
const keryx = (args, env, options) => withTimeout(start(args, env, options).done, 60000, `keryx ${args.join(' ')}`);

/** json: the one JSON document a --json run printed. */
function json(r) {
  try {
    return JSON.parse(r.stdout);
  } catch {
    assert.fail(`not one JSON document on stdout:\n${r.all}`);
  }
}

/** setup: a sandbox of its own (its own clock) and a fresh KERYX_HOME. */
async function setup(t, extraEnv = {}) {
  const sb = await startSandbox({ autoApprove: true });
  t.after(() => sb.close());
  const { home, env, sandboxHome } = h.tempHome({ SANDBOX_URL: sb.url, ...extraEnv });
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  return { sb, home, env, sandboxHome };
}

/** authorize: `keryx auth <platform> --sandbox <url>`, playing the browser (authorize -> redirect). */
async function authorize(sb, env, platform) {
  const run = start(['auth', platform, '--sandbox', sb.url, '--no-browser', '--timeout', '30'], env);
  const url = await withTimeout(
    new Promise((resolve, reject) => {
      const look = () => {
        const m = /\n {2}(https?:\/\/\S+)\r?\n/.exec(run.output().stderr);
        if (m) resolve(m[1]);
      };
      run.child.stderr.on('data', look);
      run.child.on('close', () => reject(new Error(`keryx auth exited before printing a URL:\n${run.output().stderr}`)));
    }),
    30000,
    'the authorize URL',
  );
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, 'the sandbox approved');
  await httpGet(res.headers.get('location'));
  const r = await run.done;
  assert.equal(r.code, 0, r.all);
}

/** vaultRecord: the sandbox-profile record of `platform` (tokens included), remembered as secrets. */
async function vaultRecord(env, sandboxHome, platform) {
  const record = await h.withHome(env, sandboxHome, () => require('../../js/lib/store').get(platform));
  remember(record.accessToken, record.refreshToken);
  return record;
}

/** same: asserts two secrets are (not) equal without putting either in the failure message. */
function same(a, b, expected, message) {
  assert.equal(typeof a === 'string' && a === b, expected, message);
}

async function advance(sb, seconds) {
  const res = await fetch(`${sb.url}/sandbox/clock`, { method: 'POST', body: JSON.stringify({ advance: seconds }) });
  assert.equal(res.status, 200);
}

/** collector: a local HTTP server recording POSTs; `status` answers them. */
async function collector(t, status = 204) {
  const hits = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      res.writeHead(typeof status === 'function' ? status(hits.length) : status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${server.address().port}/hooks/secret-path-xyz`, hits };
}

// ---- command line surface -------------------------------------------------------------------------

test('the quoted-words splitter behind --alert-cmd splits like a shell, without one', () => {
  assert.deepEqual(splitWords('notify-send "keryx alert"'), ['notify-send', 'keryx alert']);
  assert.deepEqual(splitWords(`  a  'b c'  "d \\"e\\" \\$f" g\\ h  `), ['a', 'b c', 'd "e" $f', 'g h']);
  assert.deepEqual(splitWords(`x'y'"z" '' ""`), ['xyz', '', '']);
  assert.deepEqual(splitWords(`'$HOME' $(id) ; | > *`), ['$HOME', '$(id)', ';', '|', '>', '*'], 'nothing is expanded or interpreted');
  assert.deepEqual(splitWords(`"a\\nb" 'c\\d'`), ['a\\nb', 'c\\d'], 'backslashes kept where a shell keeps them');
  assert.deepEqual(splitWords('a\\\nb'), ['ab'], 'backslash-newline joins');
  assert.deepEqual(splitWords(''), []);
  for (const bad of [`'open`, `"open`, 'trailing\\']) assert.throws(() => splitWords(bad), /unclosed|trailing/);
});

test('keryx auth refresh: usage errors exit 2, and it has its own help', async (t) => {
  const { env, home } = h.tempHome();
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  const none = await keryx(['auth', 'refresh'], env);
  assert.equal(none.code, 2, none.all);
  assert.match(none.stderr, /platform/);
  assert.match(none.stderr, /--all/);
  const both = await keryx(['auth', 'refresh', 'tiktok', '--all'], env);
  assert.equal(both.code, 2);
  const takeOver = await keryx(['auth', 'refresh', '--all', '--take-over'], env);
  assert.equal(takeOver.code, 2);
  assert.match(takeOver.stderr, /--take-over needs a platform/);
  const interval = await keryx(['auth', 'refresh', '--all', '--watch', '--interval', '0.5'], env);
  assert.equal(interval.code, 2);
  assert.match(interval.stderr, /at least 1/);
  const quote = await keryx(['auth', 'refresh', '--all', '--alert-cmd', `notify 'unclosed`], env);
  assert.equal(quote.code, 2);
  assert.match(quote.stderr, /--alert-cmd .*unclosed single quote/);
  const hook = await keryx(['auth', 'refresh', '--all', '--webhook', 'ftp://example.com/x'], env);
  assert.equal(hook.code, 2);
  const unknown = await keryx(['auth', 'refresh', '--all', '--no-such'], env);
  assert.equal(unknown.code, 2);

  const help = await keryx(['auth', 'refresh', '--help'], env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: keryx auth refresh \[options\] \[platform\]/);
  for (const option of ['--all', '--account', '--force', '--take-over', '--watch', '--interval', '--alert-cmd', '--webhook', '--sandbox']) {
    assert.ok(help.stdout.includes(option), `auth refresh --help names ${option}`);
  }
  assert.match(help.stdout, /no shell/i);
  const auth = await keryx(['auth', '--help'], env);
  assert.match(auth.stdout, /refresh \[options\] \[platform\]/);
  assert.match(auth.stdout, /keryx auth refresh/);
  const exec = await keryx(['exec', '--help'], env);
  assert.equal(exec.code, 0);
  assert.match(exec.stdout, /Usage: keryx exec \[options\] <platform> -- <command\.\.\.>/);
  assert.match(exec.stdout, /TIKTOK_ACCESS_TOKEN/);
  const top = await keryx(['--help'], env);
  assert.match(top.stdout, /exec \[options\] <platform>/);
  const noCommand = await keryx(['exec', 'tiktok'], env);
  assert.equal(noCommand.code, 2);
  const empty = await keryx(['--json', 'auth', 'refresh', '--all'], env);
  assert.equal(empty.code, 0, empty.all);
  assert.deepEqual(json(empty), { ok: true, results: [], failed: 0, alertProblems: [] });
  const missing = await keryx(['auth', 'refresh', 'tiktok'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[not_found\].*keryx auth tiktok/);
});

// ---- keryx auth refresh ---------------------------------------------------------------------------

test('auth refresh tiktok: a due token is refreshed, and the rotated refresh token is the one stored', async (t) => {
  const { sb, env, sandboxHome } = await setup(t);
  await authorize(sb, env, 'tiktok');
  const before = await vaultRecord(env, sandboxHome, 'tiktok');

  const early = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--sandbox'], env);
  assert.equal(early.code, 0, early.all);
  const ok = json(early).results[0];
  assert.equal(ok.status, 'ok', 'a fresh token is not refreshed');
  assert.ok(ok.refreshAt > ok.now, 'the next refresh is ahead');

  await advance(sb, DAY - 120); // inside the 5-minute margin before the 24-hour access token runs out
  const r = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--sandbox'], env);
  assert.equal(r.code, 0, r.all);
  const doc = json(r);
  assert.equal(doc.ok, true);
  assert.equal(doc.failed, 0);
  assert.equal(doc.results.length, 1);
  const [res] = doc.results;
  assert.deepEqual([res.platform, res.account, res.status, res.rotated], ['tiktok', TIKTOK_USER, 'refreshed', true]);
  assert.ok(res.expiresAt > res.now + DAY - 60, 'the new access token has a full day');
  assert.ok(res.refreshAt > res.now, 'next refresh is the new token\'s, not the one just done');

  const after = await vaultRecord(env, sandboxHome, 'tiktok');
  same(after.refreshToken, sb.tokens.currentRefreshToken('tiktok', TIKTOK_USER), true, 'the vault holds the sandbox\'s current refresh token');
  same(after.refreshToken, before.refreshToken, false, 'the refresh token rotated');
  assert.ok(sb.tokens.isValid('tiktok', after.accessToken), 'the sandbox accepts the new access token');
  assert.equal(after.metadata['keryx.refresh_in_flight'], undefined, 'no refresh left in flight');

  const human = await keryx(['auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  assert.equal(human.code, 0, human.all);
  assert.match(human.stdout, new RegExp(`^tiktok\\s+${TIKTOK_USER}\\s+refreshed\\s+new refresh token stored; expires \\S+Z \\(in 24 h\\); next refresh in 24 h`, 'm'));
  const latest = await vaultRecord(env, sandboxHome, 'tiktok');
  same(latest.refreshToken, sb.tokens.currentRefreshToken('tiktok', TIKTOK_USER), true, '--force rotated and stored again');
});

test('auth refresh --all: LinkedIn 6 days before expiry is expiring (alert, exit 0), after expiry expired (exit 1)', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'linkedin');
  await advance(sb, 54 * DAY); // the 60-day token has 6 days left, and LinkedIn gave no refresh token

  const r = await keryx(['--json', 'auth', 'refresh', '--all', '--sandbox'], env);
  assert.equal(r.code, 0, r.all);
  const doc = json(r);
  assert.equal(doc.ok, true);
  const [li] = doc.results;
  assert.deepEqual([li.platform, li.account, li.status], ['linkedin', LINKEDIN_USER, 'expiring']);
  assert.ok(Math.abs(li.expiringAt - li.now - 6 * DAY) < 120, 'expiring in 6 days by the sandbox clock');
  assert.match(li.fix, /keryx auth linkedin/);
  assert.match(r.stderr, /alert: linkedin sandboxSub001 runs out \S+ and no refresh can extend it; re-run: keryx auth linkedin/);

  const human = await keryx(['auth', 'refresh', '--all', '--sandbox'], env);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^linkedin\s+sandboxSub001\s+expiring\s+runs out \S+ \(in 6 days\) and no refresh can extend it; re-run: keryx auth linkedin --sandbox/m);
  assert.match(human.stderr, /alert: linkedin/);

  const status = await keryx(['status', '--sandbox'], env);
  assert.match(status.stdout, /warning: linkedin sandboxSub001: runs out \S+ \(in 6 days\) and no refresh can extend it: re-run keryx auth linkedin --sandbox before then/);
  assert.match(status.stdout, /linkedin\s+sandboxSub001 \(default\).*\s+never\b/);

  await advance(sb, 7 * DAY);
  const gone = await keryx(['auth', 'refresh', '--all', '--sandbox'], env);
  assert.equal(gone.code, 1, gone.all);
  assert.match(gone.stdout, /^linkedin\s+sandboxSub001\s+expired\s+\[token_expired\] .*keryx auth linkedin/m);
  assert.match(gone.stderr, /alert: linkedin sandboxSub001 could not be refreshed \[token_expired\]; re-run: keryx auth linkedin/);
  const goneJson = json(await keryx(['--json', 'auth', 'refresh', 'linkedin', '--sandbox'], env));
  assert.deepEqual([goneJson.ok, goneJson.failed, goneJson.results[0].status, goneJson.results[0].code], [false, 1, 'expired', 'token_expired']);
});

test('auth refresh instagram --force: too early under 24 h (exit 0), refreshed 25 h later', async (t) => {
  const { sb, env, sandboxHome } = await setup(t);
  await authorize(sb, env, 'instagram');
  const before = await vaultRecord(env, sandboxHome, 'instagram');

  const r = await keryx(['--json', 'auth', 'refresh', 'instagram', '--force', '--sandbox'], env);
  assert.equal(r.code, 0, r.all);
  const [early] = json(r).results;
  assert.deepEqual([early.status, early.code], ['too_early', 'refresh_too_early']);
  assert.ok(early.notBefore > early.now, 'says when a refresh becomes possible');
  const human = await keryx(['auth', 'refresh', 'instagram', '--force', '--sandbox'], env);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^instagram\s+17841405793187218\s+too early\s+the platform refuses a refresh before \S+ \(in 24 h\)/m);

  await advance(sb, 25 * 3600);
  const later = await keryx(['--json', 'auth', 'refresh', 'instagram', '--force', '--sandbox'], env);
  assert.equal(later.code, 0, later.all);
  const [res] = json(later).results;
  assert.deepEqual([res.account, res.status], [INSTAGRAM_USER, 'refreshed']);
  const after = await vaultRecord(env, sandboxHome, 'instagram');
  same(after.accessToken, before.accessToken, false, 'a new long-lived token was stored');
  assert.ok(sb.tokens.isValid('instagram', after.accessToken));
  assert.ok(after.expiresAt > before.expiresAt, 'its 60 days start again');
});

test('a grant revoked at the platform: status revoked (exit 1), keryx status says to re-authorize, exec refuses', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'tiktok');
  assert.ok(sb.revokeUser('tiktok', TIKTOK_USER).revokedGrants >= 1);

  const r = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  assert.equal(r.code, 1, r.all);
  const doc = json(r);
  assert.deepEqual([doc.ok, doc.failed], [false, 1]);
  assert.deepEqual([doc.results[0].status, doc.results[0].code], ['revoked', 'token_revoked']);
  assert.match(doc.results[0].fix, /keryx auth tiktok/);
  assert.match(r.stderr, /alert: tiktok sandbox-open-id-0001 was revoked at the platform \[token_revoked\].*re-run: keryx auth tiktok/);

  const again = await keryx(['auth', 'refresh', '--all', '--sandbox'], env);
  assert.equal(again.code, 1);
  assert.match(again.stdout, /^tiktok\s+sandbox-open-id-0001\s+revoked\s+\[token_revoked\].*keryx auth tiktok/m);

  const status = await keryx(['status', '--sandbox'], env);
  assert.equal(status.code, 1, status.all);
  assert.match(status.stdout, /needs re-auth \(revoked\): run keryx auth tiktok --sandbox/);
  const sj = json(await keryx(['--json', 'status', '--sandbox'], env));
  const acct = sj.accounts.find((a) => a.platform === 'tiktok');
  assert.equal(acct.needsReauth, 'revoked');
  assert.ok(acct.needsReauthAt > 0);
  assert.equal(acct.problems[0].code, 'token_revoked');

  const exec = await keryx(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', 'console.log("child ran")'], env);
  assert.equal(exec.code, 1, exec.all);
  assert.match(exec.stderr, /\[token_revoked\]/);
  assert.ok(!exec.stdout.includes('child ran'), 'the command did not start');
});

test('--alert-cmd gets each alert event as JSON on stdin (no shell, no token); a failing one does not change the exit code', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'linkedin');
  await authorize(sb, env, 'tiktok');
  sb.revokeUser('tiktok', TIKTOK_USER);
  await advance(sb, 54 * DAY);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-alert-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'events with space.jsonl');
  const script = "const fs=require('fs');fs.appendFileSync(process.argv[1],JSON.stringify({stdin:fs.readFileSync(0,'utf8'),env:process.env.KERYX_EVENT})+'\\n')";
  const alertCmd = `"${process.execPath}" -e "${script}" '${file}'`;

  const r = await keryx(['auth', 'refresh', '--all', '--force', '--sandbox', '--alert-cmd', alertCmd], env);
  assert.equal(r.code, 1, r.all); // the revoked TikTok grant
  const got = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const events = got.map((g) => ({ ...JSON.parse(g.stdin), env: g.env }));
  const byName = Object.fromEntries(events.map((e) => [e.event, e]));
  assert.deepEqual(Object.keys(byName).sort(), ['token.expiring', 'token.revoked']);
  assert.deepEqual([byName['token.expiring'].platform, byName['token.expiring'].account, byName['token.expiring'].env], ['linkedin', LINKEDIN_USER, 'token.expiring']);
  assert.match(byName['token.expiring'].expiresAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(byName['token.expiring'].command, 'keryx auth linkedin');
  assert.deepEqual([byName['token.revoked'].platform, byName['token.revoked'].account, byName['token.revoked'].code], ['tiktok', TIKTOK_USER, 'token_revoked']);
  for (const e of events) {
    assert.match(e.at, /^\d{4}-/);
    h.assertNoSecrets(JSON.stringify(e), [...secrets]);
  }

  const failing = await keryx(['auth', 'refresh', 'linkedin', '--sandbox', '--alert-cmd', `"${process.execPath}" -e "process.exit(3)"`], env);
  assert.equal(failing.code, 0, 'a failing alert command does not change the exit code');
  assert.match(failing.stderr, /alert command .* for token\.expiring linkedin sandboxSub001 exited with status 3/);
  const absent = await keryx(['auth', 'refresh', 'linkedin', '--sandbox', '--alert-cmd', 'keryx-no-such-alert-command --flag'], env);
  assert.equal(absent.code, 0);
  assert.match(absent.stderr, /command not found: keryx-no-such-alert-command/);
});

test('--alert-cmd that hangs is stopped after 10 s and reported; the run still ends with its own exit code', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'linkedin');
  await advance(sb, 54 * DAY);
  const started = Date.now();
  const r = await keryx(['--json', 'auth', 'refresh', '--all', '--sandbox', '--alert-cmd', `"${process.execPath}" -e "setInterval(()=>{},1000)"`], env);
  const took = Date.now() - started;
  assert.equal(r.code, 0, r.all);
  assert.equal(json(r).results[0].status, 'expiring');
  assert.match(json(r).alertProblems[0], /timed out after 10 s/);
  assert.match(r.stderr, /timed out after 10 s and was stopped/);
  assert.ok(took >= 9500 && took < 30000, `stopped at the 10 s timeout (${took} ms)`);
});

test('--webhook POSTs each alert as JSON; a failing receiver is retried once and reported, never fatal', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'linkedin');
  await advance(sb, 54 * DAY);
  const good = await collector(t, 204);
  const r = await keryx(['auth', 'refresh', '--all', '--sandbox', '--webhook', good.url], env);
  assert.equal(r.code, 0, r.all);
  assert.equal(good.hits.length, 1);
  const [hit] = good.hits;
  assert.equal(hit.method, 'POST');
  assert.equal(hit.type, 'application/json');
  const e = JSON.parse(hit.body);
  assert.deepEqual([e.event, e.platform, e.account, e.command], ['token.expiring', 'linkedin', LINKEDIN_USER, 'keryx auth linkedin']);
  h.assertNoSecrets(hit.body, [...secrets]);

  const bad = await collector(t, 500);
  const failing = await keryx(['auth', 'refresh', '--all', '--sandbox', '--webhook', bad.url], env);
  assert.equal(failing.code, 0, 'a failing webhook does not change the exit code');
  assert.equal(bad.hits.length, 2, 'one retry');
  assert.match(failing.stderr, /webhook http:\/\/127\.0\.0\.1:\d+ for token\.expiring linkedin sandboxSub001 failed: answered HTTP 500 \(after 2 attempts\)/);
  assert.ok(!failing.all.includes('secret-path-xyz'), 'the webhook path (often a secret) is not printed');

  const flaky = await collector(t, (n) => (n === 1 ? 503 : 200));
  const retried = await keryx(['auth', 'refresh', '--all', '--sandbox', '--webhook', flaky.url], env);
  assert.equal(flaky.hits.length, 2);
  assert.ok(!/webhook/.test(retried.stderr), 'a retry that worked is not reported');

  // --watch: the same alert is printed every round but sent once (again only after a day).
  const watched = await collector(t, 204);
  const run = start(['auth', 'refresh', '--all', '--sandbox', '--watch', '--interval', '1', '--webhook', watched.url], env);
  await withTimeout(
    new Promise((resolve) => run.child.stderr.on('data', () => /Round 3 /.test(run.output().stderr) && resolve())),
    20000,
    'three --watch rounds',
  );
  run.child.kill('SIGTERM');
  const r3 = await run.done;
  assert.equal(r3.code, 0);
  assert.ok((r3.stderr.match(/alert: linkedin/g) || []).length >= 3, 'printed every round');
  assert.equal(watched.hits.length, 1, 'sent once');
});

test('--watch --interval 1 runs round after round, survives a failing round, and stops cleanly on SIGTERM (0) and SIGINT (130)', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'tiktok');
  for (const [signal, expected] of [['SIGTERM', 0], ['SIGINT', 130]]) {
    const run = start(['--json', 'auth', 'refresh', '--all', '--sandbox', '--watch', '--interval', '1'], env);
    const rounds = await withTimeout(
      new Promise((resolve, reject) => {
        run.child.stdout.on('data', () => {
          const lines = run.output().stdout.split('\n').filter(Boolean);
          if (lines.length >= 2) resolve(lines.map((l) => JSON.parse(l)));
        });
        run.child.on('close', (code) => reject(new Error(`--watch exited (${code}):\n${run.output().stderr}`)));
      }),
      20000,
      'two --watch rounds',
    );
    assert.deepEqual(rounds.slice(0, 2).map((d) => d.round), [1, 2]);
    assert.equal(rounds[0].results[0].platform, 'tiktok');
    run.child.kill(signal);
    const r = await withTimeout(run.done, 20000, `--watch stopping on ${signal}`);
    assert.equal(r.code, expected, r.all);
  }

  // A round that fails (the sandbox is gone) is reported and the watch goes on.
  const run = start(['auth', 'refresh', '--all', '--sandbox', '--watch', '--interval', '1'], env);
  await withTimeout(
    new Promise((resolve) => {
      run.child.stderr.on('data', () => /Round 1 /.test(run.output().stderr) && resolve());
    }),
    20000,
    'first round',
  );
  await sb.close();
  await withTimeout(
    new Promise((resolve) => {
      const check = () => /Round 3 /.test(run.output().stderr) && resolve();
      run.child.stderr.on('data', check);
      check();
    }),
    20000,
    'rounds after the sandbox went away',
  );
  assert.ok(run.child.exitCode === null, 'still running after failing rounds');
  assert.match(run.output().stdout, /tiktok\s+sandbox-open-id-0001\s+failed\s+\[network_error\] the sandbox at \S+ that issued this account cannot be reached/);
  run.child.kill('SIGTERM');
  assert.equal((await run.done).code, 0);

  // A round that cannot run at all (the vault does not open with this key) is reported; the next one runs.
  const wrongKey = { ...env, KERYX_VAULT_KEY: Buffer.alloc(32, 7).toString('base64') };
  const broken = start(['auth', 'refresh', '--all', '--sandbox', '--watch', '--interval', '1'], wrongKey);
  await withTimeout(
    new Promise((resolve) => {
      broken.child.stderr.on('data', () => /round 2 failed \[vault_wrong_key\]/.test(broken.output().stderr) && resolve());
    }),
    20000,
    'two failing rounds',
  );
  broken.child.kill('SIGTERM');
  assert.equal((await broken.done).code, 0);
});

test('a rotation lost in flight (keryx killed after TikTok rotated): rotation_lost, exit 1, status says re-auth, keryx auth recovers', async (t) => {
  const { sb, env, sandboxHome } = await setup(t);
  await authorize(sb, env, 'tiktok');
  sb.setKnobs({ tiktok: { refreshDelayMs: 5000 } }); // the sandbox rotates, then holds the answer back
  const rotations = sb.tokens.rotations('tiktok', TIKTOK_USER);
  const run = start(['auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  await withTimeout(
    (async () => {
      while (sb.tokens.rotations('tiktok', TIKTOK_USER) === rotations) await delay(20);
    })(),
    20000,
    'the sandbox rotating the token',
  );
  run.child.kill('SIGKILL'); // the new refresh token never reaches the vault
  await run.done;
  remember(sb.tokens.currentRefreshToken('tiktok', TIKTOK_USER));
  sb.setKnobs({ tiktok: {} });
  const marked = await vaultRecord(env, sandboxHome, 'tiktok');
  assert.ok(marked.metadata['keryx.refresh_in_flight'], 'the in-flight marker stayed');
  const inflight = await keryx(['status', '--sandbox'], env);
  assert.match(inflight.stdout, /warning: tiktok sandbox-open-id-0001: a refresh was started and not finished/);

  const r = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  assert.equal(r.code, 1, r.all);
  const [res] = json(r).results;
  assert.deepEqual([res.status, res.code], ['rotation_lost', 'rotation_lost']);
  assert.match(res.fix, /re-run: keryx auth tiktok --sandbox/);
  assert.match(r.stderr, /alert: tiktok sandbox-open-id-0001 lost its rotated refresh token \[rotation_lost\]/);
  const status = await keryx(['status', '--sandbox'], env);
  assert.equal(status.code, 1);
  assert.match(status.stdout, /needs re-auth \(rotation lost\): run keryx auth tiktok --sandbox/);
  const exec = await keryx(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', '0'], env);
  assert.equal(exec.code, 1);
  assert.match(exec.stderr, /\[rotation_lost\]/);

  await authorize(sb, env, 'tiktok'); // the recovery: authorize again
  const healed = await keryx(['status', '--sandbox'], env);
  assert.equal(healed.code, 0, healed.all);
  assert.ok(!/needs re-auth/.test(healed.stdout));
  const again = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  assert.equal(json(again).results[0].status, 'refreshed', again.all);
});

test('Ctrl-C while TikTok rotates: keryx finishes and stores the rotation, then exits 130', async (t) => {
  const { sb, env, sandboxHome } = await setup(t);
  await authorize(sb, env, 'tiktok');
  sb.setKnobs({ tiktok: { refreshDelayMs: 1500 } });
  const rotations = sb.tokens.rotations('tiktok', TIKTOK_USER);
  const run = start(['auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  await withTimeout(
    (async () => {
      while (sb.tokens.rotations('tiktok', TIKTOK_USER) === rotations) await delay(20);
    })(),
    20000,
    'the sandbox rotating the token',
  );
  run.child.kill('SIGINT');
  const r = await withTimeout(run.done, 20000, 'auth refresh after SIGINT');
  assert.equal(r.code, 130, r.all);
  assert.match(r.stderr, /SIGINT: finishing the refreshes in flight/);
  assert.match(r.stdout, /^tiktok\s+sandbox-open-id-0001\s+refreshed/m);
  const after = await vaultRecord(env, sandboxHome, 'tiktok');
  same(after.refreshToken, sb.tokens.currentRefreshToken('tiktok', TIKTOK_USER), true, 'the rotated token was stored');
  assert.equal(after.metadata['keryx.refresh_in_flight'], undefined);
});

// ---- holder / take-over, environment refresh tokens ---------------------------------------------

test('a rotating token held by another install: status warns, refresh fails with holder_mismatch, --take-over takes it', async (t) => {
  const { sb, env, sandboxHome } = await setup(t);
  await authorize(sb, env, 'tiktok');
  const before = await vaultRecord(env, sandboxHome, 'tiktok');
  const idFile = path.join(sandboxHome, 'install-id');
  const own = fs.readFileSync(idFile, 'utf8').trim();
  assert.match(own, /^[0-9a-f]{32}$/);
  assert.equal(before.metadata['keryx.holder'], own);
  const ok = await keryx(['status', '--sandbox'], env);
  assert.equal(ok.code, 0, ok.all);
  assert.ok(!/warning:/.test(ok.stdout), 'no warning while this install holds it');
  assert.match(ok.stdout, /tiktok\s+sandbox-open-id-0001 \(default\)\s+access\+refresh\s+in 24 h\s+vault, key: env\s+in 24 h/);

  // This vault now looks copied from another machine: this install's id is a different one.
  fs.writeFileSync(idFile, 'ab'.repeat(16));
  const status = await keryx(['status', '--sandbox'], env);
  assert.equal(status.code, 0, 'a warning, not a failure');
  assert.match(status.stdout, /warning: tiktok sandbox-open-id-0001: its rotating refresh token is held by another install .*refresh there or `keryx auth refresh tiktok --take-over --sandbox`/);
  const sj = json(await keryx(['--json', 'status', '--sandbox'], env)).accounts[0];
  assert.deepEqual([sj.holder, sj.heldByThisInstall, sj.warnings[0].code], [own, false, 'holder_mismatch']);

  const refused = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--force', '--sandbox'], env);
  assert.equal(refused.code, 1, refused.all);
  const [res] = json(refused).results;
  assert.deepEqual([res.status, res.code], ['failed', 'holder_mismatch']);
  assert.match(res.fix, /keryx auth refresh tiktok --account sandbox-open-id-0001 --take-over --sandbox/);
  same((await vaultRecord(env, sandboxHome, 'tiktok')).refreshToken, before.refreshToken, true, 'nothing rotated');

  const taken = await keryx(['--json', 'auth', 'refresh', 'tiktok', '--force', '--take-over', '--sandbox'], env);
  assert.equal(taken.code, 0, taken.all);
  assert.equal(json(taken).results[0].status, 'refreshed');
  const after = await vaultRecord(env, sandboxHome, 'tiktok');
  assert.equal(after.metadata['keryx.holder'], 'ab'.repeat(16), 'this install holds it now');
  same(after.refreshToken, sb.tokens.currentRefreshToken('tiktok', TIKTOK_USER), true);
});

test('status warns about a rotating refresh token in the environment, and keeps its JSON fields', async (t) => {
  const { sb, env } = await setup(t);
  await authorize(sb, env, 'linkedin');
  const r = await keryx(['--json', 'status', '--sandbox'], { ...env, TIKTOK_REFRESH_TOKEN: 'env-refresh-value-not-real' });
  assert.equal(r.code, 0, r.all);
  assert.ok(!r.all.includes('env-refresh-value-not-real'));
  const doc = json(r);
  const tt = doc.accounts.find((a) => a.platform === 'tiktok');
  assert.deepEqual([tt.source, tt.envVars[0], tt.warnings[0].code], ['env', 'TIKTOK_REFRESH_TOKEN', 'holder_mismatch']);
  const li = doc.accounts.find((a) => a.platform === 'linkedin');
  for (const key of ['platform', 'account', 'isDefault', 'token', 'expiresAt', 'expiresInSeconds', 'source', 'keyProvider', 'problems']) assert.ok(key in li, `status --json keeps ${key}`);
  assert.deepEqual([li.lifecycle.shape, li.lifecycle.refreshAt, li.lifecycle.clock, li.needsReauth], ['no_refresh', null, 'sandbox', null]);
  const human = await keryx(['status', '--sandbox'], { ...env, TIKTOK_REFRESH_TOKEN: 'env-refresh-value-not-real' });
  assert.match(human.stdout, /warning: tiktok: TIKTOK_REFRESH_TOKEN holds a rotating refresh token: keryx cannot store the rotated one/);
});

// ---- keryx exec -----------------------------------------------------------------------------------

// The child checks the token it was given against the sandbox's API and prints only OK (or why not).
const CHECK_TIKTOK = `
const t = process.env.TIKTOK_ACCESS_TOKEN;
fetch(process.env.SANDBOX_URL + '/tiktok/v2/user/info/?fields=open_id', { headers: { authorization: 'Bearer ' + t } })
  .then(async (res) => {
    const body = await res.json();
    const good = res.status === 200 && body.data.user.open_id === process.env.KERYX_ACCOUNT && process.env.KERYX_PLATFORM === 'tiktok';
    console.log(good ? 'OK' : 'FAIL ' + res.status);
    process.exit(good ? 0 : 9);
  });`;

test('keryx exec tiktok gives the child a fresh TIKTOK_ACCESS_TOKEN (not the terminal) and exits with its status', async (t) => {
  const { sb, env, sandboxHome } = await setup(t);
  await authorize(sb, env, 'tiktok');
  const r = await keryx(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', CHECK_TIKTOK], env);
  assert.equal(r.code, 0, r.all);
  assert.equal(r.stdout, 'OK\n');
  assert.equal(r.stderr, '');
  const after = await vaultRecord(env, sandboxHome, 'tiktok');
  same(after.refreshToken, sb.tokens.currentRefreshToken('tiktok', TIKTOK_USER), true, 'the token minted for the child was stored first');

  const withAccount = await keryx(['exec', 'tiktok', '--account', TIKTOK_USER, '--sandbox', '--', process.execPath, '-e', CHECK_TIKTOK], env);
  assert.equal(withAccount.stdout, 'OK\n', withAccount.all);

  const seven = await keryx(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', 'process.exit(7)'], env);
  assert.equal(seven.code, 7);
  const killed = await keryx(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000)"], env);
  assert.equal(killed.code, 128 + os.constants.signals.SIGTERM, 'a child killed by a signal: 128+n');
  const missing = await keryx(['exec', 'tiktok', '--sandbox', '--', 'keryx-no-such-command-here'], env);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /\[not_found\] command not found: keryx-no-such-command-here/);
  const options = await keryx(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', 'console.log(process.argv.slice(1).join(","))', '--', '--account', '-x', '--help'], env);
  assert.equal(options.stdout, '--account,-x,--help\n', 'everything after -- belongs to the command');

  // SIGTERM to keryx reaches the child; keryx then exits 128+15 as the child did.
  const run = start(['exec', 'tiktok', '--sandbox', '--', process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000)"], env);
  await withTimeout(new Promise((resolve) => run.child.stdout.on('data', () => /ready/.test(run.output().stdout) && resolve())), 20000, 'child ready');
  run.child.kill('SIGTERM');
  const forwarded = await withTimeout(run.done, 10000, 'exec after SIGTERM');
  assert.equal(forwarded.code, 128 + os.constants.signals.SIGTERM);
});

test('keryx exec without a stored account fails before the command starts, with the error code', async (t) => {
  const { env, home } = h.tempHome();
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  const r = await keryx(['exec', 'linkedin', '--', process.execPath, '-e', 'console.log("child ran")'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[not_found\].*keryx auth linkedin/);
  assert.ok(!r.stdout.includes('child ran'));
  const j = await keryx(['--json', 'exec', 'linkedin', '--', process.execPath, '-e', '0'], env);
  assert.equal(json(j).error.code, 'not_found');
  // A token already in the environment is passed on as is, without the vault.
  const fromEnv = await keryx(['exec', 'linkedin', '--', process.execPath, '-e', "console.log(process.env.LINKEDIN_ACCESS_TOKEN === 'li-env-value-123456' ? 'same' : 'other')"], { ...env, LINKEDIN_ACCESS_TOKEN: 'li-env-value-123456' });
  assert.equal(fromEnv.stdout, 'same\n', fromEnv.all);
});

// ---- the scan -------------------------------------------------------------------------------------

test('no CLI run of this suite printed any secret seen in the suite', async () => {
  await delay(0);
  assert.ok(printed.length >= 40, `scanned ${printed.length} runs`);
  assert.ok(secrets.size >= 20, `against ${secrets.size} secrets`);
  for (const run of printed) h.assertNoSecrets(run.all, [...secrets]);
});
