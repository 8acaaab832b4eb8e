'use strict';
// auth.js: keryx.auth(platform), the whole authorization-code flow: resolve the platform, bind the
// callback, keep the pending authorization in the vault, hand the authorize URL to the caller
// (who prints it and opens a browser), wait for the callback or a paste, exchange the code, run
// the platform's post-steps, store the token and write the non-secret config fields.
// keryx.authWithCode(platform, code) finishes a pending authorization from a pasted code or URL.
const { load } = require('./native');
const { KeryxError, codes, awaitNative, callNative } = require('./errors');
const platforms = require('./platforms');
const capture = require('./capture');
const pkce = require('./pkce');
const pending = require('./pending');
const store = require('./store');
const config = require('./config');

const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const now = () => Math.floor(Date.now() / 1000);

/** requestTimeoutMs: per-request deadline for the platform's endpoints (KERYX_HTTP_TIMEOUT_MS, default 30 s). */
function requestTimeoutMs(options) {
  if (options.requestTimeoutMs) return options.requestTimeoutMs;
  const fromEnv = Number(process.env.KERYX_HTTP_TIMEOUT_MS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 30000;
}

/**
 * checkRedirect: whether `uri` is a redirect kind `record` allows; redirect_invalid naming the
 * allowed kinds otherwise. Returns the parsed URL.
 */
function checkRedirect(record, uri) {
  let u;
  try {
    u = new URL(uri);
  } catch {
    throw new KeryxError(codes.REDIRECT_INVALID, '--redirect must be an absolute http(s) URI');
  }
  const loopback = LOOPBACK_HOSTS.has(u.hostname);
  const rules = {
    'https-range': [u.protocol === 'https:', `${record.displayName} only accepts https redirect URIs (e.g. https://localhost:3764/)`],
    loopback: [
      record.id === 'youtube' ? u.protocol === 'http:' && loopback : loopback,
      `${record.displayName} accepts loopback redirect URIs only (e.g. http://127.0.0.1:8080${record.redirectPath})`,
    ],
    pinned: [u.protocol === 'https:' || loopback, `${record.displayName} redirect URIs must be https, or http on a loopback address`],
  };
  const [ok, why] = rules[record.redirectKind] || [true, ''];
  if (!ok) throw new KeryxError(codes.REDIRECT_INVALID, why);
  if (u.protocol === 'http:' && !loopback) {
    throw new KeryxError(codes.REDIRECT_INVALID, 'plain http redirects are only allowed to a loopback address');
  }
  return u;
}

/** captureOptions: how to listen for `record` given an optional pinned `redirect`. */
function captureOptions(record, { redirect, configuredRedirect }) {
  if (redirect) return { mode: 'pinned', redirectUri: redirect };
  switch (record.redirectKind) {
    case 'https-range':
      return { mode: 'https-range', path: '/' };
    case 'pinned':
      return { mode: 'pinned', redirectUri: configuredRedirect || record.defaultRedirect };
    default:
      return { mode: 'http', path: record.redirectPath };
  }
}

/** configFields: the non-secret facts written to the config file after a successful run. */
function configFields(record, account, redirectUri) {
  const f = account.fields || {};
  const out = { enabled: true };
  switch (record.id) {
    case 'instagram':
      Object.assign(out, { user_id: f.user_id, redirect_uri: redirectUri });
      if (f.username) out.username = f.username;
      break;
    case 'youtube':
      if (f.channel_id) out.channel_id = f.channel_id;
      break;
    case 'tiktok':
      out.open_id = f.open_id;
      break;
    case 'linkedin':
      out.author_urn = f.author_urn;
      break;
    default:
      if (f.sub) out.sub = f.sub;
  }
  return out;
}

async function writeConfig(record, fields, configPath) {
  const o = configPath ? { path: configPath } : {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) await config.set(`platforms.${record.id}.${key}`, value, o);
  }
  if (record.id === 'tiktok' && (await config.get('platforms.tiktok.privacy', o)) === undefined) {
    await config.set('platforms.tiktok.privacy', 'SELF_ONLY', o);
  }
}

/** exchangeAndStore: code -> tokens -> post-steps -> vault -> config. Returns the summary. */
async function exchangeAndStore(resolved, { code, verifier, redirectUri, options }) {
  const { record, clientId, clientSecret } = resolved;
  // A sandbox account lives on the sandbox's clock (which tests move), like its lifecycle does.
  const started = resolved.sandbox ? await require('./lifecycle').sandboxNow(resolved.sandbox) : now();
  const exchanged = await awaitNative(
    load().oauthExchange(record, {
      clientId,
      clientSecret,
      code,
      verifier: verifier || '',
      redirectUri,
      scopes: options.scopes,
      timeoutMs: requestTimeoutMs(options),
    }),
  );
  const { token, account } = exchanged;
  const accountId = options.account || account.accountId;
  const expiresAt = token.expiresIn != null ? started + token.expiresIn : 0;
  const refreshExpiresAt = token.refreshExpiresIn != null ? started + token.refreshExpiresIn : 0;
  const metadata = { ...account.fields, redirect_uri: redirectUri, token_shape: record.tokenShape };
  if (options.account) metadata.platform_account_id = account.accountId;
  if (resolved.sandbox) metadata.sandbox = resolved.sandbox;
  const saved = await store.put(
    {
      platform: record.id,
      account: accountId,
      accessToken: token.accessToken,
      refreshToken: token.refreshToken || undefined,
      tokenType: token.tokenType,
      scopes: token.scopes,
      obtainedAt: started,
      expiresAt,
      refreshExpiresAt,
      isDefault: true,
      metadata,
    },
    options.storeOptions || {},
  );
  const fields = configFields(record, account, redirectUri);
  await writeConfig(record, fields, options.configPath);
  await pending.clear(record.id, options.storeOptions || {});
  return {
    platform: record.id,
    account: accountId,
    fields: account.fields,
    config: fields,
    scopes: token.scopes,
    tokenType: token.tokenType,
    expiresAt: expiresAt || null,
    refreshExpiresAt: refreshExpiresAt || null,
    hasRefreshToken: Boolean(token.refreshToken),
    tokenShape: record.tokenShape,
    redirectUri,
    sandbox: resolved.sandbox || null,
    keyProvider: saved.keyProvider,
  };
}

/**
 * auth: runs the interactive flow for `platformId`. Options: `sandbox` (base URL), `redirect`
 * (pinned redirect URI), `listen` ('all' | 'loopback', https only), `timeoutMs`, `account`,
 * `scopes`, `signal` (AbortSignal), `configPath`, `storeOptions`, and `onAuthorize(ctx)`: called
 * once the callback is bound, with `{ url, redirectUri, port, tls, pasteOnly, boundAddresses,
 * skippedPorts, certPem, expiresAt, offer(text), platform }` — print `url`, open a browser, wire a
 * paste to `offer`. Resolves to the stored account's summary (never a token).
 */
async function auth(platformId, options = {}) {
  const resolved = await platforms.resolve(platformId, options);
  const { record, clientId } = resolved;
  if (options.redirect) checkRedirect(record, options.redirect);
  const configuredRedirect =
    record.redirectKind === 'pinned' && !resolved.sandbox
      ? await config.get(`platforms.${record.id}.redirect_uri`, options.configPath ? { path: options.configPath } : {})
      : undefined;
  const pair = record.pkce ? pkce.create({ method: record.pkce }) : null;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = await capture.start({
    ...captureOptions(record, { redirect: options.redirect, configuredRedirect: typeof configuredRedirect === 'string' ? configuredRedirect : '' }),
    listen: record.redirectKind === 'https-range' ? options.listen || 'all' : undefined,
    timeoutMs,
    signal: options.signal,
    appName: `keryx: ${record.displayName}`,
  });
  try {
    await pending.save(record.id, { state: cap.state, verifier: pair && pair.verifier, redirectUri: cap.redirectUri }, options.storeOptions || {});
    const url = callNative(() =>
      load().authorizeUrl(record, {
        clientId,
        redirectUri: cap.redirectUri,
        state: cap.state,
        codeChallenge: pair ? pair.challenge : '',
        scopes: options.scopes,
      }),
    );
    if (options.onAuthorize) {
      await options.onAuthorize({
        url,
        platform: record.id,
        displayName: record.displayName,
        redirectUri: cap.redirectUri,
        port: cap.port,
        tls: cap.tls,
        pasteOnly: cap.pasteOnly,
        boundAddresses: cap.boundAddresses,
        skippedPorts: cap.skippedPorts,
        certPem: cap.certPem,
        expiresAt: Date.now() + timeoutMs,
        offer: (text) => cap.offer(text),
        cancel: () => cap.cancel(),
      });
    }
    const result = await cap.result;
    await cap.close();
    const summary = await exchangeAndStore(resolved, {
      code: result.code,
      verifier: pair && pair.verifier,
      redirectUri: cap.redirectUri,
      options,
    });
    return { ...summary, source: result.source };
  } finally {
    await cap.close();
  }
}

/**
 * authWithCode: finishes an authorization from `text` (a code, or the redirected URL). It uses the
 * pending authorization the last interactive run left in the vault (its state, verifier and
 * redirect). Options as auth(), plus `redirect`: must equal the pending one; for a platform without
 * PKCE it is enough on its own. Errors: pending_auth_missing (re-run keryx auth), state_mismatch,
 * platform_rejected, paste_invalid, missing_code.
 */
async function authWithCode(platformId, text, options = {}) {
  const resolved = await platforms.resolve(platformId, options);
  const { record } = resolved;
  if (typeof text !== 'string') throw new KeryxError(codes.INVALID_ARGUMENT, 'the code must be a string');
  if (options.redirect) checkRedirect(record, options.redirect);
  const live = await pending.load(record.id, options.storeOptions || {});
  const rerun = `re-run: keryx auth ${record.id}${resolved.sandbox ? ' --sandbox' : ''}`;
  let redirectUri;
  let verifier = '';
  let expectedState = '';
  if (live && (!options.redirect || options.redirect === live.redirectUri)) {
    redirectUri = live.redirectUri;
    verifier = live.verifier;
    expectedState = live.state;
  } else if (options.redirect && !record.pkce) {
    redirectUri = options.redirect;
  } else if (live && options.redirect) {
    throw new KeryxError(codes.PENDING_AUTH_MISSING, `the pending ${record.displayName} authorization used another redirect URI than --redirect (${rerun})`);
  } else {
    throw new KeryxError(
      codes.PENDING_AUTH_MISSING,
      `no pending ${record.displayName} authorization to finish (none was started, or it is older than 10 minutes); ${rerun}` +
        (record.pkce ? '' : ', or pass the --redirect the code was issued for'),
    );
  }
  // The same rules as a paste during the interactive run (the core's judge_paste): a bare code
  // (percent-decoded), a query or a full URL, its state checked against the pending one.
  let pasted;
  try {
    pasted = callNative(() => load().judgePaste(text, expectedState));
  } catch (err) {
    if (err.code === codes.STATE_MISMATCH) err.message += ` (${rerun})`;
    throw err;
  }
  if (pasted.error) {
    throw new KeryxError(codes.PLATFORM_REJECTED, `${record.displayName} returned ${pasted.error}${pasted.description ? ` (${pasted.description})` : ''}`);
  }
  const summary = await exchangeAndStore(resolved, { code: pasted.code, verifier, redirectUri, options });
  return { ...summary, source: 'code' };
}

module.exports = { auth, authWithCode, checkRedirect, DEFAULT_TIMEOUT_MS };
