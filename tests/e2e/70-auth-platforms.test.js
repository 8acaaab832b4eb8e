'use strict';
// 70-auth-platforms: the real `keryx auth <platform>` CLI against the keryx sandbox (js/sandbox, a
// separate JS emulator of each platform's rules) for Instagram (https callback with the in-memory
// certificate), YouTube, TikTok and LinkedIn, three ways each:
//  - headless Debian Chromium opens the printed URL and clicks Allow on the consent page;
//  - the redirected URL is typed into the running CLI on a terminal (a pty made by `script`);
//  - an interrupted run is finished with `keryx auth <p> --code <url>`.
// Afterwards the vault holds a token the sandbox accepts and the config fields are written; and
// nothing the CLI printed contains a code, verifier, token or secret.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startSandbox, SANDBOX_APPS } = require('../../js/sandbox');
const h = require('./auth_harness');
const { httpGet } = require('./helpers');

const PLATFORMS = {
  instagram: { sandboxName: 'instagram', account: '17841405793187218', config: { user_id: '17841405793187218', redirect_uri: 'https://localhost:3764/', enabled: true } },
  youtube: { sandboxName: 'google', account: 'UCsandbox0000000000000001', config: { channel_id: 'UCsandbox0000000000000001', enabled: true } },
  tiktok: { sandboxName: 'tiktok', account: 'sandbox-open-id-0001', config: { open_id: 'sandbox-open-id-0001', privacy: 'SELF_ONLY', enabled: true } },
  linkedin: { sandboxName: 'linkedin', account: 'sandboxSub001', config: { author_urn: 'urn:li:person:sandboxSub001', enabled: true } },
};

let sb;
let browser;
test.before(async () => {
  sb = await startSandbox({ port: 0 });
  browser = await h.launchChromium();
});
test.after(async () => {
  await browser?.close();
  await sb?.close();
});
test.beforeEach(() => {
  sb.setKnobs({ autoApprove: false, autoDeny: false });
});

const appSecrets = Object.values(SANDBOX_APPS).map((a) => a.clientSecret);

/** stored: the sandbox-profile vault record of `platform` and the config file, read in `home`. */
async function stored(env, sandboxHome, platform) {
  const record = await h.withHome(env, sandboxHome, () => require('../../js/lib/store').get(platform));
  const configFile = path.join(sandboxHome, 'config.json');
  const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : {};
  return { record, config: config.platforms?.[platform] ?? {} };
}

/** approveByFetch: plays the browser without a consent page: authorize -> 302 -> Location (not followed). */
async function redirectedUrl(url) {
  sb.setKnobs({ autoApprove: true });
  const r = await fetch(url, { redirect: 'manual' });
  assert.equal(r.status, 302, `the sandbox approved (${r.status})`);
  return r.headers.get('location');
}

async function checkStored(platform, env, sandboxHome, run) {
  const p = PLATFORMS[platform];
  const { record, config } = await stored(env, sandboxHome, platform);
  assert.equal(record.account, p.account);
  assert.ok(sb.tokens.isValid(p.sandboxName, record.accessToken), 'the sandbox accepts the stored access token');
  for (const [k, v] of Object.entries(p.config)) assert.deepEqual(config[k], v, `config platforms.${platform}.${k}`);
  const extra = [...appSecrets, record.accessToken, record.refreshToken];
  const n = h.assertNoSecrets(run.all, run.secrets, extra);
  assert.ok(n >= 4, `scanned for the run's secrets (${n})`);
  return record;
}

for (const platform of Object.keys(PLATFORMS)) {
  test(`${platform}: keryx auth with Chromium clicking consent stores a working token and the config`, async () => {
    const { env, sandboxHome } = h.tempHome();
    const run = h.startAuth(['auth', platform, '--sandbox', sb.url, '--no-browser', '--timeout', '60'], env);
    const url = await run.url;
    assert.ok(url.startsWith(sb.url), url);
    const page = await h.consentInChromium(browser, url, { shot: `auth-${platform}-success` });
    assert.match(page.text, /keryx/i);
    assert.ok(!page.finalUrl.includes('code='), 'the success page strips the code from the address bar');
    const r = await run.done;
    assert.equal(r.code, 0, r.all);
    if (platform === 'instagram') assert.match(r.stderr, /Using OAuth callback https:\/\/localhost:376\d\/ \(https, in-memory certificate/);
    assert.match(r.stdout, new RegExp(`${platform} authorized \\(sandbox\\): account ${PLATFORMS[platform].account}`));
    await checkStored(platform, env, sandboxHome, r);
  });

  test(`${platform}: the redirected URL typed into the running CLI on a terminal completes the flow`, async () => {
    const { env, sandboxHome } = h.tempHome();
    const run = h.startAuth(['auth', platform, '--sandbox', sb.url, '--no-browser', '--timeout', '60'], env, { pty: true });
    const url = await run.url;
    const location = await redirectedUrl(url);
    assert.ok(location.includes('code='));
    run.write(`${location}\r`);
    const r = await run.done;
    assert.equal(r.code, 0, r.all);
    assert.match(r.all, /Authorization code received from the paste/);
    assert.match(r.all, /\d:\d\d left/, 'a live countdown is drawn on the terminal');
    assert.match(r.all, /Paste received \(\d+ characters, not shown\)/);
    const code = new URL(location).searchParams.get('code').replace(/#_$/, '');
    await checkStored(platform, env, sandboxHome, { ...r, secrets: [...r.secrets, code] });
  });

  test(`${platform}: an interrupted run is finished with --code <url>`, async () => {
    const { env, sandboxHome } = h.tempHome();
    const run = h.startAuth(['auth', platform, '--sandbox', sb.url, '--no-browser', '--timeout', '60'], env);
    const url = await run.url;
    run.child.kill('SIGINT');
    const first = await run.done;
    assert.equal(first.code, 130, first.all);
    const location = await redirectedUrl(url);
    const r = await h.runCli(['auth', platform, '--sandbox', sb.url, '--code', location], env);
    assert.equal(r.code, 0, r.all);
    const code = new URL(location).searchParams.get('code');
    await checkStored(platform, env, sandboxHome, { ...r, secrets: [...first.secrets, ...r.secrets, code] });
    // The pending authorization is used up: the same code again is refused before any request.
    const again = await h.runCli(['auth', platform, '--sandbox', sb.url, '--code', location], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /\[pending_auth_missing\].*re-run: keryx auth/);
  });
}

test('--code with a bare code (not a URL) finishes the pending TikTok authorization', async () => {
  const { env, sandboxHome } = h.tempHome();
  const run = h.startAuth(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser'], env);
  const url = await run.url;
  run.child.kill('SIGINT');
  await run.done;
  const code = new URL(await redirectedUrl(url)).searchParams.get('code');
  const r = await h.runCli(['auth', 'tiktok', '--sandbox', sb.url, '--code', code], env);
  assert.equal(r.code, 0, r.all);
  const { record } = await stored(env, sandboxHome, 'tiktok');
  assert.ok(sb.tokens.isValid('tiktok', record.accessToken));
});

test('keryx auth <platform> --sandbox with no URL runs start to finish with no browser and no input', async () => {
  const { env, sandboxHome } = h.tempHome();
  const r = await h.runCli(['auth', 'instagram', '--sandbox'], env);
  assert.equal(r.code, 0, r.all);
  assert.match(r.stderr, /Started the keryx sandbox/);
  assert.match(r.stdout, /instagram authorized \(sandbox\)/);
  const { config } = await stored(env, sandboxHome, 'instagram');
  assert.equal(config.user_id, '17841405793187218');
  h.assertNoSecrets(r.all, r.secrets, appSecrets);
});

test('--json prints one document with the summary and no token', async () => {
  const { env } = h.tempHome();
  const r = await h.runCli(['--json', 'auth', 'youtube', '--sandbox'], env);
  assert.equal(r.code, 0, r.all);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.platform, 'youtube');
  assert.equal(doc.hasRefreshToken, true);
  assert.equal(doc.fields.channel_id, 'UCsandbox0000000000000001');
  assert.match(r.stderr, /Open this URL/, 'the URL is still shown to the person, on stderr');
  h.assertNoSecrets(r.all, r.secrets, appSecrets);
});

test('an Instagram https callback is followed over TLS by a plain client too (curl-like)', async () => {
  const { env, sandboxHome } = h.tempHome();
  const run = h.startAuth(['auth', 'instagram', '--sandbox', sb.url, '--no-browser', '--listen', 'loopback'], env);
  const url = await run.url;
  assert.match(run.child.pid ? 'ok' : '', /ok/);
  const location = await redirectedUrl(url);
  assert.match(location, /#_$/, 'Instagram appends #_ to the code');
  const page = await httpGet(location.replace(/#_$/, ''));
  assert.equal(page.status, 200);
  const r = await run.done;
  assert.equal(r.code, 0, r.all);
  assert.match(r.stderr, /listening on 127\.0\.0\.1/);
  await checkStored('instagram', env, sandboxHome, r);
});

test('keryx opens the browser itself ($BROWSER, here headless Chromium) only once the callback is bound', async () => {
  const fakeBrowser = path.join(__dirname, 'fixtures', 'chromium-browser.js');
  const { env, sandboxHome } = h.tempHome({ BROWSER: `${process.execPath} ${fakeBrowser}` });
  const r = await h.runCli(['auth', 'linkedin', '--sandbox', sb.url, '--timeout', '60'], env);
  assert.equal(r.code, 0, r.all);
  assert.match(r.stderr, /Opened your browser/);
  assert.ok(r.stderr.indexOf('Using OAuth callback') < r.stderr.indexOf('Opened your browser'));
  await checkStored('linkedin', env, sandboxHome, r);
});

test('over SSH keryx prints the ssh -L line with the real callback port', async () => {
  const { env } = h.tempHome({ SSH_CONNECTION: '192.0.2.10 50000 192.0.2.20 22', USER: 'poster' });
  const run = h.startAuth(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser', '--timeout', '30'], env);
  const url = await run.url;
  const redirect = new URL(new URL(url).searchParams.get('redirect_uri'));
  const location = await redirectedUrl(url);
  await httpGet(location);
  const r = await run.done;
  assert.equal(r.code, 0, r.all);
  assert.ok(r.stderr.includes(`ssh -L ${redirect.port}:localhost:${redirect.port} poster@`), r.stderr);
});

test('--account files the token under a chosen name and keeps the platform id in its metadata', async () => {
  const { env, sandboxHome } = h.tempHome();
  const run = h.startAuth(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser', '--account', 'brand'], env);
  await httpGet(await redirectedUrl(await run.url));
  const r = await run.done;
  assert.equal(r.code, 0, r.all);
  const rec = await h.withHome(env, sandboxHome, () => require('../../js/lib/store').get('tiktok', { account: 'brand' }));
  assert.equal(rec.metadata.platform_account_id, 'sandbox-open-id-0001');
});

test('LinkedIn: a token that is not yet known everywhere (65601 right after issuance) is retried, not failed', async () => {
  sb.setKnobs({ linkedinPropagationSec: 2 });
  try {
    const { env, sandboxHome } = h.tempHome();
    const run = h.startAuth(['auth', 'linkedin', '--sandbox', sb.url, '--no-browser'], env);
    await httpGet(await redirectedUrl(await run.url));
    const r = await run.done;
    assert.equal(r.code, 0, r.all);
    await checkStored('linkedin', env, sandboxHome, r);
  } finally {
    sb.setKnobs({ linkedinPropagationSec: 0 });
  }
});
