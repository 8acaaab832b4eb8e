'use strict';
// 71-auth-negative: every rule the sandbox enforces, broken on purpose against the real CLI:
// denied consent, wrong redirect, bad PKCE, reused and expired codes, wrong secret, missing scope,
// errors inside HTTP 200 bodies, 5xx and timeouts from the token endpoint. Each must end with a
// clear, stable error code, and the vault and config that were there before must be untouched
// (a seeded account keeps its exact token; the config file stays byte-identical).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startSandbox, SANDBOX_APPS } = require('../../js/sandbox');
const h = require('./auth_harness');
const { httpGet } = require('./helpers');

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
test.beforeEach(() => sb.setKnobs({ autoApprove: true, autoDeny: false, fail: {}, grantScopes: {}, tiktokPkce: 'hex', tiktokErrorStatus: 400 }));

const SEED_TOKEN = 'seeded-access-token-0123456789';
const appSecrets = Object.values(SANDBOX_APPS).map((a) => a.clientSecret);

/** seeded: a sandbox-profile home that already holds an account and a config file. */
async function seeded(platform, extraEnv = {}) {
  const ctx = h.tempHome(extraEnv);
  fs.mkdirSync(ctx.sandboxHome, { recursive: true, mode: 0o700 });
  const configText = JSON.stringify({ platforms: { [platform]: { enabled: true, marker: 'before' } } }, null, 2);
  fs.writeFileSync(path.join(ctx.sandboxHome, 'config.json'), configText, { mode: 0o600 });
  await h.withHome(ctx.env, ctx.sandboxHome, () =>
    require('../../js/lib/store').put({ platform, account: 'seeded', accessToken: SEED_TOKEN, refreshToken: 'seeded-refresh-token-0123456789' }),
  );
  ctx.configText = configText;
  return ctx;
}

/** assertUntouched: the seeded account is the only one, with its token; the config is unchanged. */
async function assertUntouched(ctx, platform) {
  const store = require('../../js/lib/store');
  const list = await h.withHome(ctx.env, ctx.sandboxHome, () => store.list());
  assert.deepEqual(list.map((r) => `${r.platform}/${r.account}`), [`${platform}/seeded`]);
  const rec = await h.withHome(ctx.env, ctx.sandboxHome, () => store.get(platform));
  assert.equal(rec.accessToken, SEED_TOKEN);
  assert.equal(fs.readFileSync(path.join(ctx.sandboxHome, 'config.json'), 'utf8'), ctx.configText);
}

/**
 * attempt: runs `keryx auth <platform> --sandbox` and plays the browser: authorize -> follow the
 * sandbox's redirect to the callback (TLS unverified for the in-memory certificate).
 */
async function attempt(ctx, platform, args = []) {
  const run = h.startAuth(['auth', platform, '--sandbox', sb.url, '--no-browser', '--timeout', '20', ...args], ctx.env);
  const url = await run.url;
  const r = await fetch(url, { redirect: 'manual' });
  const location = r.headers.get('location');
  if (r.status === 302 && location) await httpGet(location.replace(/#_$/, '')).catch(() => null);
  const done = await run.done;
  return { ...done, authorizeStatus: r.status, location };
}

/** linkedinCode: a code issued for `redirect` by the sandbox (no PKCE on LinkedIn). */
async function linkedinCode(redirect = 'http://127.0.0.1:3770/') {
  const u = new URL(`${sb.url}/linkedin/oauth/v2/authorization`);
  u.search = new URLSearchParams({ response_type: 'code', client_id: SANDBOX_APPS.linkedin.clientId, redirect_uri: redirect, state: 'st', scope: 'openid profile w_member_social' }).toString();
  const r = await fetch(u, { redirect: 'manual' });
  assert.equal(r.status, 302);
  return new URL(r.headers.get('location')).searchParams.get('code');
}

function assertFailed(r, code, pattern) {
  assert.equal(r.code, 1, r.all);
  assert.match(r.stderr, new RegExp(`\\[${code}\\]`), r.stderr);
  if (pattern) assert.match(r.stderr, pattern);
  h.assertNoSecrets(r.all, r.secrets, appSecrets);
}

test('denied consent (Chromium clicks Deny) is platform_rejected access_denied; nothing stored', async () => {
  sb.setKnobs({ autoApprove: false });
  const ctx = await seeded('tiktok');
  const run = h.startAuth(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser', '--timeout', '30'], ctx.env);
  const page = await h.consentInChromium(browser, await run.url, { deny: true, shot: 'auth-tiktok-denied' });
  assert.match(page.text, /not authorized|denied|failed/i);
  const r = await run.done;
  assertFailed(r, 'platform_rejected', /access_denied/);
  assert.match(r.stderr, /Nothing was stored/);
  await assertUntouched(ctx, 'tiktok');
});

test('LinkedIn denial (user_cancelled_authorize) likewise', async () => {
  sb.setKnobs({ autoApprove: false, autoDeny: true });
  const ctx = await seeded('linkedin');
  const r = await attempt(ctx, 'linkedin');
  assertFailed(r, 'platform_rejected', /user_cancelled_authorize/);
  await assertUntouched(ctx, 'linkedin');
});

test('wrong redirect: a kind the platform never accepts is refused before anything starts', async () => {
  const ctx = await seeded('youtube');
  const r = await h.runCli(['auth', 'youtube', '--sandbox', sb.url, '--redirect', 'https://example.com/cb'], ctx.env);
  assertFailed(r, 'redirect_invalid', /loopback/);
  const ig = await h.runCli(['auth', 'instagram', '--sandbox', sb.url, '--redirect', 'http://127.0.0.1:4000/'], ctx.env);
  assertFailed(ig, 'redirect_invalid', /https/);
  await assertUntouched(ctx, 'youtube');
});

test('wrong redirect: an unregistered one stops at the platform (no code) and times out cleanly', async () => {
  const ctx = await seeded('linkedin');
  const run = h.startAuth(['auth', 'linkedin', '--sandbox', sb.url, '--no-browser', '--timeout', '2', '--redirect', 'http://127.0.0.1:3771/'], ctx.env);
  const res = await fetch(await run.url, { redirect: 'manual' });
  assert.equal(res.status, 400, 'the sandbox refuses to redirect to an unregistered URI');
  const r = await run.done;
  assertFailed(r, 'capture_timeout');
  await assertUntouched(ctx, 'linkedin');
});

test('wrong redirect at the exchange: a code issued for another redirect is platform_rejected', async () => {
  const ctx = await seeded('linkedin');
  const code = await linkedinCode('http://127.0.0.1:3770/');
  const r = await h.runCli(['auth', 'linkedin', '--sandbox', sb.url, '--code', code, '--redirect', 'https://localhost:3770/'], ctx.env);
  assertFailed(r, 'platform_rejected', /invalid_request|redirect/);
  await assertUntouched(ctx, 'linkedin');
});

test('bad PKCE: a platform expecting another challenge encoding rejects the verifier', async () => {
  sb.setKnobs({ tiktokPkce: 'base64url' });
  const ctx = await seeded('tiktok');
  const r = await attempt(ctx, 'tiktok');
  assertFailed(r, 'platform_rejected', /Code verifier or code challenge is invalid/);
  await assertUntouched(ctx, 'tiktok');
});

test('a reused code is refused by the platform and the first result is not overwritten', async () => {
  const ctx = h.tempHome();
  const code = await linkedinCode();
  const first = await h.runCli(['auth', 'linkedin', '--sandbox', sb.url, '--code', code, '--redirect', 'http://127.0.0.1:3770/'], ctx.env);
  assert.equal(first.code, 0, first.all);
  const store = require('../../js/lib/store');
  const before = await h.withHome(ctx.env, ctx.sandboxHome, () => store.get('linkedin'));
  const second = await h.runCli(['auth', 'linkedin', '--sandbox', sb.url, '--code', code, '--redirect', 'http://127.0.0.1:3770/'], ctx.env);
  assertFailed(second, 'platform_rejected');
  const after = await h.withHome(ctx.env, ctx.sandboxHome, () => store.get('linkedin'));
  assert.equal(after.accessToken, before.accessToken);
  h.assertNoSecrets(first.all + second.all, [code, before.accessToken]);
});

test('an expired code is platform_rejected', async () => {
  const ctx = await seeded('linkedin');
  const code = await linkedinCode();
  sb.clock.advance(11 * 60);
  try {
    const r = await h.runCli(['auth', 'linkedin', '--sandbox', sb.url, '--code', code, '--redirect', 'http://127.0.0.1:3770/'], ctx.env);
    assertFailed(r, 'platform_rejected');
  } finally {
    sb.clock.advance(-11 * 60);
  }
  await assertUntouched(ctx, 'linkedin');
});

test('a wrong client secret is platform_rejected invalid_client', async () => {
  const ctx = await seeded('tiktok', { KERYX_SANDBOX_TIKTOK_SECRET: 'not-the-right-secret' });
  const r = await attempt(ctx, 'tiktok');
  assertFailed(r, 'platform_rejected', /invalid_client/);
  h.assertNoSecrets(r.all, ['not-the-right-secret']);
  await assertUntouched(ctx, 'tiktok');
});

test('a missing scope (box left unticked) is scope_missing naming it; nothing stored', async () => {
  sb.setKnobs({ grantScopes: { google: ['https://www.googleapis.com/auth/youtube.readonly'] } });
  const ctx = await seeded('youtube');
  const r = await attempt(ctx, 'youtube');
  assertFailed(r, 'scope_missing', /youtube\.upload/);
  await assertUntouched(ctx, 'youtube');
});

test('TikTok: a permission switched off on the consent page is scope_missing; nothing stored', async () => {
  sb.setKnobs({ grantScopes: { tiktok: ['user.info.basic', 'video.upload'] } });
  const ctx = await seeded('tiktok');
  const r = await attempt(ctx, 'tiktok');
  assertFailed(r, 'scope_missing', /video\.publish/);
  await assertUntouched(ctx, 'tiktok');
});

test('an OAuth error inside an HTTP 200 body is platform_rejected, not a token', async () => {
  sb.setKnobs({ fail: { 'tiktok.token': { error200: true } } });
  const ctx = await seeded('tiktok');
  const r = await attempt(ctx, 'tiktok');
  assertFailed(r, 'platform_rejected');
  await assertUntouched(ctx, 'tiktok');
});

test('TikTok errors with HTTP 200 for real rule breaks (reused code) too', async () => {
  sb.setKnobs({ tiktokErrorStatus: 200, tiktokPkce: 'base64url' });
  const ctx = await seeded('tiktok');
  const r = await attempt(ctx, 'tiktok');
  assertFailed(r, 'platform_rejected', /invalid_request/);
  await assertUntouched(ctx, 'tiktok');
});

test('a 5xx from the token endpoint is http_status; nothing stored', async () => {
  sb.setKnobs({ fail: { 'google.token': { status: 503, body: '<html>down</html>' } } });
  const ctx = await seeded('youtube');
  const r = await attempt(ctx, 'youtube');
  assertFailed(r, 'http_status', /503/);
  await assertUntouched(ctx, 'youtube');
});

test('a token endpoint that never answers is a timeout; nothing stored', async () => {
  sb.setKnobs({ fail: { 'linkedin.token': { hang: true } } });
  const ctx = await seeded('linkedin', { KERYX_HTTP_TIMEOUT_MS: '1500' });
  const r = await attempt(ctx, 'linkedin');
  assertFailed(r, 'timeout');
  await assertUntouched(ctx, 'linkedin');
});

test('Instagram: a failing long-lived exchange stores nothing (no short-lived token kept)', async () => {
  sb.setKnobs({ fail: { 'instagram.exchange': { status: 500 } } });
  const ctx = await seeded('instagram');
  const r = await attempt(ctx, 'instagram');
  assertFailed(r, 'http_status');
  await assertUntouched(ctx, 'instagram');
});

test("Instagram's documented data[] response shape is understood", async () => {
  sb.setKnobs({ instagramShape: 'data' });
  const ctx = h.tempHome();
  const r = await attempt(ctx, 'instagram');
  assert.equal(r.code, 0, r.all);
  const rec = await h.withHome(ctx.env, ctx.sandboxHome, () => require('../../js/lib/store').get('instagram'));
  assert.equal(rec.account, '17841405793187218');
  assert.ok(sb.tokens.isValid('instagram', rec.accessToken));
  sb.setKnobs({ instagramShape: 'flat' });
});

test('a paste from another flow (wrong state) is refused and the flow still completes', async () => {
  const ctx = h.tempHome();
  const run = h.startAuth(['auth', 'tiktok', '--sandbox', sb.url, '--no-browser', '--timeout', '20'], ctx.env);
  const url = await run.url;
  const location = (await fetch(url, { redirect: 'manual' })).headers.get('location');
  const forged = new URL(location);
  forged.searchParams.set('state', 'someone-elses-state');
  run.write(`${forged}\n`);
  run.write('\u001b[31mnot a code at all\u0007\n');
  await new Promise((r) => setTimeout(r, 300));
  run.write(`${location}\n`);
  const r = await run.done;
  assert.equal(r.code, 0, r.all);
  assert.match(r.stderr, /\[state_mismatch\]/);
  assert.ok(!r.all.includes('\u001b[31m'), 'escape sequences from a paste never reach the terminal');
});

test('--code without a pending authorization says to re-run keryx auth', async () => {
  const ctx = h.tempHome();
  const r = await h.runCli(['auth', 'tiktok', '--sandbox', sb.url, '--code', 'abc123'], ctx.env);
  assertFailed(r, 'pending_auth_missing', /re-run: keryx auth tiktok/);
});

test('missing prerequisites name the exact config key, env var and how-to', async () => {
  const ctx = h.tempHome();
  const r = await h.runCli(['auth', 'tiktok'], ctx.env);
  assertFailed(r, 'prerequisite_missing', /keryx config set platforms\.tiktok\.client_key .*docs\/platforms\/tiktok\.md/);
  // An all-digit app id set with `keryx config set` is a JSON number: it counts as set.
  const set = await h.runCli(['config', 'set', 'platforms.instagram.app_id', '17841405793187218123'], ctx.env);
  assert.equal(set.code, 0, set.all);
  const s = await h.runCli(['auth', 'instagram'], ctx.env);
  assertFailed(s, 'prerequisite_missing', /INSTAGRAM_APP_SECRET.*docs\/platforms\/instagram\.md/);
  const t = await h.runCli(['auth', 'instagram', '--no-browser', '--timeout', '1', '--listen', 'loopback'], { ...ctx.env, INSTAGRAM_APP_SECRET: 'app-secret-value' });
  assertFailed(t, 'capture_timeout');
  assert.match(t.stderr, /https:\/\/www\.instagram\.com\/oauth\/authorize\?client_id=17841405793187218123&/, 'the id is sent digit for digit');
  h.assertNoSecrets(t.all, ['app-secret-value']);
});
