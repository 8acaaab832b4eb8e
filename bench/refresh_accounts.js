'use strict';
// refresh_accounts.js: refreshing many stored accounts against the keryx sandbox with bounded
// concurrency, keryx against a plain Node script doing the same work, in one run.
//   node bench/refresh_accounts.js [--iterations N] [--accounts N] [--concurrency 16,64] [--platforms tiktok,youtube]
//   node bench/run.js refresh_accounts          (only this benchmark; --iterations = repetitions)
//
// Every measured run starts from accounts the sandbox has just seeded (real tokens, nothing
// refreshed yet) and a fresh store, and refreshes each account once:
//   keryx       keryx.refreshDue({ platform, force: true, concurrency: C }) over a fresh vault
//               (KERYX_HOME in a new temp folder, key from KERYX_VAULT_KEY, keychain off): per
//               account the core's refresh transaction (account flock, re-read, for a rotating
//               token an in-flight marker written durably first, the HTTP refresh, the new tokens
//               written durably before it returns).
//   plain       fetch() of the token endpoint with the refresh grant, JSON parsed, and the new
//               tokens written durably: one JSON file for all accounts, rewritten whole after each
//               refresh (temp file, fsync, rename, fsync of the folder), writes serialised by an
//               in-process mutex; a promise pool of C workers. No encryption.
//   fetch only  the same requests without any persistence: the cost of the HTTP exchange alone.
// The sandbox runs in a child process (this file, forked), so process.cpuUsage() of this process
// is the client's CPU only; the child reports its own CPU per run over IPC.
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');

const repo = path.resolve(__dirname, '..');
const SANDBOX_NAME = { youtube: 'google', tiktok: 'tiktok' }; // keryx's platform name -> the sandbox's
const DEFAULTS = { accounts: 1000, concurrency: [16], platforms: ['tiktok', 'youtube'], iterations: 1 };
const VARIANTS = ['keryx', 'plain', 'fetch'];
const LABEL = { keryx: 'keryx `refreshDue`', plain: 'plain `fetch` + atomic JSON file', fetch: 'plain `fetch`, no persistence' };

// ---- the sandbox, in a child process ----------------------------------------------------------

/** sandboxChild: the forked side: a sandbox, and answers to the parent's requests over IPC. */
async function sandboxChild() {
  const { startSandbox } = require(path.join(repo, 'js', 'sandbox'));
  const sb = await startSandbox({ autoApprove: true });
  const ops = {
    seed: ({ platform, count }) => sb.seed(platform, { count }),
    cpu: () => ({ cpu: process.cpuUsage(), requests: sb.requestSummary().total }),
    // check: per account, did exactly one refresh happen, and does the client hold the live
    // refresh token (rotating platforms) / a valid access token? Counts only, never a token.
    check: ({ platform, accounts, rotating }) => {
      const out = { n: accounts.length, oneRefresh: 0, oneRotation: 0, refreshCurrent: 0, accessValid: 0, accessChecked: 0 };
      for (const a of accounts) {
        if (sb.tokens.refreshes(platform, a.userId) === 1) out.oneRefresh++;
        if (sb.tokens.rotations(platform, a.userId) === (rotating ? 1 : 0)) out.oneRotation++;
        if (a.refreshToken !== undefined && a.refreshToken === sb.tokens.currentRefreshToken(platform, a.userId)) out.refreshCurrent++;
        if (a.accessToken !== undefined) {
          out.accessChecked++;
          if (sb.tokens.isValid(platform, a.accessToken)) out.accessValid++;
        }
      }
      return out;
    },
  };
  process.on('message', async ({ id, op, args }) => {
    try {
      process.send({ id, result: await ops[op](args) });
    } catch (err) {
      process.send({ id, error: String(err && err.stack ? err.stack : err) });
    }
  });
  process.on('disconnect', () => sb.close().then(() => process.exit(0)));
  process.send({ ready: sb.url });
}

/** startChild: forks the sandbox; resolves `{ url, call(op, args), close() }`. */
function startChild() {
  const child = fork(__filename, ['--sandbox-child'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env } });
  const waiting = new Map();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      for (const w of waiting.values()) w.reject(new Error(`the sandbox process exited (${code})`));
      reject(new Error(`the sandbox process exited before it was ready (${code})`));
    });
    child.on('message', (m) => {
      if (m.ready) {
        resolve({
          url: m.ready,
          call: (op, args) =>
            new Promise((ok, fail) => {
              const id = ++nextId;
              waiting.set(id, { resolve: ok, reject: fail });
              child.send({ id, op, args });
            }),
          close: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.disconnect();
            }),
        });
        return;
      }
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error) w.reject(new Error(`sandbox: ${m.error}`));
      else w.resolve(m.result);
    });
  });
}

// ---- helpers ----------------------------------------------------------------------------------

const cpuMs = (u) => (u.user + u.system) / 1000;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

/** pool: runs `fn(item)` for every item with at most `concurrency` in flight. */
async function pool(items, concurrency, fn) {
  let next = 0;
  async function worker() {
    while (next < items.length) await fn(items[next++]);
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** mutex: `lock(fn)` runs fn after every earlier fn has finished. */
function mutex() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

/** writeDurably: `text` replaces `file` atomically: temp file, fsync, rename, fsync of the folder. */
async function writeDurably(file, text) {
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  const dir = await fsp.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

// ---- the three variants -----------------------------------------------------------------------

/** keryxSide: a fresh vault with the seeded accounts, then the timed refreshDue. */
async function keryxSide(keryx, ctx) {
  const { platform, seeded, nowSec, sandboxUrl, concurrency, clock } = ctx;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-bench-refresh-'));
  process.env.KERYX_HOME = home;
  process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
  process.env.KERYX_KEYCHAIN = 'off';
  await keryx.store.putMany(
    seeded.map((a) => ({
      platform,
      account: a.accountId,
      accessToken: a.accessToken,
      ...(a.refreshToken ? { refreshToken: a.refreshToken } : {}),
      tokenType: 'Bearer',
      scopes: a.scopes,
      obtainedAt: nowSec,
      expiresAt: a.expiresIn != null ? nowSec + a.expiresIn : 0,
      refreshExpiresAt: a.refreshExpiresIn != null ? nowSec + a.refreshExpiresIn : 0,
      metadata: { sandbox: sandboxUrl },
    })),
  );
  const timed = () => keryx.refreshDue({ platform, force: true, concurrency, now: clock });
  const check = async (r) => {
    const bad = r.results.filter((x) => x.status !== 'refreshed' || x.persisted === false);
    if (r.results.length !== seeded.length || bad.length) {
      const why = bad[0] ? `${bad[0].status}${bad[0].code ? ` (${bad[0].code}: ${bad[0].message})` : ''}` : 'missing results';
      throw new Error(`keryx ${platform}: ${bad.length} of ${r.results.length} accounts not refreshed: ${why}`);
    }
    // The stored tokens, one get() each (every get decrypts the whole vault, so a few seconds).
    const byAccount = new Map();
    await pool(seeded, 4, async (a) => {
      const rec = await keryx.store.get(platform, { account: a.accountId });
      byAccount.set(a.accountId, { userId: a.userId, accessToken: rec.accessToken, refreshToken: rec.refreshToken });
    });
    return seeded.map((a) => byAccount.get(a.accountId));
  };
  return { timed, check, size: () => fs.statSync(path.join(home, 'vault')).size, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

/** fetchSide: the plain script; `persist` false makes it the fetch-only baseline. */
async function fetchSide(ctx, persist) {
  const { platform, seeded, nowSec, sandboxUrl, concurrency, clock } = ctx;
  const { SANDBOX_APPS } = require(path.join(repo, 'js', 'sandbox', 'apps'));
  const { sandboxEndpoints } = require(path.join(repo, 'js', 'lib', 'sandbox_endpoints'));
  const app = SANDBOX_APPS[SANDBOX_NAME[platform]];
  const tokenUrl = sandboxEndpoints(sandboxUrl, platform).tokenUrl;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-bench-plain-'));
  const file = path.join(dir, 'accounts.json');
  const state = { version: 1, accounts: {} };
  for (const a of seeded) {
    state.accounts[a.accountId] = {
      platform,
      account: a.accountId,
      accessToken: a.accessToken,
      refreshToken: a.refreshToken || null,
      tokenType: 'Bearer',
      scopes: a.scopes,
      obtainedAt: nowSec,
      expiresAt: a.expiresIn != null ? nowSec + a.expiresIn : 0,
      refreshExpiresAt: a.refreshExpiresIn != null ? nowSec + a.refreshExpiresIn : 0,
    };
  }
  if (persist) await writeDurably(file, JSON.stringify(state));
  const lock = mutex();
  async function refreshOne(a) {
    const current = state.accounts[a.accountId];
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({
        [app.idParam]: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: current.refreshToken,
      }),
    });
    const body = await res.json();
    if (!res.ok || typeof body.access_token !== 'string') throw new Error(`plain ${platform}: refresh of an account answered ${res.status} ${body.error || ''}`);
    const now = Math.floor(await clock());
    const updated = {
      ...current,
      accessToken: body.access_token,
      refreshToken: body.refresh_token || current.refreshToken,
      tokenType: body.token_type || current.tokenType,
      obtainedAt: now,
      expiresAt: body.expires_in ? now + Number(body.expires_in) : 0,
      refreshExpiresAt: body.refresh_expires_in ? now + Number(body.refresh_expires_in) : current.refreshExpiresAt,
    };
    if (!persist) {
      state.accounts[a.accountId] = updated;
      return;
    }
    await lock(async () => {
      state.accounts[a.accountId] = updated;
      await writeDurably(file, JSON.stringify(state));
    });
  }
  return {
    timed: () => pool(seeded, concurrency, refreshOne),
    check: async () => {
      const stored = persist ? JSON.parse(fs.readFileSync(file, 'utf8')).accounts : state.accounts;
      return seeded.map((a) => ({ userId: a.userId, accessToken: stored[a.accountId].accessToken, refreshToken: stored[a.accountId].refreshToken || undefined }));
    },
    size: () => (persist ? fs.statSync(file).size : 0),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** measure: one variant over freshly seeded accounts; the timed part, its CPU, and the checks. */
async function measure(variant, { keryx, sandbox, platform, accounts, concurrency }) {
  const sp = SANDBOX_NAME[platform];
  const { accounts: seeded } = await sandbox.call('seed', { platform: sp, count: accounts });
  // The sandbox clock is real time here (no offset); keryx is given it as `now` so that neither
  // side asks the sandbox for its clock over HTTP (keryx otherwise would, once per account).
  const clock = () => Date.now() / 1000;
  const ctx = { platform, seeded, nowSec: Math.floor(Date.now() / 1000), sandboxUrl: sandbox.url, concurrency, clock };
  const side = variant === 'keryx' ? await keryxSide(keryx, ctx) : await fetchSide(ctx, variant === 'plain');
  try {
    const sb0 = await sandbox.call('cpu');
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const out = await side.timed();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = cpuMs(process.cpuUsage(c0));
    const sb1 = await sandbox.call('cpu');
    const sandboxCpu = cpuMs(sb1.cpu) - cpuMs(sb0.cpu);
    const requests = sb1.requests - sb0.requests;
    const size = side.size();
    const held = await side.check(out);
    const rotating = platform === 'tiktok';
    const c = await sandbox.call('check', { platform: sp, accounts: held, rotating });
    const want = seeded.length;
    if (c.oneRefresh !== want || c.oneRotation !== want || c.accessValid !== want || (rotating && c.refreshCurrent !== want)) {
      throw new Error(`${variant} ${platform}: check failed: ${JSON.stringify(c)} of ${want}`);
    }
    if (requests !== want) throw new Error(`${variant} ${platform}: ${requests} requests reached the sandbox for ${want} refreshes`);
    return { wallMs, cpu, sandboxCpu, requests, size, n: want };
  } finally {
    side.cleanup();
  }
}

// ---- options, run, report ---------------------------------------------------------------------

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = inline ?? argv[++i];
    if (flag === '--iterations' || flag === '--accounts') out[flag.slice(2)] = Number(value);
    else if (flag === '--concurrency') out.concurrency = String(value).split(',').map(Number);
    else if (flag === '--platforms') out.platforms = String(value).split(',');
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return out;
}

async function run(options = {}) {
  const accounts = options.accounts || DEFAULTS.accounts;
  const reps = options.iterations || DEFAULTS.iterations;
  const levels = options.concurrency || DEFAULTS.concurrency;
  const platforms = options.platforms || DEFAULTS.platforms;
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > 5000) throw new Error('--accounts takes 1 to 5000');
  if (levels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--concurrency takes whole numbers >= 1');
  if (platforms.some((p) => !SANDBOX_NAME[p])) throw new Error('--platforms takes tiktok and/or youtube');

  // keryx reads its paths from the environment at each call; these are set per keryx run and
  // put back afterwards (bench/run.js runs other benchmarks in this process).
  const saved = {};
  for (const name of ['KERYX_HOME', 'KERYX_VAULT_KEY', 'KERYX_KEYCHAIN', 'KERYX_CONFIG', 'KERYX_VAULT', 'KERYX_VAULT_KEY_FILE', 'YOUTUBE_ACCESS_TOKEN', 'YOUTUBE_REFRESH_TOKEN', 'TIKTOK_ACCESS_TOKEN', 'TIKTOK_REFRESH_TOKEN']) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  process.env.KERYX_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-bench-refresh-'));
  process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
  process.env.KERYX_KEYCHAIN = 'off';
  const firstHome = process.env.KERYX_HOME;

  const started = Date.now();
  const loadStart = os.loadavg()[0];
  const sandbox = await startChild();
  const rows = [];
  try {
    let keryx;
    for (let attempt = 0; ; attempt++) {
      try {
        keryx = require(repo);
        require(path.join(repo, 'js', 'lib', 'native')).load(); // the full addon (lifecycleRefresh), or addon_missing
        break;
      } catch (err) {
        if (attempt >= 20 || !/addon_missing|not built|Cannot find/i.test(`${err.code} ${err.message}`)) throw err;
        process.stderr.write('refresh_accounts: the addon is missing (being rebuilt?); retrying in 15 s\n');
        await new Promise((r) => setTimeout(r, 15000));
      }
    }
    // One small warm-up of every variant (connection pool, code paths), not reported.
    for (const platform of platforms) {
      for (const variant of VARIANTS) await measure(variant, { keryx, sandbox, platform, accounts: Math.min(20, accounts), concurrency: levels[0] });
    }
    let round = 0; // the order of the variants is reversed every other round, across platforms too
    for (const concurrency of levels) {
      for (const platform of platforms) {
        const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
        for (let r = 0; r < reps; r++) {
          const order = round++ % 2 ? [...VARIANTS].reverse() : VARIANTS;
          for (const variant of order) {
            const s = await measure(variant, { keryx, sandbox, platform, accounts, concurrency });
            samples[variant].push(s);
            process.stderr.write(`refresh_accounts: ${platform} C=${concurrency} rep ${r + 1}/${reps} ${variant}: ${(s.wallMs / 1000).toFixed(1)} s wall, ${fmt(s.cpu / s.n)} ms CPU/refresh (sandbox ${fmt(s.sandboxCpu / s.n)}, ${s.requests} requests)\n`);
          }
        }
        for (const variant of VARIANTS) rows.push({ platform, concurrency, variant, samples: samples[variant] });
      }
    }
  } finally {
    await sandbox.close();
    fs.rmSync(firstHome, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  return { title: `Refreshing ${accounts.toLocaleString('en')} accounts: keryx against plain \`fetch\``, markdown: report(rows, { accounts, reps, levels, platforms, seconds: (Date.now() - started) / 1000, load: [loadStart, os.loadavg()[0]] }) };
}

function report(rows, { accounts, reps, levels, platforms, seconds, load }) {
  const per = accounts.toLocaleString('en');
  const many = reps > 1;
  const name = (platform) => (platform === 'youtube' ? 'YouTube' : 'TikTok');
  const find = (platform, concurrency, variant) => rows.find((r) => r.platform === platform && r.concurrency === concurrency && r.variant === variant);
  // med: the median over the repetitions of f(sample); cell: "median (min)", or the value when one run.
  const med = (row, f) => median(row.samples.map(f));
  const cell = (row, f, unit, best = Math.min) => {
    const xs = row.samples.map(f);
    return many ? `${fmt(median(xs))}${unit} (${fmt(best(...xs))}${unit})` : `${fmt(xs[0])}${unit}`;
  };
  const head = many ? ', median (best)' : '';
  const table = [
    `| Platform | C | Variant | Wall per ${per}${head} | Refreshes/s${head} | Client CPU per refresh${head} | Client CPU / wall | Sandbox CPU per refresh | Store at the end |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const size = row.variant === 'fetch' ? '—' : `${kib(row.samples[row.samples.length - 1].size)}${row.variant === 'keryx' ? ' (and `vault.bak`)' : ''}`;
    table.push(
      `| ${name(row.platform)} | ${row.concurrency} | ${LABEL[row.variant]} | ${cell(row, (s) => s.wallMs / 1000, ' s')} | ${cell(row, (s) => s.n / (s.wallMs / 1000), '', Math.max)} | ${cell(row, (s) => s.cpu / s.n, ' ms')} | ${fmt(med(row, (s) => s.cpu / s.wallMs))} cores | ${fmt(med(row, (s) => s.sandboxCpu / s.n))} ms | ${size} |`,
    );
  }

  const reading = [];
  for (const concurrency of levels) {
    for (const platform of platforms) {
      const k = find(platform, concurrency, 'keryx');
      const p = find(platform, concurrency, 'plain');
      const f = find(platform, concurrency, 'fetch');
      const kw = med(k, (s) => s.wallMs);
      const pw = med(p, (s) => s.wallMs);
      const fw = med(f, (s) => s.wallMs);
      const kc = med(k, (s) => s.cpu / s.n);
      const pc = med(p, (s) => s.cpu / s.n);
      const fc = med(f, (s) => s.cpu / s.n);
      const wallCmp = kw >= pw ? `${(kw / pw).toFixed(1)} times as long` : `${(pw / kw).toFixed(1)} times faster`;
      const cpuCmp = kc >= pc ? `${(kc / pc).toFixed(1)} times` : `${(pc / kc).toFixed(2)} of`;
      reading.push(
        `${name(platform)}, C=${concurrency}${many ? ' (medians)' : ''}: keryx refreshed and stored the ${per} accounts in ${fmt(kw / 1000)} s, the plain script in ${fmt(pw / 1000)} s (keryx took ${wallCmp}); the requests alone, without storing anything, took ${fmt(fw / 1000)} s. Client CPU per refresh was ${fmt(kc)} ms for keryx and ${fmt(pc)} ms for the plain script (keryx: ${cpuCmp} as much); the plain script's requests alone (the fetch-only run) took ${fmt(fc)} ms of CPU per refresh.`,
      );
    }
  }
  const busy = rows.filter((r) => r.variant !== 'fetch').map((r) => med(r, (s) => s.cpu / s.wallMs));
  const vault = find(platforms[0], levels[0], 'keryx').samples[0].size;
  const json = find(platforms[0], levels[0], 'plain').samples[0].size;

  return [
    `${many ? `${reps} repetitions` : 'One run'} of each variant per row, ${per} accounts each; the order of the three variants is reversed every other round (across platforms too). ${fmt(seconds)} s in all, including seeding, building the stores, the checks and a warm-up of every variant on ${Math.min(20, accounts)} accounts (not reported). One-minute load average ${load[0].toFixed(2)} at the start and ${load[1].toFixed(2)} at the end, on ${os.availableParallelism()} cores.${many ? '' : ' With one run per variant the table shows no spread; `--iterations N` runs N rounds and reports the median and the best.'}`,
    '',
    `**What is timed.** Before every run the sandbox seeds ${per} new accounts (real sandbox tokens, never refreshed) and the variant gets a fresh store holding them. The clock runs from the start of the first refresh to the moment the last refreshed account is stored. Every account is refreshed exactly once, with at most C refreshes in flight. Seeding, building the store and the checks afterwards are not timed.`,
    '',
    '- **keryx `refreshDue`**: `keryx.refreshDue({ platform, force: true, concurrency: C })` over a fresh vault holding the accounts (`store.putMany`; `KERYX_HOME` in a new temp folder, key from `KERYX_VAULT_KEY`, keychain off). For each account that is the native refresh transaction: the account\'s flock, an unlocked read and a locked re-read of the vault, for TikTok an in-flight marker written durably before the request, the refresh request (libcurl), and the new tokens written durably before the call returns. keryx encrypts and replaces the whole vault on every write (with the `.bak` copy, fsync and the generation witness), so a TikTok refresh writes the whole vault twice (marker, then result) and a YouTube refresh once. keryx is handed the clock as `now`; without it, it would also ask the sandbox for its clock over HTTP once per account. Each transaction runs on Node\'s libuv thread pool (4 threads unless `UV_THREADPOOL_SIZE` says otherwise), so however large C is, at most that many are in progress at once.',
    '- **plain `fetch` + atomic JSON file**: what a careful script does with nothing but Node. A promise pool of C workers; for each account `fetch` POSTs the refresh grant (form body, the same sandbox client credentials) to the token endpoint and parses the JSON answer; then, under an in-process mutex, the new tokens go into one JSON file holding every account, rewritten whole (temp file, fsync, rename, fsync of the folder). One write per refresh on both platforms; no encryption, no lock between processes, no in-flight marker, no re-read.',
    '- **plain `fetch`, no persistence**: the same requests and parsing, tokens kept in memory only: what the HTTP exchange costs the client.',
    '',
    `**Checked after every run** (not timed), or the benchmark fails: the sandbox counted exactly one successful refresh per account and exactly ${per} requests in the run; every stored access token is valid at the sandbox; for TikTok every stored refresh token is the sandbox's current one (the rotation reached the store) and each account rotated once; keryx reported every account \`refreshed\` and persisted. keryx's stored tokens are read back with \`store.get\`, the plain script's from its JSON file.`,
    '',
    '**CPU.** The sandbox runs in a child process (this benchmark forked), so client CPU is `process.cpuUsage()` (user + system) of the benchmark process over the timed span, divided by the number of refreshes. For keryx that covers its JS and its native threads (libcurl, vault encryption, file I/O); for the plain script, undici, JSON and file I/O. "Client CPU / wall" is the client CPU over the wall time: how many of the 2 cores the client kept busy on average. Sandbox CPU is the child\'s own `process.cpuUsage()` over the same span: the emulated platform\'s side, which neither client would pay against a real platform.',
    '',
    ...table,
    '',
    `Reading: ${reading.join(' ')}`,
    '',
    `${Math.max(...busy) < 1 ? `While storing, neither client kept even one core busy (client CPU / wall of ${fmt(Math.min(...busy))} to ${fmt(Math.max(...busy))} cores), so part of every run is spent waiting rather than computing. On both sides` : 'On both sides'} the store is written by one refresh at a time (keryx's vault lock, the script's mutex) and each write waits for fsync before the next can start. The sandbox's CPU per refresh differs between variants although every variant sends it the same ${per} requests; this benchmark does not separate the causes (keryx opens a new connection for each request, where \`fetch\` keeps connections alive; a run spread over more time also meets colder caches and more of the machine's other load).`,
    '',
    `Caveats. The figures move with the machine's load (load averages above) and the disk's fsync latency: wall times a lot, CPU per refresh less. Both stores are rewritten whole on every write, so the cost of a refresh grows with the number of accounts in the store; these figures are for ${per} accounts in one store (keryx's vault ${kib(vault)}, the JSON file ${kib(json)} for ${name(platforms[0])}). The plain script is deliberately the simplest careful one: it keeps tokens in clear text, is safe within one process only, and would lose a rotated TikTok token if it died between the sandbox's answer and its write; keryx's figures pay for encryption, the cross-process account lock, the re-read and the in-flight marker. The sandbox answers at once: against a real platform each refresh would also wait on the network.`,
  ].join('\n');
}

module.exports = { run };

if (require.main === module) {
  if (process.argv.includes('--sandbox-child')) {
    sandboxChild().catch((err) => {
      process.stderr.write(`sandbox child failed: ${err.stack || err}\n`);
      process.exit(1);
    });
  } else {
    run(parseArgs(process.argv.slice(2))).then(
      (r) => process.stdout.write(`## ${r.title}\n\n${r.markdown}\n`),
      (err) => {
        process.stderr.write(`refresh_accounts failed: ${err.stack || err}\n`);
        process.exitCode = 1;
      },
    );
  }
}
