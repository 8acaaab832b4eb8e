'use strict';
// 87-sandbox-lifecycle: the sandbox features the token-lifecycle work relies on, over real
// sockets: seeded accounts (no browser), revocation on the platform's side, the refresh delay
// (the answer held back after the refresh is committed), the refresh state a test in another
// process reads (a hash, never the token), OAuth error codes in the request log, and the sizes a
// benchmark reaches (1,000 accounts, concurrent refreshes, 8 client processes, a SIGKILLed
// client). Tokens are compared by equality or by SHA-256 and never printed, not even by a
// failing assertion.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { startSandbox, SANDBOX_APPS, KnobError, SandboxUsageError } = require('../../js/sandbox');
const { RequestLog } = require('../../js/sandbox/request_log');

const IG = SANDBOX_APPS.instagram;
const GG = SANDBOX_APPS.google;
const TT = SANDBOX_APPS.tiktok;
const LI = SANDBOX_APPS.linkedin;

let sb;
test.before(async () => {
  sb = await startSandbox({ autoApprove: true });
});
test.after(() => sb.close());
test.beforeEach(() => sb.resetKnobs());

// ---- helpers ------------------------------------------------------------------------------------

const sha256 = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
const address = (path, params) => `${sb.url}${path}${params ? `?${new URLSearchParams(params)}` : ''}`;
const get = (path, params, headers = {}) => fetch(address(path, params), { redirect: 'manual', headers });
const post = (path, fields, extra = {}) => fetch(address(path), { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual', ...extra });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const controlPost = (path, body) => fetch(address(path), { method: 'POST', body: JSON.stringify(body) });

/** same: asserts two secrets are (not) equal without putting either in the failure message. */
function same(a, b, expected, message) {
  assert.equal(typeof a === 'string' && a === b, expected, message);
}

const refresh = {
  instagram: (token, extra) => fetch(address('/instagram/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token }), extra),
  google: (token, extra) => post('/google/token', { client_id: GG.clientId, client_secret: GG.clientSecret, grant_type: 'refresh_token', refresh_token: token }, extra),
  tiktok: (token, extra) => post('/tiktok/v2/oauth/token/', { client_key: TT.clientId, client_secret: TT.clientSecret, grant_type: 'refresh_token', refresh_token: token }, extra),
  linkedin: (token, extra) => post('/linkedin/oauth/v2/accessToken', { client_id: LI.clientId, client_secret: LI.clientSecret, grant_type: 'refresh_token', refresh_token: token }, extra),
};

/** whoAmI: the account id each platform's API reports for an access token, or the HTTP status. */
async function whoAmI(platform, token) {
  const calls = {
    instagram: () => get('/instagram/v25.0/me', { fields: 'user_id,username' }, bearer(token)),
    google: () => get('/google/youtube/v3/channels', { part: 'id,snippet', mine: 'true' }, bearer(token)),
    tiktok: () => get('/tiktok/v2/user/info/', { fields: 'open_id,display_name' }, bearer(token)),
    linkedin: () => get('/linkedin/v2/userinfo', null, bearer(token)),
  };
  const res = await calls[platform]();
  const body = await res.json();
  if (res.status !== 200) return { status: res.status, body };
  const id = { instagram: () => body.user_id, google: () => body.items[0].id, tiktok: () => body.data.user.open_id, linkedin: () => body.sub }[platform]();
  return { status: 200, id, body };
}

async function refreshStateOverHttp(platform, userId) {
  const res = await get('/sandbox/refresh-state', { platform, userId });
  return { status: res.status, body: await res.json() };
}

/** seedOne: one seeded account of `platform` (in process). */
function seedOne(platform, options = {}) {
  const { accounts } = sb.seed(platform, options);
  assert.equal(accounts.length, 1);
  return accounts[0];
}

/** pool: runs `work(item)` over `items` with at most `width` in flight; resolves to the results in order. */
async function pool(items, width, work) {
  const results = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

// ---- seeding ------------------------------------------------------------------------------------

test('seed: each platform gets the tokens a finished authorization leaves, filed as keryx files them', async () => {
  const now = Math.floor(sb.clock.now() / 1000);
  const expected = {
    instagram: { expiresIn: 5184000, refresh: false, refreshExpiresIn: null, scopes: ['instagram_business_basic', 'instagram_business_content_publish'] },
    google: { expiresIn: 3599, refresh: true, refreshExpiresIn: null, scopes: ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly'] },
    tiktok: { expiresIn: 86400, refresh: true, refreshExpiresIn: 31536000, scopes: ['user.info.basic', 'video.publish', 'video.upload'] },
    linkedin: { expiresIn: 5184000, refresh: false, refreshExpiresIn: null, scopes: ['openid', 'profile', 'w_member_social'] },
  };
  for (const [platform, want] of Object.entries(expected)) {
    const account = seedOne(platform);
    assert.deepEqual(Object.keys(account).sort(), ['accessToken', 'accountId', 'expiresIn', 'obtainedAt', 'refreshExpiresIn', 'refreshToken', 'scopes', 'userId']);
    assert.equal(account.expiresIn, want.expiresIn, platform);
    assert.equal(account.refreshExpiresIn, want.refreshExpiresIn, platform);
    assert.equal(typeof account.refreshToken === 'string', want.refresh, `${platform} refresh token presence`);
    assert.deepEqual(account.scopes, want.scopes);
    assert.ok(Math.abs(account.obtainedAt - now) <= 2, `${platform} obtainedAt in Unix seconds of the sandbox clock`);
    assert.equal(sb.tokens.isValid(platform, account.accessToken), true, `${platform} access token valid`);

    // The platform's own API reports the account id keryx stores.
    const me = await whoAmI(platform, account.accessToken);
    assert.equal(me.status, 200, `${platform} API accepts the seeded token`);
    assert.equal(me.id, account.accountId, `${platform} API names the seeded account`);
  }

  const ig = seedOne('instagram');
  assert.match(ig.accountId, /^\d{17,}$/);
  assert.ok(BigInt(ig.accountId) > 2n ** 53n, 'seeded Instagram ids stay above 2^53');
  assert.equal(ig.userId, ig.accountId);
  assert.match(seedOne('google').accountId, /^UC[\w-]{22}$/);
  const tt = seedOne('tiktok');
  assert.equal(tt.accountId, tt.userId, 'TikTok files accounts under open_id');
  assert.ok(tt.refreshToken.startsWith('rft.') && tt.accessToken.startsWith('act.'));
  const li = seedOne('linkedin');
  assert.equal(li.accountId, li.userId, 'keryx stores the LinkedIn sub (the urn is a field)');
});

test('seed: distinct users, knob lifetimes, LinkedIn refresh knob, Google without a channel', async () => {
  const { accounts } = sb.seed('tiktok', { count: 5 });
  assert.equal(new Set(accounts.map((a) => a.userId)).size, 5, 'every seeded account is its own user');
  assert.ok(!accounts.some((a) => a.userId === sb.users.tiktok.openId), 'seeding does not reuse the fixed user');
  assert.equal(new Set(accounts.map((a) => a.accessToken)).size, 5);

  sb.setKnobs({ tiktok: { accessTtlSec: 60, refreshTtlSec: 600 }, linkedinRefresh: true, googleTestingMode: true });
  const short = seedOne('tiktok');
  assert.equal(short.expiresIn, 60);
  assert.equal(short.refreshExpiresIn, 600);
  const li = seedOne('linkedin');
  assert.equal(typeof li.refreshToken, 'string');
  assert.equal(li.refreshExpiresIn, 31536000);
  assert.equal(seedOne('google').refreshExpiresIn, 7 * 24 * 3600, 'testing mode caps Google refresh tokens at 7 days');

  sb.clock.advance(61);
  assert.equal(sb.tokens.isValid('tiktok', short.accessToken), false, 'the seeded lifetime runs on the sandbox clock');

  sb.setKnobs({ googleNoChannel: true });
  assert.equal(seedOne('google').accountId, 'default', 'no channel: keryx files the token under "default"');

  const scoped = seedOne('tiktok', { scopes: ['user.info.basic'] });
  assert.deepEqual(scoped.scopes, ['user.info.basic']);
  const info = await get('/tiktok/v2/user/info/', { fields: 'username' }, bearer(scoped.accessToken));
  assert.equal(info.status, 401, 'a field outside the seeded scopes is refused');
  assert.equal((await info.json()).error.code, 'scope_not_authorized');
});

test('seed: userIds name the fixed user, an earlier seeded user or a new id', async () => {
  const fixed = seedOne('tiktok', { userIds: [sb.users.tiktok.openId] });
  assert.equal(fixed.userId, sb.users.tiktok.id);
  same(sb.tokens.currentRefreshToken('tiktok', sb.users.tiktok.openId), fixed.refreshToken, true, 'the fixed user now holds the seeded grant');

  const named = seedOne('tiktok', { userIds: ['my-open-id'] });
  assert.equal(named.userId, 'my-open-id');
  assert.equal((await whoAmI('tiktok', named.accessToken)).id, 'my-open-id');

  const { accounts: twice } = sb.seed('tiktok', { userIds: ['my-open-id', 'another-id', 'another-id'] });
  assert.deepEqual(twice.map((a) => a.userId), ['my-open-id', 'another-id', 'another-id']);
  same(sb.tokens.currentRefreshToken('tiktok', 'another-id'), twice[2].refreshToken, true, 'the newest grant of a user is its current one');

  const google = seedOne('google', { userIds: ['123456789'] });
  assert.equal(google.userId, '123456789');
  const userinfo = await get('/google/oauth2/v3/userinfo', null, bearer(google.accessToken));
  assert.equal((await userinfo.json()).sub, '123456789');
  // A seeded user can be named again by any of its ids (here the channel id).
  assert.equal(seedOne('google', { userIds: [google.accountId] }).userId, '123456789');

  const ig = seedOne('instagram', { userIds: ['17841499999999999'] });
  const me = await get('/instagram/me', { fields: 'user_id', access_token: ig.accessToken });
  assert.equal((await me.json()).user_id, '17841499999999999');
});

test('seed: refusals (JS API throws SandboxUsageError, control API answers 400) change nothing', async () => {
  const bad = [
    ['mastodon', {}],
    ['tiktok', { count: 0 }],
    ['tiktok', { count: 5001 }],
    ['tiktok', { count: 1.5 }],
    ['tiktok', { scopes: ['user.info.basic', 'no.such.scope'] }],
    ['instagram', { scopes: ['instagram_business_content_publish'] }],
    ['tiktok', { userIds: [] }],
    ['tiktok', { userIds: ['ok-id', 42] }],
    ['tiktok', { count: 3, userIds: ['a-id', 'b-id'] }],
    ['instagram', { userIds: ['not-digits'] }],
    ['tiktok', { colour: 'blue' }],
  ];
  for (const [platform, options] of bad) {
    assert.throws(() => sb.seed(platform, options), SandboxUsageError, `${platform} ${JSON.stringify(options)}`);
    const res = await controlPost('/sandbox/seed', { platform, ...options });
    assert.equal(res.status, 400, `${platform} ${JSON.stringify(options)}`);
    assert.equal((await res.json()).error, 'invalid_request');
  }
  // All ids are checked before anything is made: a bad id in the middle leaves no user behind.
  assert.throws(() => sb.seed('linkedin', { userIds: ['fresh-li-1', 'bad id!', 'fresh-li-2'] }), SandboxUsageError);
  assert.throws(() => sb.tokens.refreshState('linkedin', 'fresh-li-1'), SandboxUsageError);
  const notJson = await fetch(address('/sandbox/seed'), { method: 'POST', body: '[1]' });
  assert.equal(notJson.status, 400);
});

test('seed over HTTP: count accounts, tokens usable, never in the request log', async () => {
  const res = await controlPost('/sandbox/seed', { platform: 'google', count: 3 });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const { accounts } = await res.json();
  assert.equal(accounts.length, 3);
  for (const account of accounts) {
    assert.equal(sb.tokens.isValid('google', account.accessToken), true);
    const renewed = await refresh.google(account.refreshToken);
    assert.equal(renewed.status, 200);
  }
  const log = JSON.stringify(sb.requests) + (await (await get('/sandbox/requests')).text());
  for (const account of accounts) {
    assert.ok(!log.includes(account.accessToken) && !log.includes(account.refreshToken), 'no token in the request log');
  }
  assert.ok(sb.requests.some((r) => r.platform === 'sandbox' && r.endpoint === 'seed' && r.status === 200));
});

// ---- refresh state and rotation -----------------------------------------------------------------

test('tiktok: a seeded account refreshes once: rotation 1, the old refresh token then gets invalid_grant', async () => {
  const account = seedOne('tiktok');
  const before = await refreshStateOverHttp('tiktok', account.userId);
  assert.equal(before.status, 200);
  assert.deepEqual(before.body, { userId: account.userId, currentRefreshSha256: sha256(account.refreshToken), rotations: 0, refreshes: 0 });

  const res = await refresh.tiktok(account.refreshToken);
  assert.equal(res.status, 200);
  const renewed = await res.json();
  assert.equal(renewed.open_id, account.accountId);
  same(renewed.refresh_token, account.refreshToken, false, 'TikTok rotates the refresh token');
  assert.equal(sb.tokens.rotations('tiktok', account.userId), 1);
  assert.equal(sb.tokens.refreshes('tiktok', account.userId), 1);

  const after = await refreshStateOverHttp('tiktok', account.userId);
  assert.deepEqual(after.body, { userId: account.userId, currentRefreshSha256: sha256(renewed.refresh_token), rotations: 1, refreshes: 1 });
  assert.ok(!JSON.stringify(after.body).includes(renewed.refresh_token), 'the state holds a hash, never the token');
  assert.deepEqual(sb.tokens.refreshState('tiktok', account.userId), after.body);

  const stale = await refresh.tiktok(account.refreshToken);
  assert.equal(stale.status, 400);
  assert.equal((await stale.json()).error, 'invalid_grant');
  assert.equal(sb.tokens.rotations('tiktok', account.userId), 1, 'a refused refresh is no rotation');
  assert.equal(sb.tokens.isValid('tiktok', renewed.access_token), true);
  assert.equal(sb.tokens.isValid('tiktok', account.accessToken), true, 'the old access token lives until it expires');
});

test('refresh state: Google and LinkedIn count refreshes but never rotate; Instagram rotates its long-lived token', async () => {
  const google = seedOne('google');
  for (let i = 0; i < 3; i += 1) assert.equal((await refresh.google(google.refreshToken)).status, 200);
  assert.deepEqual(sb.tokens.refreshState('google', google.userId), { userId: google.userId, currentRefreshSha256: sha256(google.refreshToken), rotations: 0, refreshes: 3 });
  // Any of the user's ids finds the same state.
  assert.equal((await refreshStateOverHttp('google', google.accountId)).body.refreshes, 3);

  sb.setKnobs({ linkedinRefresh: true });
  const li = seedOne('linkedin');
  const liRes = await refresh.linkedin(li.refreshToken);
  assert.equal(liRes.status, 200);
  same((await liRes.json()).refresh_token, li.refreshToken, true, 'LinkedIn keeps the refresh token');
  assert.equal(sb.tokens.rotations('linkedin', li.userId), 0);
  assert.equal(sb.tokens.refreshes('linkedin', li.userId), 1);

  const ig = seedOne('instagram');
  assert.equal((await refreshStateOverHttp('instagram', ig.userId)).body.currentRefreshSha256, sha256(ig.accessToken));
  const early = await refresh.instagram(ig.accessToken);
  assert.equal(early.status, 400, 'the 24-hour floor applies to seeded tokens too');
  sb.clock.advance(25 * 3600);
  const igRes = await refresh.instagram(ig.accessToken);
  assert.equal(igRes.status, 200);
  const renewed = await igRes.json();
  const state = (await refreshStateOverHttp('instagram', ig.userId)).body;
  assert.equal(state.currentRefreshSha256, sha256(renewed.access_token));
  assert.equal(state.rotations, 1);

  const noRefresh = seedOne('linkedin', { userIds: ['li-no-refresh'] });
  sb.resetKnobs();
  const plain = seedOne('linkedin', { userIds: ['li-plain'] });
  assert.equal(plain.refreshToken, null);
  assert.deepEqual(sb.tokens.refreshState('linkedin', 'li-plain'), { userId: 'li-plain', currentRefreshSha256: null, rotations: 0, refreshes: 0 });
  assert.equal(typeof noRefresh.refreshToken, 'string');
});

test('refresh state: unknown platform 400, unknown or missing user 404/400; the in-process counters say 0', async () => {
  assert.equal((await refreshStateOverHttp('mastodon', 'x')).status, 400);
  const unknown = await refreshStateOverHttp('tiktok', 'nobody-here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error, 'unknown_user');
  const missing = await get('/sandbox/refresh-state', { platform: 'tiktok' });
  assert.equal(missing.status, 400);
  assert.equal(sb.tokens.rotations('tiktok', 'nobody-here'), 0);
  assert.equal(sb.tokens.currentRefreshToken('tiktok', 'nobody-here'), null);
  assert.throws(() => sb.tokens.refreshState('tiktok', 'nobody-here'), (err) => err instanceof SandboxUsageError && err.status === 404);
  assert.equal((await fetch(address('/sandbox/refresh-state'), { method: 'POST' })).status, 405);
});

// ---- revocation on the platform's side ----------------------------------------------------------

test('revokeUser: refresh answers each platform\'s dead-grant error and the APIs 401 (Instagram 190)', async () => {
  sb.setKnobs({ linkedinRefresh: true });
  const accounts = { instagram: seedOne('instagram') };
  sb.clock.advance(25 * 3600); // past Instagram's 24-hour refresh floor; the others are seeded after
  for (const platform of ['google', 'tiktok', 'linkedin']) accounts[platform] = seedOne(platform);
  const bystander = seedOne('tiktok');
  for (const [platform, account] of Object.entries(accounts)) {
    assert.deepEqual(sb.revokeUser(platform, account.userId), { revokedGrants: 1 }, platform);
    assert.equal(sb.tokens.isValid(platform, account.accessToken), false, `${platform} access token dead`);
    assert.equal(sb.tokens.currentRefreshToken(platform, account.userId), null, `${platform} has no live refresh credential`);
  }

  for (const platform of ['google', 'tiktok', 'linkedin']) {
    const res = await refresh[platform](accounts[platform].refreshToken);
    assert.equal(res.status, 400, platform);
    assert.equal((await res.json()).error, 'invalid_grant', platform);
  }
  const google = await (await refresh.google(accounts.google.refreshToken)).json();
  assert.deepEqual(google, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });

  const ig = await refresh.instagram(accounts.instagram.accessToken);
  assert.equal(ig.status, 400);
  const igError = (await ig.json()).error;
  assert.equal(igError.type, 'OAuthException');
  assert.equal(igError.code, 190);
  assert.equal(igError.error_subcode, 458, 'the user removed the app: "has not authorized application"');

  for (const platform of ['google', 'tiktok', 'linkedin']) {
    assert.equal((await whoAmI(platform, accounts[platform].accessToken)).status, 401, `${platform} API`);
  }
  const userinfo = await get('/google/oauth2/v3/userinfo', null, bearer(accounts.google.accessToken));
  assert.equal(userinfo.status, 401);
  assert.equal((await whoAmI('linkedin', accounts.linkedin.accessToken)).body.serviceErrorCode, 65601);
  const me = await whoAmI('instagram', accounts.instagram.accessToken);
  assert.equal(me.body.error.code, 190);

  assert.equal((await refresh.tiktok(bystander.refreshToken)).status, 200, 'other users keep their grants');
  assert.deepEqual(sb.revokeUser('tiktok', accounts.tiktok.userId), { revokedGrants: 0 }, 'nothing left to revoke');

  const fresh = seedOne('tiktok', { userIds: [accounts.tiktok.userId] });
  assert.equal((await refresh.tiktok(fresh.refreshToken)).status, 200, 'a new grant after the revocation works');
});

test('revokeUser: every user of a platform, over HTTP, and Google\'s next consent counts as a first one', async () => {
  const { accounts } = sb.seed('tiktok', { count: 4 });
  sb.revokeUser('google', sb.users.google.sub); // whatever the fixed user held before
  const google = seedOne('google', { userIds: [sb.users.google.sub] });

  const res = await controlPost('/sandbox/revoke', { platform: 'tiktok' });
  assert.equal(res.status, 200);
  const { revokedGrants } = await res.json();
  assert.ok(revokedGrants >= 4, 'every TikTok grant so far');
  for (const account of accounts) assert.equal(sb.tokens.isValid('tiktok', account.accessToken), false);
  assert.equal(sb.tokens.isValid('google', google.accessToken), true, 'other platforms untouched');

  const one = await controlPost('/sandbox/revoke', { platform: 'google', userId: sb.users.google.channelId });
  assert.deepEqual(await one.json(), { revokedGrants: 1 });
  assert.equal((await refresh.google(google.refreshToken)).status, 400);

  // The consent is gone: prompt=none is refused, and an offline authorization without
  // prompt=consent hands out a refresh token again.
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const authorize = (extra) =>
    get('/google/o/oauth2/v2/auth', {
      client_id: GG.clientId,
      redirect_uri: 'http://127.0.0.1:53682/',
      response_type: 'code',
      scope: 'https://www.googleapis.com/auth/youtube.upload',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
  const silent = new URL((await authorize({ prompt: 'none' })).headers.get('location'));
  assert.equal(silent.searchParams.get('error'), 'consent_required');
  const code = new URL((await authorize({ access_type: 'offline' })).headers.get('location')).searchParams.get('code');
  const exchanged = await post('/google/token', {
    client_id: GG.clientId,
    client_secret: GG.clientSecret,
    grant_type: 'authorization_code',
    code,
    redirect_uri: 'http://127.0.0.1:53682/',
    code_verifier: verifier,
  });
  assert.equal(typeof (await exchanged.json()).refresh_token, 'string');

  const unknown = await controlPost('/sandbox/revoke', { platform: 'tiktok', userId: 'nobody-here' });
  assert.equal(unknown.status, 404);
  assert.equal((await controlPost('/sandbox/revoke', { platform: 'myspace' })).status, 400);
  assert.equal((await controlPost('/sandbox/revoke', { platform: 'tiktok', user: 'x' })).status, 400);
  assert.throws(() => sb.revokeUser('tiktok', 'nobody-here'), SandboxUsageError);
});

// ---- refresh delay ------------------------------------------------------------------------------

test('knob refreshDelayMs: checked, top-level with per-platform override', () => {
  assert.equal(sb.knobs.refreshDelayMs, 0);
  for (const bad of [{ refreshDelayMs: -1 }, { refreshDelayMs: '5' }, { refreshDelayMs: 1e9 }, { tiktok: { refreshDelayMs: -5 } }, { google: { refreshDelayMs: true } }]) {
    assert.throws(() => sb.setKnobs(bad), KnobError, JSON.stringify(bad));
  }
  sb.setKnobs({ refreshDelayMs: 100, tiktok: { refreshDelayMs: 0 } });
  assert.equal(sb.knobs.refreshDelayMs, 100);
  sb.setKnobs({ refreshDelayMs: null });
  assert.equal(sb.knobs.refreshDelayMs, 0);
});

test('refreshDelayMs: the rotation is committed (refresh-state changes) before the answer arrives', async () => {
  const account = seedOne('tiktok');
  const other = seedOne('google');
  sb.setKnobs({ tiktok: { refreshDelayMs: 1200 } });

  const startedAt = Date.now();
  let answeredAt = null;
  const pending = refresh.tiktok(account.refreshToken).then(async (res) => {
    answeredAt = Date.now();
    return { status: res.status, body: await res.json() };
  });
  let state;
  for (;;) {
    state = (await refreshStateOverHttp('tiktok', account.userId)).body;
    if (state.rotations === 1) break;
    assert.ok(Date.now() - startedAt < 5000, 'the refresh was never committed');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(answeredAt, null, 'the rotation is visible while the answer is still held back');
  assert.notEqual(state.currentRefreshSha256, sha256(account.refreshToken));
  const answer = await pending;
  assert.equal(answer.status, 200);
  assert.ok(answeredAt - startedAt >= 1150, `held back about 1200 ms (${answeredAt - startedAt} ms)`);
  assert.equal(sha256(answer.body.refresh_token), state.currentRefreshSha256, 'the held-back answer carries the committed token');

  // The delay is per platform here: Google answers at once.
  const quickStart = Date.now();
  assert.equal((await refresh.google(other.refreshToken)).status, 200);
  assert.ok(Date.now() - quickStart < 1000, 'no delay outside the tiktok section');

  // Only the refresh endpoint waits; the APIs do not.
  const apiStart = Date.now();
  assert.equal((await whoAmI('tiktok', answer.body.access_token)).status, 200);
  assert.ok(Date.now() - apiStart < 1000);
});

test('refreshDelayMs: a client that gives up during the wait has lost the rotation for good', async () => {
  const account = seedOne('tiktok');
  sb.setKnobs({ refreshDelayMs: 800 });
  const abort = new AbortController();
  const pending = refresh.tiktok(account.refreshToken, { signal: abort.signal });
  const startedAt = Date.now();
  while (sb.tokens.rotations('tiktok', account.userId) === 0) {
    assert.ok(Date.now() - startedAt < 5000, 'the refresh was never committed');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const committedAt = Date.now();
  abort.abort(); // the client gives up while the answer is held back
  await assert.rejects(pending, (err) => err.name === 'AbortError');
  const entry = sb.requests.filter((r) => r.platform === 'tiktok' && r.endpoint === 'refresh').at(-1);
  assert.equal(entry.status, 200, 'logged as answered when the answer was decided');
  sb.setKnobs({ refreshDelayMs: 0 });
  const retry = await refresh.tiktok(account.refreshToken);
  assert.equal(retry.status, 400);
  assert.equal((await retry.json()).error, 'invalid_grant', 'the stale token the client kept is dead');
  // Let the held-back write hit the closed socket.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, committedAt + 900 - Date.now())));
  assert.deepEqual(await (await get('/sandbox/health')).json(), { ok: true });
});

// A client process sends a refresh and is SIGKILLed after the sandbox has committed the rotation
// but before the answer is sent: what the lifecycle crash test sets up through the control API.
const KILLED_CLIENT = `
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const { url, clientKey, clientSecret, token } = JSON.parse(input);
  const body = new URLSearchParams({ client_key: clientKey, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: token });
  process.stdout.write('sent\\n');
  const res = await fetch(url + '/tiktok/v2/oauth/token/', { method: 'POST', body });
  await res.text();
  process.stdout.write('answered ' + res.status + '\\n');
});
`;

test('refreshDelayMs: a SIGKILLed client process never sees the committed rotation', async () => {
  const account = seedOne('tiktok');
  await controlPost('/sandbox/knobs', { tiktok: { refreshDelayMs: 1500 } });
  const child = spawn(process.execPath, ['-e', KILLED_CLIENT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(signal)));
  child.stdin.end(JSON.stringify({ url: sb.url, clientKey: TT.clientId, clientSecret: TT.clientSecret, token: account.refreshToken }));

  const startedAt = Date.now();
  while ((await refreshStateOverHttp('tiktok', account.userId)).body.rotations !== 1) {
    assert.ok(Date.now() - startedAt < 10000, 'the child\'s refresh never arrived');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const committedAt = Date.now();
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(output.startsWith('sent') && !output.includes('answered'), 'killed before the answer');

  const state = (await refreshStateOverHttp('tiktok', account.userId)).body;
  assert.notEqual(state.currentRefreshSha256, sha256(account.refreshToken), 'the live token is one the client never received');
  await controlPost('/sandbox/knobs', { tiktok: null });
  const stale = await refresh.tiktok(account.refreshToken);
  assert.equal((await stale.json()).error, 'invalid_grant');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, committedAt + 1600 - Date.now())));
  assert.equal((await get('/sandbox/health')).status, 200, 'the held-back write to a dead client is harmless');
});

// ---- request log --------------------------------------------------------------------------------

test('request log: failed token and refresh requests carry the OAuth error code, never a token', async () => {
  const base = sb.requestSummary();
  const account = seedOne('tiktok');
  await refresh.tiktok(account.refreshToken);
  const stale = [refresh.tiktok(account.refreshToken), refresh.tiktok(account.refreshToken), refresh.tiktok('rft.unknown')];
  for (const res of await Promise.all(stale)) assert.equal(res.status, 400);
  await post('/google/token', { client_id: GG.clientId, client_secret: GG.clientSecret, grant_type: 'authorization_code', code: 'nope', redirect_uri: 'http://127.0.0.1:1/', code_verifier: 'x'.repeat(43) });
  await post('/linkedin/oauth/v2/accessToken', { client_id: LI.clientId, client_secret: LI.clientSecret, grant_type: 'authorization_code', code: 'nope', redirect_uri: 'http://127.0.0.1:3770/' });
  await post('/instagram/oauth/access_token', { client_id: IG.clientId, client_secret: 'wrong', grant_type: 'authorization_code', redirect_uri: 'https://localhost:3764/', code: 'x' });
  const ig = seedOne('instagram');
  sb.revokeUser('instagram', ig.userId);
  await refresh.instagram(ig.accessToken);
  sb.setKnobs({ tiktokErrorStatus: 200 });
  await refresh.tiktok(account.refreshToken);

  const recent = sb.requests.slice(-9);
  const tiktokRefreshes = recent.filter((r) => r.platform === 'tiktok' && r.endpoint === 'refresh');
  assert.deepEqual(tiktokRefreshes.map((r) => [r.status, r.error]), [[200, undefined], [400, 'invalid_grant'], [400, 'invalid_grant'], [400, 'invalid_grant'], [200, 'invalid_grant']]);
  assert.deepEqual(recent.find((r) => r.platform === 'google').error, 'invalid_grant');
  assert.deepEqual(recent.find((r) => r.platform === 'linkedin').error, 'invalid_request');
  const igEntries = recent.filter((r) => r.platform === 'instagram');
  assert.deepEqual(igEntries.map(({ error, errorCode, errorSubcode }) => ({ error, errorCode, errorSubcode })), [
    { error: 'OAuthException', errorCode: 400, errorSubcode: undefined },
    { error: 'OAuthException', errorCode: 190, errorSubcode: 458 },
  ]);

  const summary = sb.requestSummary();
  assert.equal(summary.total - base.total, 9);
  assert.equal(summary.errors['tiktok.refresh'].invalid_grant - ((base.errors['tiktok.refresh'] || {}).invalid_grant || 0), 4);
  assert.equal(summary.errors['instagram.refresh']['OAuthException:190'] >= 1, true);
  const overHttp = await (await get('/sandbox/requests/summary')).json();
  assert.equal(overHttp.limit, 10000);
  assert.equal(overHttp.total, summary.total, 'the summary answer counts the requests before it');

  const text = await (await get('/sandbox/requests')).text();
  for (const token of [account.accessToken, account.refreshToken, ig.accessToken]) assert.ok(!text.includes(token), 'no token in the log');
  assert.ok(!JSON.stringify(sb.requests).includes(account.refreshToken));
  const apiCalls = sb.requests.filter((r) => ['userinfo', 'channels', 'me'].includes(r.endpoint));
  assert.ok(apiCalls.length > 0 && apiCalls.every((r) => r.error === undefined), 'API answers are not OAuth error codes');
});

test('request log: capped with O(1) trimming; total and error counts go on past the cap', async () => {
  const log = new RequestLog(10);
  for (let i = 0; i < 25; i += 1) log.add({ platform: 'tiktok', endpoint: 'refresh', method: 'POST', status: 400, at: i, error: 'invalid_grant' });
  assert.equal(log.entries.length, 10);
  assert.equal(log.entries[0].at, 15, 'the oldest go first');
  assert.deepEqual(log.summary(), { total: 25, kept: 10, limit: 10, errors: { 'tiktok.refresh': { invalid_grant: 25 } } });

  const big = new RequestLog();
  const started = process.hrtime.bigint();
  for (let i = 0; i < 60000; i += 1) big.add({ platform: 'google', endpoint: 'refresh', method: 'POST', status: 200, at: i });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(big.entries.length, 10000);
  assert.equal(big.total, 60000);
  assert.ok(ms < 1500, `50,000 entries past the cap took ${ms.toFixed(0)} ms`);

  const res = await get('/sandbox/requests');
  const entries = await res.json();
  assert.ok(Array.isArray(entries) && entries.length <= 10000);
  assert.equal(Number(res.headers.get('x-sandbox-requests-total')) + 1, sb.requestSummary().total, 'the header counts every request before this one');
});

// ---- scale --------------------------------------------------------------------------------------

test('scale: seeding 1,000 accounts is fast and every token works', () => {
  const started = Date.now();
  const { accounts } = sb.seed('tiktok', { count: 1000 });
  const ms = Date.now() - started;
  assert.ok(ms < 2000, `seeding 1,000 took ${ms} ms`);
  assert.equal(accounts.length, 1000);
  assert.equal(new Set(accounts.map((a) => a.userId)).size, 1000);
  assert.ok(accounts.every((a) => sb.tokens.isValid('tiktok', a.accessToken)), 'every access token valid');
  assert.ok(accounts.every((a) => sb.tokens.currentRefreshToken('tiktok', a.userId) === a.refreshToken), 'every refresh token current');
});

test('scale: lookups stay flat with 5,000 accounts (no walk over every token)', () => {
  const { accounts } = sb.seed('google', { count: 5000 });
  const started = Date.now();
  for (const account of accounts) {
    const state = sb.tokens.refreshState('google', account.userId);
    assert.equal(state.currentRefreshSha256.length, 64);
  }
  const ms = Date.now() - started;
  assert.ok(ms < 1000, `5,000 refresh-state lookups took ${ms} ms`);
});

test('scale: 1,000 refreshes with concurrency 32: every account rotates once, no invalid_grant', async () => {
  const before = sb.requestSummary();
  const { accounts } = sb.seed('tiktok', { count: 1000 });
  const started = Date.now();
  const statuses = await pool(accounts, 32, async (account) => {
    const res = await refresh.tiktok(account.refreshToken);
    const body = await res.json();
    return res.status === 200 && sha256(body.refresh_token) === sb.tokens.refreshState('tiktok', account.userId).currentRefreshSha256 ? 'ok' : res.status;
  });
  const ms = Date.now() - started;
  assert.ok(statuses.every((s) => s === 'ok'), `not all refreshed: ${statuses.filter((s) => s !== 'ok').slice(0, 5)}`);
  assert.ok(accounts.every((a) => sb.tokens.rotations('tiktok', a.userId) === 1));
  const after = sb.requestSummary();
  const invalid = (summary) => (summary.errors['tiktok.refresh'] || {}).invalid_grant || 0;
  assert.equal(invalid(after), invalid(before));
  assert.ok(ms < 20000, `1,000 refreshes took ${ms} ms`);
});

// Each client process refreshes its accounts several times in a row (keeping the newest token,
// as keryx would) and then presents one shared token many times; it prints hashes, never tokens.
const HAMMER_CLIENT = `
const crypto = require('node:crypto');
const sha = (t) => crypto.createHash('sha256').update(t).digest('hex');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const { url, clientKey, clientSecret, accounts, rounds, shared, sharedTries } = JSON.parse(input);
  const refresh = async (token) => {
    const body = new URLSearchParams({ client_key: clientKey, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: token });
    const res = await fetch(url + '/tiktok/v2/oauth/token/', { method: 'POST', body });
    return { status: res.status, body: await res.json() };
  };
  const finals = await Promise.all(accounts.map(async ({ userId, refreshToken }) => {
    let token = refreshToken;
    let failures = 0;
    for (let i = 0; i < rounds; i += 1) {
      const r = await refresh(token);
      if (r.status === 200) token = r.body.refresh_token; else failures += 1;
    }
    return { userId, sha: sha(token), failures };
  }));
  const sharedAnswers = await Promise.all(Array.from({ length: sharedTries }, () => refresh(shared)));
  const wins = sharedAnswers.filter((a) => a.status === 200).length;
  const invalid = sharedAnswers.filter((a) => a.body.error === 'invalid_grant').length;
  process.stdout.write(JSON.stringify({ finals, wins, invalid }));
});
`;

function runClient(script, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`client exited ${code}: ${stderr.slice(0, 500)}`))));
    child.stdin.end(JSON.stringify(input));
  });
}

test('scale: 8 client processes hammer TikTok refresh at once; hashes agree across processes', async () => {
  const { accounts } = sb.seed('tiktok', { count: 8 * 20 });
  const [shared] = sb.seed('tiktok').accounts;
  const rounds = 5;
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, n) =>
      runClient(HAMMER_CLIENT, {
        url: sb.url,
        clientKey: TT.clientId,
        clientSecret: TT.clientSecret,
        accounts: accounts.slice(n * 20, n * 20 + 20).map(({ userId, refreshToken }) => ({ userId, refreshToken })),
        rounds,
        shared: shared.refreshToken,
        sharedTries: 10,
      }),
    ),
  );
  for (const { finals } of results) {
    for (const { userId, sha, failures } of finals) {
      assert.equal(failures, 0);
      const state = (await refreshStateOverHttp('tiktok', userId)).body;
      assert.equal(state.rotations, rounds);
      assert.equal(state.currentRefreshSha256, sha, 'the client holds the live token');
    }
  }
  assert.equal(results.reduce((sum, r) => sum + r.wins, 0), 1, 'of 80 presentations of one token across 8 processes exactly one wins');
  assert.equal(results.reduce((sum, r) => sum + r.invalid, 0), 79);
  assert.equal(sb.tokens.rotations('tiktok', shared.userId), 1);
});
