'use strict';
// 86-oidc-fixture: the e2e OAuth 2.0 / OIDC fixture (tests/e2e/fixtures/oidc-server.js, oidc-provider
// from npm) behaves as a real authorization server over real sockets: discovery, authorization code
// + PKCE for each client auth method, refresh (with and without rotation), revocation, userinfo,
// and the errors a client must be able to meet (invalid_grant, invalid_client, access_denied,
// refused redirect URIs).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startOidcServer } = require('../e2e/fixtures/oidc-server');

for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) {
  delete process.env[name]; // loopback requests must not go to a proxy from the test machine
}

// Nothing listens here: the flow stops at the redirect to it and reads the Location header.
const CALLBACK = 'http://127.0.0.1:54321/callback';
const ALL_SCOPES = 'openid offline_access profile email publish';

let op;
before(async () => {
  op = await startOidcServer({ port: 0 });
});
after(async () => {
  await op?.close();
});

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

// A minimal cookie jar: honours Path, drops expired/cleared cookies; enough for oidc-provider.
class CookieJar {
  constructor() {
    this.cookies = new Map(); // `${name};${path}` -> { name, value, path }
  }

  store(res, url) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cookiePath = new URL(url).pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path') cookiePath = v || '/';
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
      }
      const id = `${name};${cookiePath}`;
      if (expired) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path: cookiePath });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    const matches = [...this.cookies.values()].filter((c) => c.path === '/' || pathname === c.path
      || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`));
    return matches.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

function authorizeUrl(server, params) {
  const url = new URL(server.endpoints.authorization);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) url.searchParams.set(k, v);
  return url.href;
}

// Follow redirects by hand, carrying cookies, until one leaves the server (or a non-redirect answer).
async function follow(startUrl, server = op, jar = new CookieJar()) {
  let url = startUrl;
  const hops = [];
  for (let i = 0; i < 12; i++) {
    const headers = {};
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    const res = await fetch(url, { redirect: 'manual', headers });
    jar.store(res, url);
    hops.push({ url, status: res.status });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      return { res, body: await res.text(), hops, jar };
    }
    await res.arrayBuffer();
    const next = new URL(location, url);
    if (next.origin !== server.issuer) return { location: next, hops, jar };
    url = next.href;
  }
  throw new Error(`too many redirects: ${JSON.stringify(hops)}`);
}

async function authorize(client, { scope = ALL_SCOPES, redirectUri = CALLBACK, prompt = 'consent', server = op, extra = {} } = {}) {
  const { verifier, challenge } = pkce();
  const state = crypto.randomBytes(12).toString('base64url');
  const nonce = crypto.randomBytes(12).toString('base64url');
  const out = await follow(authorizeUrl(server, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    prompt,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }), server);
  return { ...out, verifier, state, nonce };
}

async function tokenRequest(client, params, { server = op, secret = client.client_secret } = {}) {
  const body = new URLSearchParams(params);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (client.token_endpoint_auth_method === 'client_secret_basic') {
    const enc = (s) => encodeURIComponent(s); // RFC 6749 §2.3.1: form-encode, then Basic
    headers.authorization = `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(secret)}`).toString('base64')}`;
  } else if (client.token_endpoint_auth_method === 'client_secret_post') {
    body.set('client_id', client.client_id);
    body.set('client_secret', secret);
  } else {
    body.set('client_id', client.client_id);
  }
  const res = await fetch(server.endpoints.token, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

async function revokeToken(client, token, hint, server = op) {
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.token_endpoint_auth_method === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
  } else {
    body.set('client_id', client.client_id);
    if (client.client_secret) body.set('client_secret', client.client_secret);
  }
  const res = await fetch(server.endpoints.revocation, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

function codeFrom(flow) {
  assert.ok(flow.location, `no redirect out of the server: ${flow.res?.status} ${flow.body}`);
  assert.equal(`${flow.location.origin}${flow.location.pathname}`, CALLBACK);
  const q = flow.location.searchParams;
  assert.equal(q.get('error'), null, q.get('error_description') ?? '');
  assert.equal(q.get('state'), flow.state);
  return q.get('code');
}

test('discovery document advertises the endpoints and S256 PKCE', async () => {
  const res = await fetch(op.discoveryUrl);
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.issuer, op.issuer);
  assert.match(op.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(op.port, Number(new URL(op.issuer).port));
  assert.equal(doc.authorization_endpoint, op.endpoints.authorization);
  assert.equal(doc.token_endpoint, op.endpoints.token);
  assert.equal(doc.revocation_endpoint, op.endpoints.revocation);
  assert.equal(doc.userinfo_endpoint, op.endpoints.userinfo);
  assert.equal(doc.jwks_uri, op.endpoints.jwks);
  assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  for (const s of ['openid', 'offline_access', 'profile', 'email', 'publish']) assert.ok(doc.scopes_supported.includes(s), s);
  for (const g of ['authorization_code', 'refresh_token']) assert.ok(doc.grant_types_supported.includes(g), g);
  for (const m of ['client_secret_basic', 'client_secret_post', 'none']) {
    assert.ok(doc.token_endpoint_auth_methods_supported.includes(m), m);
  }
  assert.equal(doc.authorization_response_iss_parameter_supported, true);
});

for (const name of ['basic', 'post', 'public']) {
  test(`authorization code + PKCE, refresh, userinfo, revocation: ${name} client`, async () => {
    const client = op.clients[name];
    const flow = await authorize(client);
    const code = codeFrom(flow);
    assert.ok(code);
    assert.equal(flow.location.searchParams.get('iss'), op.issuer, 'RFC 9207 iss in the callback');
    // The interaction really used cookies: the resume hop would fail without them.
    assert.ok(flow.hops.some((h) => h.url.includes('/interaction/')), JSON.stringify(flow.hops));

    const tok = await tokenRequest(client, {
      grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: flow.verifier,
    });
    assert.equal(tok.status, 200, JSON.stringify(tok.json));
    assert.equal(tok.json.token_type, 'Bearer');
    assert.equal(typeof tok.json.access_token, 'string');
    assert.equal(typeof tok.json.refresh_token, 'string', 'offline_access + prompt=consent gives a refresh token');
    assert.equal(typeof tok.json.id_token, 'string');
    assert.ok(tok.json.expires_in > 0);
    assert.deepEqual(tok.json.scope.split(' ').sort(), ALL_SCOPES.split(' ').sort());
    assert.equal(tok.headers.get('cache-control'), 'no-store');

    // The ID token is for this client, from this issuer, about alice.
    const idPayload = JSON.parse(Buffer.from(tok.json.id_token.split('.')[1], 'base64url'));
    assert.equal(idPayload.iss, op.issuer);
    assert.equal(idPayload.aud, client.client_id);
    assert.equal(idPayload.sub, 'alice');
    assert.equal(idPayload.nonce, flow.nonce);

    const me = await fetch(op.endpoints.userinfo, { headers: { authorization: `Bearer ${tok.json.access_token}` } });
    assert.equal(me.status, 200, `${me.headers.get('www-authenticate')}`);
    const claims = await me.json();
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.email, 'alice@example.test');
    assert.equal(claims.name, 'Alice Fixture');

    // Refresh (rotating by default): a new refresh token, the old one is consumed.
    const ref = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token });
    assert.equal(ref.status, 200, JSON.stringify(ref.json));
    assert.equal(typeof ref.json.access_token, 'string');
    assert.notEqual(ref.json.access_token, tok.json.access_token);
    assert.equal(typeof ref.json.refresh_token, 'string');
    assert.notEqual(ref.json.refresh_token, tok.json.refresh_token);
    assert.equal(op.tokenState(tok.json.refresh_token), 'consumed');
    assert.equal(op.tokenState(ref.json.refresh_token), 'active');

    // RFC 7009 revocation of the current refresh token; then refreshing fails.
    const rv = await revokeToken(client, ref.json.refresh_token, 'refresh_token');
    assert.equal(rv.status, 200, rv.text);
    assert.equal(op.revoked(ref.json.refresh_token), true);
    const dead = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: ref.json.refresh_token });
    assert.equal(dead.status, 400);
    assert.equal(dead.json.error, 'invalid_grant');
    // Revoking a refresh token revokes its grant: the access token stops working too.
    const me2 = await fetch(op.endpoints.userinfo, { headers: { authorization: `Bearer ${ref.json.access_token}` } });
    assert.equal(me2.status, 401);
    // Revoking an unknown token is still 200 (RFC 7009 §2.2).
    assert.equal((await revokeToken(client, 'not-a-token', 'refresh_token')).status, 200);
  });
}

test('an authorization code is single-use; replaying it revokes what it gave', async () => {
  const client = op.clients.post;
  const flow = await authorize(client);
  const code = codeFrom(flow);
  const exchange = () => tokenRequest(client, {
    grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: flow.verifier,
  });
  const tok = await exchange();
  assert.equal(tok.status, 200);
  const again = await exchange();
  assert.equal(again.status, 400);
  assert.equal(again.json.error, 'invalid_grant');
  const me = await fetch(op.endpoints.userinfo, { headers: { authorization: `Bearer ${tok.json.access_token}` } });
  assert.equal(me.status, 401);
  assert.equal(op.revoked(tok.json.refresh_token), true);
});

test('reusing a rotated refresh token is refused (and revokes the grant)', async () => {
  const client = op.clients.basic;
  const flow = await authorize(client);
  const tok = await tokenRequest(client, {
    grant_type: 'authorization_code', code: codeFrom(flow), redirect_uri: CALLBACK, code_verifier: flow.verifier,
  });
  const first = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token });
  assert.equal(first.status, 200);
  const reuse = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token });
  assert.equal(reuse.status, 400);
  assert.equal(reuse.json.error, 'invalid_grant');
  const after = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
  assert.equal(after.json.error, 'invalid_grant');
});

test('rotateRefreshToken: false keeps the same refresh token usable', async () => {
  const other = await startOidcServer({ rotateRefreshToken: false });
  try {
    const client = other.clients.post;
    const flow = await authorize(client, { server: other });
    const tok = await tokenRequest(client, {
      grant_type: 'authorization_code', code: codeFrom(flow), redirect_uri: CALLBACK, code_verifier: flow.verifier,
    }, { server: other });
    assert.equal(tok.status, 200);
    for (let i = 0; i < 2; i++) {
      const ref = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token }, { server: other });
      assert.equal(ref.status, 200, JSON.stringify(ref.json));
      assert.equal(ref.json.refresh_token ?? tok.json.refresh_token, tok.json.refresh_token);
    }
    assert.equal(other.tokenState(tok.json.refresh_token), 'active');
  } finally {
    await other.close();
  }
});

test('offline_access without prompt=consent is dropped: no refresh token', async () => {
  const client = op.clients.public;
  const flow = await authorize(client, { prompt: null });
  const tok = await tokenRequest(client, {
    grant_type: 'authorization_code', code: codeFrom(flow), redirect_uri: CALLBACK, code_verifier: flow.verifier,
  });
  assert.equal(tok.status, 200);
  assert.equal(tok.json.refresh_token, undefined);
  assert.ok(!tok.json.scope.split(' ').includes('offline_access'));
});

test('the interaction needs its cookies: a client that drops them gets no code', async () => {
  const forgetful = new CookieJar();
  forgetful.store = () => {};
  const { challenge } = pkce();
  const flow = await follow(authorizeUrl(op, {
    response_type: 'code', client_id: 'keryx-public', redirect_uri: CALLBACK, scope: 'openid', state: 's',
    code_challenge: challenge, code_challenge_method: 'S256',
  }), op, forgetful);
  assert.equal(flow.location, undefined);
  assert.equal(flow.res.status, 400);
  assert.match(JSON.parse(flow.body).error_description, /cookie/);
});

test('wrong PKCE verifier -> invalid_grant', async () => {
  const client = op.clients.public;
  const flow = await authorize(client);
  const tok = await tokenRequest(client, {
    grant_type: 'authorization_code', code: codeFrom(flow), redirect_uri: CALLBACK, code_verifier: pkce().verifier,
  });
  assert.equal(tok.status, 400);
  assert.equal(tok.json.error, 'invalid_grant');
});

test('PKCE is required, S256 only, for confidential clients too', async () => {
  const client = op.clients.basic;
  const missing = await follow(authorizeUrl(op, {
    response_type: 'code', client_id: client.client_id, redirect_uri: CALLBACK, scope: 'openid', state: 's1',
  }));
  assert.equal(missing.location.searchParams.get('error'), 'invalid_request');
  assert.match(missing.location.searchParams.get('error_description'), /PKCE/);

  const verifier = pkce().verifier;
  const plain = await follow(authorizeUrl(op, {
    response_type: 'code', client_id: client.client_id, redirect_uri: CALLBACK, scope: 'openid', state: 's2',
    code_challenge: verifier, code_challenge_method: 'plain',
  }));
  assert.equal(plain.location.searchParams.get('error'), 'invalid_request');
});

test('wrong client secret -> invalid_client (basic and post)', async () => {
  for (const name of ['basic', 'post']) {
    const client = op.clients[name];
    const flow = await authorize(client);
    const tok = await tokenRequest(client, {
      grant_type: 'authorization_code', code: codeFrom(flow), redirect_uri: CALLBACK, code_verifier: flow.verifier,
    }, { secret: 'wrong-secret' });
    assert.equal(tok.status, 401, name);
    assert.equal(tok.json.error, 'invalid_client', name);
  }
  // A confidential client cannot pretend to be public.
  const noAuth = await tokenRequest({ client_id: 'keryx-basic', token_endpoint_auth_method: 'none' }, {
    grant_type: 'refresh_token', refresh_token: 'x',
  });
  assert.equal(noAuth.json.error, 'invalid_client');
});

test('deny option -> access_denied on the redirect', async () => {
  const denying = await startOidcServer({ deny: true });
  try {
    const flow = await authorize(denying.clients.public, { server: denying });
    assert.ok(flow.location, `${flow.res?.status} ${flow.body}`);
    assert.equal(`${flow.location.origin}${flow.location.pathname}`, CALLBACK);
    assert.equal(flow.location.searchParams.get('error'), 'access_denied');
    assert.equal(flow.location.searchParams.get('state'), flow.state);
    assert.equal(flow.location.searchParams.get('iss'), denying.issuer);
    assert.equal(flow.location.searchParams.get('code'), null);
  } finally {
    await denying.close();
  }
  // setDeny toggles it at run time.
  op.setDeny(true);
  try {
    const flow = await authorize(op.clients.basic);
    assert.equal(flow.location.searchParams.get('error'), 'access_denied');
  } finally {
    op.setDeny(false);
  }
});

test('redirect URIs: loopback any port, registered paths only, non-loopback refused', async () => {
  const client = op.clients.public;
  // Any port on a registered loopback path; the bare-root registration too.
  for (const uri of ['http://127.0.0.1:1/callback', 'http://127.0.0.1:65000/', 'http://127.0.0.1/callback']) {
    const flow = await authorize(client, { redirectUri: uri, scope: 'openid' });
    assert.ok(flow.location, `${uri}: ${flow.res?.status} ${flow.body}`);
    assert.equal(flow.location.href.split('?')[0], uri);
    assert.ok(flow.location.searchParams.get('code'), uri);
  }
  // Not registered: never redirected to, answered with an error page (JSON here).
  for (const uri of ['https://evil.example/cb', 'http://127.0.0.1:54321/other', 'http://localhost:54321/callback']) {
    const flow = await authorize(client, { redirectUri: uri, scope: 'openid' });
    assert.equal(flow.location, undefined, `${uri} must not be redirected to`);
    assert.equal(flow.res.status, 400, uri);
    assert.equal(JSON.parse(flow.body).error, 'invalid_redirect_uri', uri);
  }
  // The code is bound to the redirect_uri it was issued for (same port included).
  const flow = await authorize(client, { scope: 'openid' });
  const tok = await tokenRequest(client, {
    grant_type: 'authorization_code', code: codeFrom(flow), redirect_uri: 'http://127.0.0.1:54322/callback', code_verifier: flow.verifier,
  });
  assert.equal(tok.json.error, 'invalid_grant');
});

test('redirectUris option replaces the registered redirect URIs', async () => {
  const other = await startOidcServer({ redirectUris: ['http://127.0.0.1/cb2'] });
  try {
    const ok = await authorize(other.clients.basic, { server: other, redirectUri: 'http://127.0.0.1:40000/cb2', scope: 'openid' });
    assert.ok(ok.location.searchParams.get('code'));
    const refused = await authorize(other.clients.basic, { server: other, scope: 'openid' });
    assert.equal(JSON.parse(refused.body).error, 'invalid_redirect_uri');
  } finally {
    await other.close();
  }
});

test('run as a script: one JSON line with the issuer, stops on SIGTERM', async () => {
  const script = path.join(__dirname, '..', 'e2e', 'fixtures', 'oidc-server.js');
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
      });
      child.once('exit', (code) => reject(new Error(`exited early: ${code}`)));
    });
    const info = JSON.parse(line);
    assert.match(info.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    const doc = await (await fetch(`${info.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.issuer, info.issuer);
    assert.equal(info.clients.basic.client_id, 'keryx-basic');
  } finally {
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0);
  }
});
