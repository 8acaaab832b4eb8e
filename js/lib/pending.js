'use strict';
// pending.js: the authorization a `keryx auth` run has started but not finished: its state, PKCE
// verifier and redirect URI, kept encrypted in the vault for as long as a code may live (10
// minutes), so `keryx auth <platform> --code <code|url>` can finish it after the first run was
// interrupted. Stored as an internal vault record that list() and status never show.
const store = require('./store');

const PENDING_PLATFORM = 'keryx-pending';
const PENDING_TTL_SECONDS = 10 * 60;

const now = () => Math.floor(Date.now() / 1000);

/** save: records the pending authorization of `platform` (replacing an older one). */
async function save(platform, { state, verifier, redirectUri }, options = {}) {
  const secret = JSON.stringify({ state: state || '', verifier: verifier || '' });
  await store.put(
    {
      platform: PENDING_PLATFORM,
      account: platform,
      accessToken: secret,
      expiresAt: now() + PENDING_TTL_SECONDS,
      isDefault: false,
      metadata: { redirect_uri: redirectUri },
    },
    options,
  );
}

/** load: `{ state, verifier, redirectUri, expiresAt }` for `platform`, or null when none is live. */
async function load(platform, options = {}) {
  let record;
  try {
    record = await store.get(PENDING_PLATFORM, { account: platform, ...options });
  } catch (err) {
    if (err.code === 'not_found') return null;
    throw err;
  }
  if (!record.expiresAt || record.expiresAt <= now()) return null;
  let parsed;
  try {
    parsed = JSON.parse(record.accessToken);
  } catch {
    return null;
  }
  return { state: parsed.state, verifier: parsed.verifier, redirectUri: record.metadata?.redirect_uri || '', expiresAt: record.expiresAt };
}

/** clear: forgets the pending authorization of `platform` (no error when there is none). */
async function clear(platform, options = {}) {
  try {
    await store.delete(PENDING_PLATFORM, { account: platform, ...options });
  } catch (err) {
    if (err.code !== 'not_found') throw err;
  }
}

module.exports = { save, load, clear, PENDING_PLATFORM, PENDING_TTL_SECONDS };
