'use strict';
// refresh_state.js: where a user's refresh credential stands, for tests that hold a stored copy
// and need to know whether it is still the live one (rotation, crash recovery). The credential is
// never handed out over HTTP: only its SHA-256 (hex), which a test compares with the hash of what
// it stored. In process, `tokens.currentRefreshToken` gives the value itself.
//
// The renewing credential is the refresh token, except on Instagram, where the long-lived access
// token renews itself. `refreshes` counts the user's successful refreshes and `rotations` those
// that replaced the credential (every TikTok and Instagram refresh; never on Google or LinkedIn,
// whose refresh tokens stay the same), across all the user's grants, since the sandbox started.
const crypto = require('node:crypto');
const { PLATFORMS } = require('./apps');
const { SandboxUsageError, describeId } = require('./usage_error');

const RENEWING_KIND = Object.freeze({ instagram: 'long', google: 'refresh', tiktok: 'refresh', linkedin: 'refresh' });

function sha256Hex(text) {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function createRefreshState({ store, directory }) {
  /** userOf: the user's id, or null when the platform or the user is unknown. */
  function userOf(platform, userId) {
    if (!PLATFORMS.includes(platform) || userId === null || userId === undefined) return null;
    return directory.resolve(platform, String(userId));
  }

  /** currentRefreshToken: the live renewing credential of the user's newest grant, or null. */
  function currentRefreshToken(platform, userId) {
    const id = userOf(platform, userId);
    if (!id) return null;
    const record = store.newestLiveToken(platform, id, [RENEWING_KIND[platform]]);
    return record ? record.value : null;
  }

  /** counts: { refreshes, rotations } over all the user's grants (zeros for an unknown user). */
  function counts(platform, userId) {
    const id = userOf(platform, userId);
    const total = { refreshes: 0, rotations: 0 };
    if (!id) return total;
    for (const grant of store.grantsOf(platform, id)) {
      total.refreshes += grant.refreshes;
      total.rotations += grant.rotations;
    }
    return total;
  }

  /**
   * refreshState: { userId, currentRefreshSha256, rotations, refreshes } (userId: the id grants
   * are filed under). Throws SandboxUsageError for an unknown platform (400) or user (404).
   */
  function refreshState(platform, userId) {
    if (!PLATFORMS.includes(platform)) throw new SandboxUsageError(`unknown platform ${describeId(platform)}; one of ${PLATFORMS.join(', ')}`);
    if (userId === null || userId === undefined || userId === '') throw new SandboxUsageError('userId is required');
    const id = userOf(platform, userId);
    if (!id) throw new SandboxUsageError(`no ${platform} user ${describeId(userId)} in the sandbox`, 404);
    const current = currentRefreshToken(platform, id);
    const { refreshes, rotations } = counts(platform, id);
    return { userId: id, currentRefreshSha256: current === null ? null : sha256Hex(current), rotations, refreshes };
  }

  return { currentRefreshToken, counts, refreshState };
}

module.exports = { createRefreshState, RENEWING_KIND, sha256Hex };
