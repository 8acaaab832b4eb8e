'use strict';
// auth_harness.js: runs the real `keryx auth` CLI as a child process for the e2e suites: a fresh
// KERYX_HOME per run, the authorize URL read from what the CLI prints, headless Debian Chromium
// to click the consent page, a pty (util-linux `script`) to paste on a terminal, and a scan of
// everything printed for the run's secrets (recorded by fixtures/record-auth-secrets.js on fd 3).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const assert = require('node:assert/strict');

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'js', 'cli', 'keryx.js');
const RECORDER = path.join(__dirname, 'fixtures', 'record-auth-secrets.js');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** tempHome: a fresh KERYX_HOME and the environment for a CLI run in it (vault key from env). */
function tempHome(extraEnv = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-auth-'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    KERYX_HOME: home,
    KERYX_KEYCHAIN: 'off',
    KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64'),
    NO_COLOR: '1',
    ...extraEnv,
  };
  return { home, env, sandboxHome: path.join(home, 'sandbox') };
}

/**
 * startAuth: spawns `keryx <args>` and returns `{ child, url: Promise<string>, done: Promise<{ code,
 * stdout, stderr, secrets }> , write(text) }`. `url` resolves with the authorize URL once printed.
 */
function startAuth(args, env, { input, pty = false } = {}) {
  const quote = (a) => `'${String(a).replace(/'/g, `'\\''`)}'`;
  const argv = [process.execPath, '-r', RECORDER, CLI, ...args];
  // pty: util-linux `script` runs the CLI on a pseudo-terminal; what the test writes is typed there.
  const child = pty
    ? spawn('script', ['-qfec', argv.map(quote).join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let secretText = '';
  let resolveUrl;
  let rejectUrl;
  const url = new Promise((resolve, reject) => {
    resolveUrl = resolve;
    rejectUrl = reject;
  });
  url.catch(() => {});
  const findUrl = () => {
    const m = /\n {2}(https?:\/\/\S+)\r?\n/.exec(stdout + stderr);
    if (m) resolveUrl(m[1]);
  };
  child.stdout.on('data', (d) => {
    stdout += d;
    if (pty) findUrl();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    findUrl();
  });
  child.stdio[3].on('data', (d) => (secretText += d));
  if (input !== undefined) child.stdin.end(input);
  const done = new Promise((resolve) => {
    child.on('close', (code) => {
      rejectUrl(new Error(`keryx exited (${code}) before printing a URL:\n${stderr}`));
      const secrets = secretText.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      resolve({ code, stdout, stderr, all: stdout + stderr, secrets });
    });
  });
  return { child, url, done, write: (t) => child.stdin.write(t) };
}

/** runCli: `keryx <args>` to completion (stdin closed unless `input`). */
function runCli(args, env, options = {}) {
  const r = startAuth(args, env, { input: options.input ?? '' });
  return r.done;
}

/** assertNoSecrets: nothing in `printed` contains any of `secrets` (also URL-encoded). */
function assertNoSecrets(printed, secrets, extra = []) {
  const all = [...secrets, ...extra].filter((s) => typeof s === 'string' && s.length >= 6);
  const strict = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const lower = printed.toLowerCase();
  for (const s of all) {
    const forms = [s, encodeURIComponent(s), strict(s)];
    const found = forms.some((f) => printed.includes(f)) || lower.includes(strict(s).toLowerCase());
    assert.ok(!found, `a secret of the run was printed (${s.length} chars, starts ${s.slice(0, 3)}…)`);
  }
  return all.length;
}

let chromiumModule = null;
/** launchChromium: Debian's headless Chromium through playwright-core (never a downloaded browser). */
async function launchChromium() {
  chromiumModule = chromiumModule || require('playwright-core').chromium;
  return chromiumModule.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], timeout: 20000 });
}

/**
 * consentInChromium: opens `url`, clicks Allow (or Deny) on the sandbox consent page, and waits for
 * the capture server's page. Resolves `{ finalUrl, text }`; saves a screenshot under test-artifacts.
 */
async function consentInChromium(browser, url, { deny = false, shot } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click(deny ? '#deny' : '#approve')]);
    await page.waitForLoadState('load');
    const text = await page.textContent('body');
    if (shot) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, `${shot}.png`) });
    }
    return { finalUrl: page.url(), text };
  } finally {
    await context.close();
  }
}

/** withSandboxEnv: runs `fn` with process.env pointing keryx's library at `home` (restored after). */
async function withHome(env, home, fn) {
  const saved = { ...process.env };
  Object.assign(process.env, { KERYX_HOME: home, KERYX_VAULT_KEY: env.KERYX_VAULT_KEY, KERYX_KEYCHAIN: 'off' });
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

module.exports = { tempHome, startAuth, runCli, assertNoSecrets, launchChromium, consentInChromium, withHome, CLI, ROOT };
