'use strict';
// revocation.js: revocation on the platform's side: the user removes the app in the platform's
// settings (or the platform pulls the grant). Every grant of the user dies with all its tokens,
// so refresh answers the platform's dead-grant error and the APIs their revoked-token error, and
// the user's consent is forgotten, so the next authorization is a first one again (Google then
// hands out a refresh token without prompt=consent). Grants revoked this way are marked
// revokedBy 'user'; Instagram tells those apart (subcode 458, "has not authorized application").
const { PLATFORMS, SANDBOX_APPS } = require('./apps');
const { SandboxUsageError, describeId } = require('./usage_error');

function createRevocation({ store, directory }) {
  /**
   * revokeUser: revokes every live grant of `platform`'s user `userId` (any of the user's ids),
   * or of every user of the platform when `userId` is null or undefined. Returns
   * { revokedGrants: n }, n counting grants that were still live.
   */
  function revokeUser(platform, userId = null) {
    if (!PLATFORMS.includes(platform)) throw new SandboxUsageError(`unknown platform ${describeId(platform)}; one of ${PLATFORMS.join(', ')}`);
    let ids;
    if (userId === null || userId === undefined) {
      ids = store.usersOf(platform);
    } else {
      const id = directory.resolve(platform, String(userId));
      if (!id) throw new SandboxUsageError(`no ${platform} user ${describeId(userId)} in the sandbox`, 404);
      ids = [id];
    }
    let revokedGrants = 0;
    for (const id of ids) {
      for (const grant of store.grantsOf(platform, id)) {
        if (grant.revoked) continue;
        store.revokeGrant(grant.id, 'user');
        revokedGrants += 1;
      }
      store.forgetConsent(platform, SANDBOX_APPS[platform].clientId, id);
    }
    return { revokedGrants };
  }

  return { revokeUser };
}

module.exports = { createRevocation };
