'use strict';
// 60-auth-generic: keryx's generic OAuth 2.0 / OIDC provider against a real, standards-compliant
// authorization server from npm (oidc-provider, tests/e2e/fixtures/oidc-server.js): discovery,
// PKCE S256, each client authentication (basic, post, public), headless Chromium through the
// server's own redirects and cookies, the token stored and accepted by userinfo, a refresh (with
// rotation persisted), and `keryx logout` revoking the grant at the server. Nothing secret printed.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startOidcServer, CLIENTS } = require('./fixtures/oidc-server');
const h = require('./auth_harness');

let op;
let browser;
test.before(async () => {
  op = await startOidcServer({ port: 0 });
  browser = await h.launchChromium();
});
test.after(async () => {
  await browser?.close();
  await op?.close();
});

function configure(home, section) {
  fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ platforms: { idp: section } }, null, 2), { mode: 0o600 });
}

/** authorize: runs `keryx auth idp` and lets Chromium follow the server's redirects. */
async function authorize(env, args = []) {
  const run = h.startAuth(['auth', 'idp', '--no-browser', '--timeout', '30', ...args], env);
  const url = await run.url;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 20000 });
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/, { timeout: 20000 });
    assert.match(await page.textContent('body'), /keryx/i);
  } finally {
    await context.close();
  }
  return run.done;
}

async function userinfo(accessToken) {
  const r = await fetch(`${op.issuer}/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return r.status;
}

for (const [kind, client] of Object.entries(CLIENTS)) {
  test(`generic provider, ${kind} client: discovery + PKCE + exchange + userinfo; stored token works`, async () => {
    const secretVar = client.client_secret ? { IDP_CLIENT_SECRET: client.client_secret } : {};
    const { home, env } = h.tempHome(secretVar);
    configure(home, {
      issuer: op.issuer,
      client_id: client.client_id,
      client_auth: { client_secret_basic: 'basic', client_secret_post: 'post', none: 'none' }[client.token_endpoint_auth_method],
      scopes: ['openid', 'offline_access', 'profile'],
    });
    const r = await authorize(env);
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /idp authorized: account alice/);
    const record = await h.withHome(env, home, () => require('../../js/lib/store').get('idp'));
    assert.equal(record.account, 'alice');
    assert.ok(record.refreshToken, 'offline_access gave a refresh token');
    assert.equal(await userinfo(record.accessToken), 200);
    const cfg = JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8'));
    assert.equal(cfg.platforms.idp.enabled, true);
    assert.equal(cfg.platforms.idp.sub, 'alice');
    h.assertNoSecrets(r.all, r.secrets, [client.client_secret, record.accessToken, record.refreshToken]);
    assert.ok(r.secrets.length >= 3, 'the recorder saw the verifier, the code and the tokens');
  });
}

test('generic provider: refresh rotates and the new refresh token is persisted; logout revokes the grant', async () => {
  const { home, env } = h.tempHome({ IDP_CLIENT_SECRET: CLIENTS.basic.client_secret });
  configure(home, { issuer: op.issuer, client_id: CLIENTS.basic.client_id, client_auth: 'basic', scopes: ['openid', 'offline_access'] });
  const r = await authorize(env);
  assert.equal(r.code, 0, r.all);
  const keryx = require('../../js');
  await h.withHome(env, home, async () => {
    process.env.IDP_CLIENT_SECRET = CLIENTS.basic.client_secret;
    const before = await keryx.store.get('idp');
    const result = await keryx.refresh('idp');
    assert.equal(result.rotated, true);
    const after = await keryx.store.get('idp');
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.equal(op.tokenState(before.refreshToken), 'consumed');
    assert.equal(await userinfo(after.accessToken), 200);
    const out = await h.runCli(['logout', 'idp'], env);
    assert.equal(out.code, 0, out.all);
    assert.match(out.stdout, /Revoked the idp token at the platform/);
    assert.equal(op.revoked(after.refreshToken), true);
    assert.equal(await userinfo(after.accessToken), 401);
    h.assertNoSecrets(out.all, [before.refreshToken, after.refreshToken, after.accessToken]);
  });
});

test('generic provider: prerequisites fail fast with the exact key or variable', async () => {
  const { home, env } = h.tempHome();
  configure(home, { issuer: op.issuer, client_id: CLIENTS.post.client_id, client_auth: 'post' });
  const r = await h.runCli(['auth', 'idp', '--no-browser'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[prerequisite_missing\].*IDP_CLIENT_SECRET.*docs\/platforms\/generic\.md/);
  configure(home, { issuer: `${op.issuer}/nope`, client_id: 'x', client_auth: 'none' });
  const d = await h.runCli(['auth', 'idp', '--no-browser'], env);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /\[discovery_failed\]/);
  const u = await h.runCli(['auth', 'nosuch', '--no-browser'], env);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /\[not_found\].*platforms\.nosuch\.issuer/);
});

test('generic provider: a wrong client secret is platform_rejected and nothing is stored', async () => {
  const { home, env } = h.tempHome({ IDP_CLIENT_SECRET: 'wrong-secret-value' });
  configure(home, { issuer: op.issuer, client_id: CLIENTS.post.client_id, client_auth: 'post', scopes: ['openid'] });
  const r = await authorize(env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[platform_rejected\].*invalid_client/);
  assert.match(r.stderr, /Nothing was stored/);
  const list = await h.withHome(env, home, () => require('../../js/lib/store').list());
  assert.deepEqual(list, []);
});
