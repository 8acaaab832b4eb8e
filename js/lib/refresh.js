'use strict';
// refresh.js: keryx.refresh(platform), one refresh now of a stored account, whatever its expiry:
// the core's transaction with purpose 'force' (account lock, in-flight marker for rotating tokens,
// persisted before it resolves). Events are raised as for any refresh (events.js).
const { KeryxError, codes } = require('./errors');
const { emit, emitFailure } = require('./events');
const lifecycle = require('./lifecycle');

/**
 * refreshStored: refreshes `platform`'s stored account (`account`, default the platform default).
 * Resolves `{ platform, account, expiresAt, rotated }` (never a token). Errors: not_found,
 * token_expired (nothing to refresh with), refresh_too_early (Instagram under 24 h),
 * token_revoked / rotation_lost (the account is marked for re-auth), holder_mismatch, network errors.
 */
async function refreshStored(platform, options = {}) {
  let r;
  let row;
  try {
    row = await lifecycle.listed(platform, options.account ? String(options.account) : '', options.storeOptions || {});
    r = await lifecycle.run(platform, { ...options, listed: row, purpose: 'force' });
  } catch (err) {
    if (err.code !== codes.REFRESH_TOO_EARLY) emitFailure(platform, row ? row.account : options.account, err);
    throw err;
  }
  if (!r.refreshed) {
    const until = r.record.expiresAt ? ` before ${new Date(r.record.expiresAt * 1000).toISOString()}` : '';
    throw new KeryxError(codes.TOKEN_EXPIRED, `${r.platformRecord.displayName} account ${r.account} has no refresh token (the platform issued none); re-run: keryx auth ${platform}${until}`);
  }
  emit('token.refreshed', { platform, account: r.account, expiresAt: r.record.expiresAt, reason: r.decision.reason, rotated: r.rotated });
  return { platform, account: r.account, expiresAt: r.record.expiresAt || null, rotated: r.rotated };
}

module.exports = { refreshStored };
