'use strict';
// lifecycle_harness.js: shared by the lifecycle suites: a fresh KERYX_HOME and vault key for this
// process, an in-process sandbox, and accounts seeded there (the sandbox issues real tokens, as a
// finished authorization would) and stored in the vault the way `keryx auth` stores them.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PLATFORM_OF = { youtube: 'google' };  // keryx's name -> the sandbox's

/** freshHome: a new KERYX_HOME and vault key in process.env (and returned, for child processes). */
function freshHome() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-life-'));
  const env = {
    KERYX_HOME: home,
    KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64'),
    KERYX_KEYCHAIN: 'off',
  };
  Object.assign(process.env, env);
  for (const name of ['KERYX_CONFIG', 'KERYX_VAULT']) delete process.env[name];
  for (const p of ['INSTAGRAM', 'YOUTUBE', 'TIKTOK', 'LINKEDIN']) {
    delete process.env[`${p}_ACCESS_TOKEN`];
    delete process.env[`${p}_REFRESH_TOKEN`];
  }
  return { home, env };
}

/** seedAccount: one sandbox account for keryx platform `platform`, stored in the vault. */
async function seedAccount(keryx, sb, platform, { count = 1, userIds } = {}) {
  const { accounts } = await sb.seed(PLATFORM_OF[platform] || platform, { count, ...(userIds ? { userIds } : {}) });
  const nowSec = Math.floor(sb.clock.now() / 1000);
  const records = accounts.map((a) => ({
    platform,
    account: a.accountId,
    accessToken: a.accessToken,
    ...(a.refreshToken ? { refreshToken: a.refreshToken } : {}),
    tokenType: 'Bearer',
    scopes: a.scopes,
    obtainedAt: nowSec,
    expiresAt: a.expiresIn != null ? nowSec + a.expiresIn : 0,
    refreshExpiresAt: a.refreshExpiresIn != null ? nowSec + a.refreshExpiresIn : 0,
    metadata: { sandbox: sb.url, sandbox_user: a.userId },
  }));
  if (records.length === 1) await keryx.store.put(records[0]);
  else await keryx.store.putMany(records);
  return accounts.length === 1 ? { ...accounts[0], record: records[0] } : accounts;
}

const WORKER = path.join(__dirname, 'fixtures', 'lifecycle-worker.js');

/**
 * runWorker: fixtures/lifecycle-worker.js with `args` in a child process using the vault of `env`
 * (from freshHome); SIGKILLed after `killAfterMs` when given. Resolves `{ code, signal, stdout, stderr }`.
 */
function runWorker(args, env, { killAfterMs } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, ...args], { env: { PATH: process.env.PATH, HOME: env.KERYX_HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** collect: every keryx event from now on, and a stop function. */
function collect(emitter) {
  const seen = [];
  const on = (e) => seen.push(e);
  emitter.on('event', on);
  return { seen, stop: () => emitter.off('event', on), names: () => seen.map((e) => e.event) };
}

/** assertNoTokenIn: no token of `tokens` appears in JSON of `values`. */
function tokenFree(values, tokens) {
  const text = JSON.stringify(values);
  return tokens.filter(Boolean).every((t) => !text.includes(t));
}

module.exports = { freshHome, seedAccount, runWorker, collect, tokenFree, PLATFORM_OF };
