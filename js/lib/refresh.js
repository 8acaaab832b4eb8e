'use strict';
// refresh.js: one refresh of a stored account: the platform's refresh grant (Instagram: its
// ig_refresh_token call), and the result written back to the vault before it is returned, keeping
// the previous refresh token when the platform did not rotate it. The token lifecycle (when to
// refresh, locking across processes, events) builds on this.
const { load } = require('./native');
const { KeryxError, codes, awaitNative } = require('./errors');
const platforms = require('./platforms');
const store = require('./store');

/**
 * refreshStored: refreshes `platform`'s stored account (`account`, default the platform default).
 * Resolves `{ platform, account, expiresAt, rotated }` (never a token). Errors: not_found,
 * token_expired (nothing to refresh with), platform_rejected (e.g. invalid_grant), network errors.
 */
async function refreshStored(platform, { account = '', storeOptions = {}, timeoutMs = 30000, ...options } = {}) {
  const record = await store.get(platform, { account, ...storeOptions });
  const resolved = await platforms.resolve(platform, { sandbox: record.metadata?.sandbox || undefined, ...options });
  const { record: rec, clientId, clientSecret } = resolved;
  const credential = rec.endpoints.refreshUrl ? record.accessToken : record.refreshToken;
  if (!credential) {
    throw new KeryxError(codes.TOKEN_EXPIRED, `${rec.displayName} account ${record.account} has no refresh token; re-run: keryx auth ${platform}`);
  }
  const started = Math.floor(Date.now() / 1000);
  const token = await awaitNative(load().oauthRefresh(rec, { clientId, clientSecret, refreshToken: credential, timeoutMs }));
  const rotated = Boolean(token.refreshToken) && token.refreshToken !== record.refreshToken;
  const updated = {
    ...record,
    accessToken: token.accessToken,
    refreshToken: token.refreshToken || record.refreshToken || undefined,
    tokenType: token.tokenType || record.tokenType,
    scopes: token.scopesReported ? token.scopes : record.scopes,
    obtainedAt: started,
    expiresAt: token.expiresIn != null ? started + token.expiresIn : 0,
    refreshExpiresAt: token.refreshExpiresIn != null ? started + token.refreshExpiresIn : record.refreshExpiresAt,
  };
  delete updated.source;
  delete updated.keyProvider;
  await store.put(updated, storeOptions);
  return { platform, account: record.account, expiresAt: updated.expiresAt || null, rotated };
}

module.exports = { refreshStored };
