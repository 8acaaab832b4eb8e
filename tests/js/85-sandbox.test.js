'use strict';
// 85-sandbox: the platform sandbox (js/sandbox) driven over real sockets with fetch, the way a
// client would: authorize -> read the Location -> exchange -> call the API, plus every rule the
// sandbox emulates (PKCE variants, redirect registration, code reuse/expiry, refresh rules,
// rotation under concurrency, forced failures, the control API) and a barrage of garbage.
// PKCE values are computed here with node:crypto, independently of the sandbox and of keryx.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const net = require('node:net');
const { startSandbox, SANDBOX_APPS } = require('../../js/sandbox');

const IG = SANDBOX_APPS.instagram;
const GG = SANDBOX_APPS.google;
const TT = SANDBOX_APPS.tiktok;
const LI = SANDBOX_APPS.linkedin;

const IG_REDIRECT = 'https://localhost:3764/';
const GG_REDIRECT = 'http://127.0.0.1:53682/';
const TT_REDIRECT = 'http://127.0.0.1:49152/callback/';
const LI_REDIRECT = 'http://127.0.0.1:3770/';
const YT_UPLOAD = 'https://www.googleapis.com/auth/youtube.upload';
const YT_READONLY = 'https://www.googleapis.com/auth/youtube.readonly';

let sb;
test.before(async () => {
  sb = await startSandbox({ autoApprove: true });
});
test.after(() => sb.close());
test.beforeEach(() => sb.resetKnobs());

// ---- helpers ------------------------------------------------------------------------------------

function pkcePair(encoding = 'base64url') {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const digest = crypto.createHash('sha256').update(verifier, 'ascii').digest();
  return { verifier, challenge: encoding === 'hex' ? digest.toString('hex') : digest.toString('base64url') };
}

const address = (path, params) => `${sb.url}${path}${params ? `?${new URLSearchParams(params)}` : ''}`;
const get = (path, params, headers = {}, extra = {}) => fetch(address(path, params), { redirect: 'manual', headers, ...extra });
const post = (path, fields, headers = {}) =>
  fetch(address(path), { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const basic = (id, secret) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

function redirected(res) {
  assert.equal(res.status, 302, 'expected a redirect back to the app');
  return new URL(res.headers.get('location'));
}

function assertNoStore(res) {
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('pragma'), 'no-cache');
}

// Instagram
function igAuthorize(params = {}) {
  return get('/instagram/oauth/authorize', {
    client_id: IG.clientId,
    redirect_uri: IG_REDIRECT,
    response_type: 'code',
    scope: 'instagram_business_basic,instagram_business_content_publish',
    state: 'ig-state',
    ...params,
  });
}
async function igCode(params) {
  return redirected(await igAuthorize(params)).searchParams.get('code');
}
function igExchange(code, fields = {}) {
  return post('/instagram/oauth/access_token', {
    client_id: IG.clientId,
    client_secret: IG.clientSecret,
    grant_type: 'authorization_code',
    redirect_uri: IG_REDIRECT,
    code,
    ...fields,
  });
}
async function igShortToken() {
  const res = await igExchange(await igCode());
  assert.equal(res.status, 200);
  return (await res.json()).access_token;
}
async function igLongToken() {
  const res = await get('/instagram/access_token', { grant_type: 'ig_exchange_token', client_secret: IG.clientSecret, access_token: await igShortToken() });
  assert.equal(res.status, 200);
  return res.json();
}

// Google
async function googleCode(params = {}, pair = pkcePair()) {
  const res = await get('/google/o/oauth2/v2/auth', {
    client_id: GG.clientId,
    redirect_uri: GG_REDIRECT,
    response_type: 'code',
    scope: `${YT_UPLOAD} ${YT_READONLY}`,
    state: 'g-state',
    code_challenge: pair.challenge,
    code_challenge_method: 'S256',
    ...params,
  });
  const location = redirected(res);
  return { code: location.searchParams.get('code'), verifier: pair.verifier, location };
}
function googleToken(fields, headers) {
  return post('/google/token', { client_id: GG.clientId, client_secret: GG.clientSecret, ...fields }, headers);
}
async function googleTokens(params = {}) {
  const { code, verifier } = await googleCode(params);
  const res = await googleToken({ grant_type: 'authorization_code', code, redirect_uri: params.redirect_uri || GG_REDIRECT, code_verifier: verifier });
  assert.equal(res.status, 200);
  return res.json();
}

// TikTok
async function tiktokCode(params = {}, pair = pkcePair('hex')) {
  const res = await get('/tiktok/v2/auth/authorize/', {
    client_key: TT.clientId,
    response_type: 'code',
    scope: 'user.info.basic,video.publish',
    redirect_uri: TT_REDIRECT,
    state: 't-state',
    code_challenge: pair.challenge,
    code_challenge_method: 'S256',
    ...params,
  });
  const location = redirected(res);
  return { code: location.searchParams.get('code'), verifier: pair.verifier, location, raw: res.headers.get('location') };
}
function tiktokToken(fields) {
  return post('/tiktok/v2/oauth/token/', { client_key: TT.clientId, client_secret: TT.clientSecret, ...fields });
}
async function tiktokTokens() {
  const { code, verifier } = await tiktokCode();
  const res = await tiktokToken({ grant_type: 'authorization_code', code, redirect_uri: TT_REDIRECT, code_verifier: verifier });
  assert.equal(res.status, 200);
  return res.json();
}

// LinkedIn
async function linkedinCode(params = {}) {
  const res = await get('/linkedin/oauth/v2/authorization', {
    response_type: 'code',
    client_id: LI.clientId,
    redirect_uri: LI_REDIRECT,
    state: 'li-state',
    scope: 'openid profile w_member_social',
    ...params,
  });
  return redirected(res).searchParams.get('code');
}
function linkedinToken(fields, headers) {
  return post('/linkedin/oauth/v2/accessToken', { client_id: LI.clientId, client_secret: LI.clientSecret, ...fields }, headers);
}

// ---- Instagram ----------------------------------------------------------------------------------

test('instagram: happy path, #_ suffix, raw big user_id literal, /me', async () => {
  const res = await igAuthorize();
  const raw = res.headers.get('location');
  assert.match(raw, /^https:\/\/localhost:3764\/\?code=[^&#]+&state=ig-state#_$/);
  const code = new URL(raw).searchParams.get('code');

  const exchanged = await igExchange(code);
  assert.equal(exchanged.status, 200);
  assertNoStore(exchanged);
  const text = await exchanged.text();
  assert.ok(text.includes('"user_id":17841405793187218'), `user_id must be the exact literal: ${text.replace(/IGAA[\w-]+/, 'IGAA…')}`);
  const body = JSON.parse(text);
  assert.match(body.access_token, /^IGAA/);
  assert.deepEqual(body.permissions, ['instagram_business_basic', 'instagram_business_content_publish']);
  assert.equal(sb.tokens.isValid('instagram', body.access_token), true);

  for (const [path, headers, params] of [
    ['/instagram/me', {}, { fields: 'user_id,username', access_token: body.access_token }],
    ['/instagram/v25.0/me', bearer(body.access_token), { fields: 'user_id,username' }],
  ]) {
    const me = await get(path, params, headers);
    assert.equal(me.status, 200);
    const account = await me.json();
    assert.equal(account.user_id, '17841405793187218');
    assert.equal(account.username, 'sandbox_creator');
    assert.equal(typeof account.id, 'string');
  }
  const bad = await get('/instagram/me', { fields: 'user_id', access_token: 'IGAAnope' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 190);
});

test('instagram: documented data[] shape and multipart exchange', async () => {
  sb.setKnobs({ instagramShape: 'data' });
  const form = new FormData();
  for (const [k, v] of Object.entries({ client_id: IG.clientId, client_secret: IG.clientSecret, grant_type: 'authorization_code', redirect_uri: IG_REDIRECT, code: await igCode() })) {
    form.append(k, v);
  }
  const res = await fetch(address('/instagram/oauth/access_token'), { method: 'POST', body: form });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.data.length, 1);
  assert.equal(body.data[0].user_id, '17841405793187218');
  assert.equal(body.data[0].permissions, 'instagram_business_basic,instagram_business_content_publish');
});

test('instagram: long-lived exchange, 24 h refresh floor, expiry, optional invalidation', async () => {
  const long = await igLongToken();
  assert.equal(long.token_type, 'bearer');
  assert.equal(long.expires_in, 5184000);
  const refresh = (token) => get('/instagram/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token });

  const tooYoung = await refresh(long.access_token);
  assert.equal(tooYoung.status, 400);
  assert.equal((await tooYoung.json()).error.type, 'OAuthException');
  const shortOne = await refresh(await igShortToken());
  assert.equal(shortOne.status, 400, 'a short-lived token cannot be refreshed');

  sb.clock.advance(24 * 3600 + 5);
  const ok = await refresh(long.access_token);
  assert.equal(ok.status, 200);
  const renewed = await ok.json();
  assert.equal(renewed.expires_in, 5184000);
  assert.notEqual(renewed.access_token, long.access_token);
  assert.equal(sb.tokens.isValid('instagram', long.access_token), true, 'old token keeps working by default');
  assert.equal(sb.tokens.currentRefreshToken('instagram', '17841405793187218'), renewed.access_token);

  sb.setKnobs({ instagramRefreshInvalidatesOld: true, clockOffsetSec: sb.knobs.clockOffsetSec + 24 * 3600 + 5 });
  const again = await refresh(renewed.access_token);
  assert.equal(again.status, 200);
  assert.equal(sb.tokens.isValid('instagram', renewed.access_token), false);

  sb.clock.advance(61 * 24 * 3600);
  const expired = await refresh((await again.json()).access_token);
  assert.equal(expired.status, 400);
  assert.equal((await expired.json()).error.code, 190);
});

test('instagram: refusals at authorize and at the exchange', async () => {
  const unknownApp = await igAuthorize({ client_id: 'some-meta-app-id' });
  assert.equal(unknownApp.status, 400);
  assert.match(await unknownApp.text(), /Invalid platform app/);

  for (const redirect of ['http://localhost:3764/', 'https://localhost:3764', 'https://localhost:3770/']) {
    const res = await igAuthorize({ redirect_uri: redirect });
    assert.equal(res.status, 400, redirect);
    assert.equal(res.headers.get('location'), null);
    assert.match(res.headers.get('content-type'), /text\/html/);
  }

  const noBasic = redirected(await igAuthorize({ scope: 'instagram_business_content_publish' }));
  assert.equal(noBasic.searchParams.get('error'), 'invalid_scope');
  assert.equal(noBasic.searchParams.get('state'), 'ig-state');
  assert.ok(noBasic.searchParams.get('error_description'));

  const spaced = redirected(await igAuthorize({ scope: 'instagram_business_basic instagram_business_content_publish', code_challenge: 'ignored' }));
  assert.ok(spaced.searchParams.get('code'), 'space-separated scopes work and a code_challenge is ignored');

  const wrongSecret = await igExchange(await igCode(), { client_secret: 'nope' });
  assert.equal(wrongSecret.status, 400);
  const err = await wrongSecret.json();
  assert.equal(err.error_type, 'OAuthException');
  assert.equal(err.code, 400);
  assert.ok(err.error_message);

  const withSuffix = await igExchange(`${await igCode()}#_`);
  assert.equal(withSuffix.status, 400, 'a code with #_ still attached is not a valid code');

  const mismatch = await igExchange(await igCode(), { redirect_uri: 'https://localhost:3765/' });
  assert.equal(mismatch.status, 400);
  assert.equal((await mismatch.json()).error_type, 'OAuthException');

  sb.setKnobs({ instagram: { redirectUris: ['https://app.example/cb'] } });
  assert.equal((await igAuthorize()).status, 400, 'the knob replaces the registered list');
  assert.ok(redirected(await igAuthorize({ redirect_uri: 'https://app.example/cb' })).searchParams.get('code'));
});

// ---- consent page -------------------------------------------------------------------------------

async function consentTransaction(res) {
  assert.equal(res.status, 200);
  const html = await res.text();
  const transaction = /name="transaction" value="([^"]+)"/.exec(html);
  assert.ok(transaction, 'the consent form carries a transaction id');
  return { html, transaction: transaction[1] };
}

test('consent page: approve and deny by posting the form', async () => {
  sb.setKnobs({ autoApprove: false });
  const page = await consentTransaction(await igAuthorize());
  assert.match(page.html, /<title>Instagram sandbox — authorize [^<]+<\/title>/);
  assert.match(page.html, /<button id="approve"[^>]*>Allow<\/button>/);
  assert.match(page.html, /<button id="deny"[^>]*>Deny<\/button>/);
  assert.match(page.html, /instagram_business_content_publish/);
  assert.ok(!page.html.includes('ig-state'), 'the page does not echo the state');

  const approved = redirected(await post('/instagram/consent', { transaction: page.transaction, decision: 'approve' }));
  assert.ok(approved.searchParams.get('code'));
  assert.equal(approved.hash, '#_');
  const replay = await post('/instagram/consent', { transaction: page.transaction, decision: 'approve' });
  assert.equal(replay.status, 400, 'a transaction answers once');

  const denyPage = await consentTransaction(await igAuthorize());
  const denied = redirected(await post('/instagram/consent', { transaction: denyPage.transaction, decision: 'deny' }));
  assert.equal(denied.searchParams.get('error'), 'access_denied');
  assert.equal(denied.searchParams.get('error_reason'), 'user_denied');
  assert.equal(denied.searchParams.get('state'), 'ig-state');
  assert.ok(denied.searchParams.get('error_description'));

  const liPage = await consentTransaction(
    await get('/linkedin/oauth/v2/authorization', { response_type: 'code', client_id: LI.clientId, redirect_uri: LI_REDIRECT, state: 's1', scope: 'openid profile' }),
  );
  const liDenied = redirected(await post('/linkedin/consent', { transaction: liPage.transaction, decision: 'deny' }));
  assert.equal(liDenied.searchParams.get('error'), 'user_cancelled_authorize');
  assert.equal(liDenied.searchParams.get('state'), 's1');

  const ggPage = await consentTransaction(
    await get('/google/o/oauth2/v2/auth', { client_id: GG.clientId, redirect_uri: GG_REDIRECT, response_type: 'code', scope: YT_UPLOAD, state: 'g', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }),
  );
  assert.match(ggPage.html, /Google sandbox — authorize/);
  const ggDenied = redirected(await post('/google/consent', { transaction: ggPage.transaction, decision: 'deny' }));
  assert.equal(ggDenied.searchParams.get('error'), 'access_denied');

  sb.setKnobs({ autoDeny: true, autoApprove: true });
  const direct = redirected(await igAuthorize());
  assert.equal(direct.searchParams.get('error'), 'access_denied');
});

// ---- Google -------------------------------------------------------------------------------------

test('google: happy path with S256, channels and userinfo', async () => {
  const { code, verifier, location } = await googleCode();
  assert.equal(location.searchParams.get('state'), 'g-state');
  const res = await googleToken({ grant_type: 'authorization_code', code, redirect_uri: GG_REDIRECT, code_verifier: verifier });
  assert.equal(res.status, 200);
  assertNoStore(res);
  const body = await res.json();
  assert.match(body.access_token, /^ya29\./);
  assert.equal(body.expires_in, 3599);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.scope, `${YT_UPLOAD} ${YT_READONLY}`);
  assert.equal(body.refresh_token, undefined, 'online access gets no refresh token');

  const channels = await get('/google/youtube/v3/channels', { part: 'id,snippet', mine: 'true' }, bearer(body.access_token));
  assert.equal(channels.status, 200);
  const list = await channels.json();
  assert.equal(list.kind, 'youtube#channelListResponse');
  assert.equal(list.items[0].id, 'UCsandbox0000000000000001');
  assert.equal(list.items[0].snippet.title, 'Sandbox Channel');
  const me = await get('/google/oauth2/v3/userinfo', null, bearer(body.access_token));
  assert.equal(me.status, 200);
  assert.ok((await me.json()).sub);

  sb.setKnobs({ googleNoChannel: true });
  const none = await get('/google/youtube/v3/channels', { part: 'id', mine: 'true' }, bearer(body.access_token));
  assert.deepEqual((await none.json()).items, []);

  const unauthenticated = await get('/google/youtube/v3/channels', { part: 'id', mine: 'true' }, bearer('ya29.bogus'));
  assert.equal(unauthenticated.status, 401);
  const err = await unauthenticated.json();
  assert.equal(err.error.code, 401);
  assert.equal(err.error.status, 'UNAUTHENTICATED');
});

test('google: refresh token only with offline + (first consent or prompt=consent); no rotation; testing mode', async () => {
  const fresh = await startSandbox({ autoApprove: true });
  const saved = sb;
  sb = fresh;
  try {
    const first = await googleTokens({ access_type: 'offline' });
    assert.ok(first.refresh_token, 'first consent with offline access gets a refresh token');
    assert.match(first.refresh_token, /^1\/\//);
    const second = await googleTokens({ access_type: 'offline' });
    assert.equal(second.refresh_token, undefined, 'a repeat consent without prompt=consent gets none');
    const online = await googleTokens({ prompt: 'consent' });
    assert.equal(online.refresh_token, undefined, 'prompt=consent without offline gets none');
    const forced = await googleTokens({ access_type: 'offline', prompt: 'consent' });
    assert.ok(forced.refresh_token);

    for (let i = 0; i < 2; i += 1) {
      const res = await googleToken({ grant_type: 'refresh_token', refresh_token: forced.refresh_token });
      assert.equal(res.status, 200);
      assertNoStore(res);
      const body = await res.json();
      assert.equal(body.refresh_token, undefined, 'Google does not rotate refresh tokens');
      assert.match(body.access_token, /^ya29\./);
      assert.equal(sb.tokens.isValid('google', body.access_token), true);
    }
    assert.equal(sb.tokens.currentRefreshToken('google', 'UCsandbox0000000000000001'), forced.refresh_token);

    const viaBasic = await post('/google/token', { grant_type: 'refresh_token', refresh_token: forced.refresh_token }, basic(GG.clientId, GG.clientSecret));
    assert.equal(viaBasic.status, 200, 'client auth over HTTP Basic is accepted');

    sb.setKnobs({ googleTestingMode: true });
    const testing = await googleTokens({ access_type: 'offline', prompt: 'consent' });
    sb.clock.advance(7 * 24 * 3600 + 1);
    const dead = await googleToken({ grant_type: 'refresh_token', refresh_token: testing.refresh_token });
    assert.equal(dead.status, 400);
    assert.deepEqual(await dead.json(), { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  } finally {
    sb = saved;
    await fresh.close();
  }
});

test('google: revocation kills the whole grant', async () => {
  const tokens = await googleTokens({ access_type: 'offline', prompt: 'consent' });
  const revoked = await post('/google/revoke', { token: tokens.access_token });
  assert.equal(revoked.status, 200);
  assert.deepEqual(await revoked.json(), {});
  assert.equal(sb.tokens.isValid('google', tokens.access_token), false);
  const refresh = await googleToken({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assert.equal(refresh.status, 400);
  assert.equal((await refresh.json()).error_description, 'Token has been expired or revoked.');
  const again = await post('/google/revoke', { token: tokens.refresh_token });
  assert.equal(again.status, 400);
  assert.deepEqual(await again.json(), { error: 'invalid_token', error_description: 'Token expired or revoked' });
});

test('google: PKCE, redirect and client rules', async () => {
  const missing = await get('/google/o/oauth2/v2/auth', { client_id: GG.clientId, redirect_uri: GG_REDIRECT, response_type: 'code', scope: YT_UPLOAD, state: 'x' });
  assert.equal(redirected(missing).searchParams.get('error'), 'invalid_request');
  sb.setKnobs({ googleRequirePkce: false });
  const lax = redirected(await get('/google/o/oauth2/v2/auth', { client_id: GG.clientId, redirect_uri: GG_REDIRECT, response_type: 'code', scope: YT_UPLOAD }));
  const noPkce = await googleToken({ grant_type: 'authorization_code', code: lax.searchParams.get('code'), redirect_uri: GG_REDIRECT });
  assert.equal(noPkce.status, 200);

  const { code } = await googleCode();
  const wrongVerifier = await googleToken({ grant_type: 'authorization_code', code, redirect_uri: GG_REDIRECT, code_verifier: pkcePair().verifier });
  assert.equal(wrongVerifier.status, 400);
  assert.equal((await wrongVerifier.json()).error, 'invalid_grant');

  const plainVerifier = crypto.randomBytes(40).toString('base64url');
  const plain = await googleCode({ code_challenge: plainVerifier, code_challenge_method: 'plain' });
  const plainOk = await googleToken({ grant_type: 'authorization_code', code: plain.code, redirect_uri: GG_REDIRECT, code_verifier: plainVerifier });
  assert.equal(plainOk.status, 200);

  for (const redirect of ['http://[::1]:61000/cb', 'http://localhost:1/x/y', 'http://127.0.0.1:8080']) {
    assert.ok((await googleCode({ redirect_uri: redirect })).code, redirect);
  }
  for (const redirect of ['https://127.0.0.1:8080/', 'http://example.com:8080/', 'http://127.0.0.1:8080/#frag', 'http://127.0.0.2:80/']) {
    const res = await get('/google/o/oauth2/v2/auth', { client_id: GG.clientId, redirect_uri: redirect, response_type: 'code', scope: YT_UPLOAD, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });
    assert.equal(res.status, 400, redirect);
    assert.equal(res.headers.get('location'), null);
    assert.match(await res.text(), /redirect_uri_mismatch/);
  }
  const badClient = await get('/google/o/oauth2/v2/auth', { client_id: 'nope.apps.googleusercontent.com', redirect_uri: GG_REDIRECT, response_type: 'code', scope: YT_UPLOAD });
  assert.equal(badClient.status, 401);
  assert.match(await badClient.text(), /invalid_client/);

  const fresh = await googleCode();
  const wrongSecret = await googleToken({ grant_type: 'authorization_code', code: fresh.code, redirect_uri: GG_REDIRECT, code_verifier: fresh.verifier, client_secret: 'wrong' });
  assert.equal(wrongSecret.status, 401);
  assert.deepEqual(await wrongSecret.json(), { error: 'invalid_client', error_description: 'Unauthorized' });

  const redirectMismatch = await googleToken({ grant_type: 'authorization_code', code: fresh.code, redirect_uri: 'http://127.0.0.1:1/', code_verifier: fresh.verifier });
  assert.equal(redirectMismatch.status, 400);

  sb.setKnobs({ grantScopes: { google: [YT_UPLOAD] } });
  const partial = await googleTokens();
  assert.equal(partial.scope, YT_UPLOAD, 'the token response lists only the granted scope');
});

// ---- TikTok -------------------------------------------------------------------------------------

test('tiktok: happy path with hex PKCE, encoded code, scopes, user info', async () => {
  const { code, verifier, location, raw } = await tiktokCode();
  assert.ok(code.includes('*!'), 'the code carries characters a client must decode');
  assert.ok(raw.includes('%2A%21') && !raw.includes('*!'), 'they are percent-encoded in the Location');
  assert.equal(location.searchParams.get('scopes'), 'user.info.basic,video.publish');
  assert.equal(location.searchParams.get('state'), 't-state');

  const undecoded = /[?&]code=([^&]+)/.exec(raw)[1];
  const notDecoded = await tiktokToken({ grant_type: 'authorization_code', code: undecoded, redirect_uri: TT_REDIRECT, code_verifier: verifier });
  assert.equal(notDecoded.status, 400, 'the still-encoded code is refused');

  const res = await tiktokToken({ grant_type: 'authorization_code', code, redirect_uri: TT_REDIRECT, code_verifier: verifier });
  assert.equal(res.status, 200);
  assertNoStore(res);
  const body = await res.json();
  assert.equal(body.open_id, 'sandbox-open-id-0001');
  assert.equal(body.scope, 'user.info.basic,video.publish');
  assert.match(body.access_token, /^act\./);
  assert.match(body.refresh_token, /^rft\./);
  assert.equal(body.expires_in, 86400);
  assert.equal(body.refresh_expires_in, 31536000);
  assert.equal(body.token_type, 'Bearer');

  const info = await get('/tiktok/v2/user/info/', { fields: 'open_id,union_id,avatar_url,display_name' }, bearer(body.access_token));
  assert.equal(info.status, 200);
  const user = await info.json();
  assert.equal(user.data.user.open_id, 'sandbox-open-id-0001');
  assert.equal(user.data.user.display_name, 'Sandbox Creator');
  assert.equal(user.error.code, 'ok');
  const bad = await get('/tiktok/v2/user/info/', { fields: 'open_id' }, bearer('act.nope'));
  assert.equal(bad.status, 401);
  const badBody = await bad.json();
  assert.deepEqual(badBody.data, {});
  assert.equal(badBody.error.code, 'access_token_invalid');
});

test('tiktok: hex vs base64url challenge follows the tiktokPkce knob', async () => {
  const exchange = async (pair) => {
    const { code, verifier } = await tiktokCode({}, pair);
    return tiktokToken({ grant_type: 'authorization_code', code, redirect_uri: TT_REDIRECT, code_verifier: verifier });
  };
  const b64Refused = await exchange(pkcePair('base64url'));
  assert.equal(b64Refused.status, 400);
  const err = await b64Refused.json();
  assert.equal(err.error, 'invalid_request');
  assert.equal(err.error_description, 'Code verifier or code challenge is invalid.');
  assert.ok(err.log_id);

  sb.setKnobs({ tiktokPkce: 'base64url' });
  assert.equal((await exchange(pkcePair('base64url'))).status, 200);
  assert.equal((await exchange(pkcePair('hex'))).status, 400);

  const noChallenge = redirected(
    await get('/tiktok/v2/auth/authorize/', { client_key: TT.clientId, response_type: 'code', scope: 'user.info.basic', redirect_uri: TT_REDIRECT, state: 'n' }),
  );
  assert.equal(noChallenge.searchParams.get('error'), 'invalid_request');
});

test('tiktok: client_key required, wildcard-port redirects, errors in 200 bodies', async () => {
  const pair = pkcePair('hex');
  const withClientId = await get('/tiktok/v2/auth/authorize/', {
    client_id: TT.clientId,
    response_type: 'code',
    scope: 'user.info.basic',
    redirect_uri: TT_REDIRECT,
    code_challenge: pair.challenge,
    code_challenge_method: 'S256',
  });
  assert.equal(withClientId.status, 400);
  assert.equal(withClientId.headers.get('location'), null);
  assert.match(await withClientId.text(), /client_key missing/);

  for (const redirect of ['http://127.0.0.1:3000/callback/', 'http://localhost:65535/callback/']) {
    assert.ok((await tiktokCode({ redirect_uri: redirect })).code, redirect);
  }
  for (const redirect of ['http://127.0.0.1:3000/other/', 'http://127.0.0.1/callback/', 'http://127.0.0.1:3000/callback/?x=1', 'http://127.0.0.1:3000/callback', 'https://example.com:3000/callback/']) {
    const res = await get('/tiktok/v2/auth/authorize/', { client_key: TT.clientId, response_type: 'code', scope: 'user.info.basic', redirect_uri: redirect, code_challenge: pair.challenge, code_challenge_method: 'S256' });
    assert.equal(res.status, 400, redirect);
    assert.equal(res.headers.get('location'), null, redirect);
  }

  sb.setKnobs({ tiktokErrorStatus: 200 });
  const { code, verifier } = await tiktokCode();
  const wrongSecret = await tiktokToken({ grant_type: 'authorization_code', code, redirect_uri: TT_REDIRECT, code_verifier: verifier, client_secret: 'nope' });
  assert.equal(wrongSecret.status, 200);
  assert.equal((await wrongSecret.json()).error, 'invalid_client');

  sb.setKnobs({ grantScopes: { tiktok: ['user.info.basic'] } });
  const reduced = await tiktokCode();
  assert.equal(reduced.location.searchParams.get('scopes'), 'user.info.basic');
});

test('tiktok: refresh rotation invalidates the old refresh token; revoke kills the grant', async () => {
  const first = await tiktokTokens();
  const refresh = (token) => tiktokToken({ grant_type: 'refresh_token', refresh_token: token });
  const res = await refresh(first.refresh_token);
  assert.equal(res.status, 200);
  assertNoStore(res);
  const second = await res.json();
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.equal(sb.tokens.currentRefreshToken('tiktok', 'sandbox-open-id-0001'), second.refresh_token);

  const stale = await refresh(first.refresh_token);
  assert.equal(stale.status, 400);
  assert.equal((await stale.json()).error, 'invalid_grant');

  const revoked = await post('/tiktok/v2/oauth/revoke/', { client_key: TT.clientId, client_secret: TT.clientSecret, token: second.access_token });
  assert.equal(revoked.status, 200);
  assert.deepEqual(await revoked.json(), {});
  assert.equal(sb.tokens.isValid('tiktok', second.access_token), false);
  assert.equal((await refresh(second.refresh_token)).status, 400);
  assert.equal((await get('/tiktok/v2/user/info/', { fields: 'open_id' }, bearer(second.access_token))).status, 401);
});

test('tiktok: 200 concurrent refreshes of one token -> exactly one wins', async () => {
  const { refresh_token: token } = await tiktokTokens();
  const answers = await Promise.all(
    Array.from({ length: 200 }, () => tiktokToken({ grant_type: 'refresh_token', refresh_token: token }).then(async (r) => ({ status: r.status, body: await r.json() }))),
  );
  const winners = answers.filter((a) => a.status === 200);
  assert.equal(winners.length, 1);
  assert.ok(answers.filter((a) => a.status !== 200).every((a) => a.body.error === 'invalid_grant'));
  assert.equal(sb.tokens.currentRefreshToken('tiktok', 'sandbox-open-id-0001'), winners[0].body.refresh_token);
});

// ---- LinkedIn -----------------------------------------------------------------------------------

test('linkedin: happy path, comma scopes, no refresh token by default, body-only client auth', async () => {
  const code = await linkedinCode();
  const basicOnly = await post('/linkedin/oauth/v2/accessToken', { grant_type: 'authorization_code', code, redirect_uri: LI_REDIRECT }, basic(LI.clientId, LI.clientSecret));
  assert.equal(basicOnly.status, 401);
  assert.equal((await basicOnly.json()).error, 'invalid_client');

  const res = await linkedinToken({ grant_type: 'authorization_code', code, redirect_uri: LI_REDIRECT });
  assert.equal(res.status, 200, 'the Basic attempt did not burn the code');
  assertNoStore(res);
  const body = await res.json();
  assert.equal(body.expires_in, 5184000);
  assert.equal(body.scope, 'openid,profile,w_member_social');
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.refresh_token, undefined);

  const me = await get('/linkedin/v2/userinfo', null, bearer(body.access_token));
  assert.equal(me.status, 200);
  const member = await me.json();
  assert.equal(member.sub, 'sandboxSub001');
  assert.equal(member.name, 'Sandbox Member');
  const bad = await get('/linkedin/v2/userinfo', null, bearer('AQVnope'));
  assert.equal(bad.status, 401);
  assert.deepEqual(await bad.json(), { serviceErrorCode: 65600, message: 'Invalid access token', status: 401 });

  const wrongSecret = await linkedinToken({ grant_type: 'authorization_code', code: await linkedinCode(), redirect_uri: LI_REDIRECT, client_secret: 'nope' });
  assert.equal(wrongSecret.status, 401);
  assert.equal((await wrongSecret.json()).error, 'invalid_client');

  const mismatch = await linkedinToken({ grant_type: 'authorization_code', code: await linkedinCode(), redirect_uri: 'https://localhost:3770/' });
  assert.equal(mismatch.status, 400);
  assert.match((await mismatch.json()).error_description, /^Unable to retrieve access token: appid\/redirect uri\/code verifier does not match/);

  const unregistered = await get('/linkedin/oauth/v2/authorization', { response_type: 'code', client_id: LI.clientId, redirect_uri: 'http://127.0.0.1:3771/', scope: 'openid' });
  assert.equal(unregistered.status, 400);
  assert.equal(unregistered.headers.get('location'), null);

  const revoke = await post('/linkedin/oauth/v2/revoke', { client_id: LI.clientId, client_secret: LI.clientSecret, token: body.access_token });
  assert.equal(revoke.status, 200);
  const after = await get('/linkedin/v2/userinfo', null, bearer(body.access_token));
  assert.equal(after.status, 401);
  assert.equal((await after.json()).serviceErrorCode, 65601);
});

test('linkedin: refresh tokens with the knob keep their first expiry', async () => {
  sb.setKnobs({ linkedinRefresh: true });
  const res = await linkedinToken({ grant_type: 'authorization_code', code: await linkedinCode(), redirect_uri: LI_REDIRECT });
  const body = await res.json();
  assert.ok(body.refresh_token);
  assert.equal(body.refresh_token_expires_in, 31536000);

  sb.clock.advance(59 * 24 * 3600);
  const refreshed = await linkedinToken({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
  assert.equal(refreshed.status, 200);
  const renewed = await refreshed.json();
  assert.equal(renewed.expires_in, 5184000);
  assert.notEqual(renewed.access_token, body.access_token);
  assert.ok(Math.abs(renewed.refresh_token_expires_in - 306 * 24 * 3600) <= 2, 'the refresh token was not extended');
});

// ---- codes --------------------------------------------------------------------------------------

test('codes: single use (reuse revokes what the code issued) and expiry', async () => {
  const { code, verifier } = await googleCode();
  const exchange = () => googleToken({ grant_type: 'authorization_code', code, redirect_uri: GG_REDIRECT, code_verifier: verifier });
  const first = await (await exchange()).json();
  assert.equal(sb.tokens.isValid('google', first.access_token), true);
  const reuse = await exchange();
  assert.equal(reuse.status, 400);
  assert.equal((await reuse.json()).error, 'invalid_grant');
  assert.equal(sb.tokens.isValid('google', first.access_token), false, 'RFC 6749 §4.1.2: reuse revokes the tokens');

  const tt = await tiktokCode();
  const ttExchange = () => tiktokToken({ grant_type: 'authorization_code', code: tt.code, redirect_uri: TT_REDIRECT, code_verifier: tt.verifier });
  const ttFirst = await (await ttExchange()).json();
  assert.equal((await (await ttExchange()).json()).error, 'invalid_grant');
  assert.equal(sb.tokens.isValid('tiktok', ttFirst.access_token), false);

  const igFirst = await igCode();
  assert.equal((await igExchange(igFirst)).status, 200);
  assert.equal((await igExchange(igFirst)).status, 400);

  const late = await googleCode();
  sb.clock.advance(601);
  const expired = await googleToken({ grant_type: 'authorization_code', code: late.code, redirect_uri: GG_REDIRECT, code_verifier: late.verifier });
  assert.equal(expired.status, 400);
  assert.equal((await expired.json()).error, 'invalid_grant');

  sb.setKnobs({ codeTtlSec: 5 });
  const short = await linkedinCode();
  sb.clock.advance(6);
  const liExpired = await linkedinToken({ grant_type: 'authorization_code', code: short, redirect_uri: LI_REDIRECT });
  assert.equal(liExpired.status, 400);
  assert.equal((await liExpired.json()).error, 'invalid_request');
});

// ---- forced failures ----------------------------------------------------------------------------

test('forced failures: status with times, hang, error200', async () => {
  const { code, verifier } = await googleCode();
  sb.setKnobs({ fail: { 'google.token': { status: 503, times: 1 } } });
  const unavailable = await googleToken({ grant_type: 'authorization_code', code, redirect_uri: GG_REDIRECT, code_verifier: verifier });
  assert.equal(unavailable.status, 503);
  assert.ok((await unavailable.json()).error);
  assert.deepEqual(sb.knobs.fail, {}, 'the entry cleared itself after one use');
  const retried = await googleToken({ grant_type: 'authorization_code', code, redirect_uri: GG_REDIRECT, code_verifier: verifier });
  assert.equal(retried.status, 200, 'the forced failure did not consume the code');

  sb.setKnobs({ fail: { 'tiktok.userinfo': { hang: true }, 'linkedin.token': { error200: true }, 'instagram.me': { error200: true }, 'google.channels': { status: 500, body: 'boom' } } });
  await assert.rejects(
    get('/tiktok/v2/user/info/', { fields: 'open_id' }, bearer('act.x'), { signal: AbortSignal.timeout(300) }),
    (err) => err.name === 'TimeoutError' || err.name === 'AbortError',
  );
  const hung = sb.requests.filter((r) => r.platform === 'tiktok' && r.endpoint === 'userinfo').at(-1);
  assert.equal(hung.status, 0);

  const li = await linkedinToken({ grant_type: 'authorization_code', code: 'whatever', redirect_uri: LI_REDIRECT });
  assert.equal(li.status, 200);
  const liBody = await li.json();
  assert.equal(liBody.error, 'invalid_request');
  assert.equal(liBody.access_token, undefined);

  const ig = await get('/instagram/me', { fields: 'user_id', access_token: 'x' });
  assert.equal(ig.status, 200);
  assert.equal((await ig.json()).error.type, 'OAuthException');

  const boom = await get('/google/youtube/v3/channels', { part: 'id', mine: 'true' });
  assert.equal(boom.status, 500);
  assert.equal(await boom.text(), 'boom');

  sb.setKnobs({ fail: { 'tiktok.refresh': { status: 503 } } });
  const refresh = await tiktokToken({ grant_type: 'refresh_token', refresh_token: 'rft.x' });
  assert.equal(refresh.status, 503);
  assert.equal(refresh.headers.get('retry-after'), '1');
});

// ---- control API --------------------------------------------------------------------------------

test('control API over HTTP', async () => {
  assert.deepEqual(await (await get('/sandbox/health')).json(), { ok: true });

  const set = await fetch(address('/sandbox/knobs'), { method: 'POST', body: JSON.stringify({ instagramShape: 'data', tiktok: { accessTtlSec: 10 } }) });
  assert.equal(set.status, 200);
  assert.equal((await set.json()).instagramShape, 'data');
  assert.equal(sb.knobs.instagramShape, 'data');
  const tt = await tiktokTokens();
  assert.equal(tt.expires_in, 10);

  const unknown = await fetch(address('/sandbox/knobs'), { method: 'POST', body: JSON.stringify({ noSuchKnob: 1 }) });
  assert.equal(unknown.status, 400);
  const badJson = await fetch(address('/sandbox/knobs'), { method: 'POST', body: '{"instagramShape":' });
  assert.equal(badJson.status, 400);
  assert.equal(sb.knobs.instagramShape, 'data', 'bad updates change nothing');

  const before = sb.clock.now();
  const moved = await fetch(address('/sandbox/clock'), { method: 'POST', body: JSON.stringify({ advance: 3600 }) });
  assert.equal(moved.status, 200);
  assert.ok(sb.clock.now() - before >= 3600 * 1000);

  const apps = await get('/sandbox/apps');
  const text = await apps.text();
  const listing = JSON.parse(text);
  assert.equal(listing.instagram.client_id, IG.clientId);
  assert.equal(listing.tiktok.client_key, TT.clientId);
  assert.deepEqual(listing.linkedin.redirect.uris, [LI_REDIRECT, 'https://localhost:3770/']);
  assert.equal(listing.instagram.redirect.uris.length, 6);
  for (const app of [IG, GG, TT, LI]) assert.ok(!text.includes(app.clientSecret), 'no secrets in /sandbox/apps');

  const reset = await fetch(address('/sandbox/knobs/reset'), { method: 'POST' });
  assert.equal((await reset.json()).instagramShape, 'flat');

  const missing = await get('/nowhere');
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error, 'not_found');
});

test('the request log never holds codes or tokens', async () => {
  const tokens = await googleTokens({ access_type: 'offline', prompt: 'consent' });
  const log = JSON.stringify(sb.requests);
  assert.ok(!log.includes(tokens.access_token) && !log.includes(tokens.refresh_token));
  assert.ok(sb.requests.some((r) => r.platform === 'google' && r.endpoint === 'token' && r.status === 200 && r.method === 'POST'));
});

// ---- garbage ------------------------------------------------------------------------------------

function rawSend(bytes) {
  return new Promise((resolve) => {
    const socket = net.connect(sb.port, '127.0.0.1', () => socket.end(bytes));
    socket.on('data', () => {});
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.setTimeout(1500, () => socket.destroy());
  });
}

test('a garbage barrage leaves the server serving', async () => {
  const raw = [
    ...Array.from({ length: 25 }, () => crypto.randomBytes(1 + crypto.randomInt(4096))),
    'GET /%zz%/..%2f HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /google/token HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nshort',
    'POST /tiktok/v2/oauth/token/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    `GET /instagram/me?${'a'.repeat(70000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    'BREW /sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n',
  ];
  await Promise.all(raw.map(rawSend));

  const huge = await fetch(address('/google/token'), { method: 'POST', body: Buffer.alloc(1024 * 1024, 0x61), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(huge.status, 413);

  const weird = await Promise.all([
    post('/linkedin/oauth/v2/accessToken', { grant_type: 'authorization_code' }).then((r) => r.status),
    fetch(address('/instagram/oauth/access_token'), { method: 'POST', body: '%E0%A4%A&&==&code=%%%', headers: { 'content-type': 'application/x-www-form-urlencoded' } }).then((r) => r.status),
    fetch(address('/instagram/oauth/access_token'), { method: 'POST', body: '--x\r\nContent-Disposition: form-data\r\n\r\n', headers: { 'content-type': 'multipart/form-data; boundary=x' } }).then((r) => r.status),
    fetch(address('/google/token'), { method: 'POST', body: crypto.randomBytes(3000), headers: { 'content-type': 'multipart/form-data' } }).then((r) => r.status),
    fetch(address('/sandbox/clock'), { method: 'POST', body: '[1,2' }).then((r) => r.status),
    fetch(address('/sandbox/knobs'), { method: 'POST', body: '{"fail":{"x":1}}' }).then((r) => r.status),
    get('/google/token').then((r) => r.status),
    get('/tiktok/v2/user/info/', { fields: 'open_id' }, { authorization: 'Bearer' }).then((r) => r.status),
    get('/linkedin/v2/userinfo', null, { authorization: 'Basic ????' }).then((r) => r.status),
    fetch(address('/google/token'), { method: 'POST', headers: { authorization: 'Basic !!!' }, body: 'grant_type=refresh_token' }).then((r) => r.status),
  ]);
  assert.ok(weird.every((status) => status >= 400 && status < 500), `all refused cleanly: ${weird}`);

  assert.deepEqual(await (await get('/sandbox/health')).json(), { ok: true });
  const tokens = await tiktokTokens();
  assert.equal(sb.tokens.isValid('tiktok', tokens.access_token), true);
});
