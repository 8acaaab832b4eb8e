'use strict';
// seed.js: accounts without a browser, for benchmarks and lifecycle tests. Each seeded account is
// a grant to the sandbox app holding the same tokens a completed authorization would have left
// (the platform module mints them with its own issuing code, so lifetimes follow the knobs and
// the sandbox clock):
//   instagram  a long-lived token, as after the long-lived exchange (it renews itself: no refresh token)
//   google     an access token and a non-rotating refresh token (7 days with googleTestingMode)
//   tiktok     an access token and a rotating refresh token
//   linkedin   an access token, plus a refresh token when the linkedinRefresh knob is on
// The account is what keryx would file the token under: Instagram user_id, the YouTube channel
// id (keryx's "default" with googleNoChannel), TikTok open_id, LinkedIn sub.
//
// Without `userIds`, every account belongs to a new made-up user (seeded_users.js). With them,
// each id names the account's user: a known one (the fixed user, or one seeded before; any of
// its ids) gets a further grant, an unknown one becomes a new user with that primary id.
// The grantScopes knob does not apply: `scopes` is what the account was granted.
const { PLATFORMS, SANDBOX_APPS } = require('./apps');
const { SandboxUsageError, describeId } = require('./usage_error');

const MAX_SEED_COUNT = 5000;
const OPTION_NAMES = Object.freeze(['count', 'scopes', 'userIds']);

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function createSeeder({ store, clock, directory, platforms }) {
  function checkOptions(platform, options) {
    if (!PLATFORMS.includes(platform)) throw new SandboxUsageError(`unknown platform ${describeId(platform)}; one of ${PLATFORMS.join(', ')}`);
    if (!isPlainObject(options)) throw new SandboxUsageError('seed options must be an object');
    const unknown = Object.keys(options).find((name) => !OPTION_NAMES.includes(name) && options[name] !== undefined);
    if (unknown) throw new SandboxUsageError(`unknown seed option ${describeId(unknown)}; use ${OPTION_NAMES.join(', ')}`);
    const { userIds = null, scopes = null } = options;
    if (userIds !== null && !(Array.isArray(userIds) && userIds.length > 0 && userIds.every((id) => typeof id === 'string' && id !== ''))) {
      throw new SandboxUsageError('userIds must be a non-empty array of user id strings');
    }
    const count = options.count === undefined || options.count === null ? (userIds ? userIds.length : 1) : options.count;
    if (!Number.isInteger(count) || count < 1 || count > MAX_SEED_COUNT) {
      throw new SandboxUsageError(`count must be an integer from 1 to ${MAX_SEED_COUNT}`);
    }
    if (userIds && userIds.length !== count) throw new SandboxUsageError('count and userIds.length differ');
    if (scopes !== null && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))) {
      throw new SandboxUsageError('scopes must be an array of scope strings');
    }
    const granted = scopes === null ? platforms[platform].defaultScopes.slice() : [...new Set(scopes)];
    const problem = platforms[platform].scopeProblem(granted);
    if (problem) throw new SandboxUsageError(`${platform} scopes: ${problem}`);
    return { count, userIds, scopes: granted };
  }

  // Every named user is checked before the first account is made, so a bad id changes nothing.
  function ownersFor(platform, count, userIds) {
    if (!userIds) return Array.from({ length: count }, () => null);
    const fresh = new Set();
    return userIds.map((wanted) => {
      const known = directory.resolve(platform, wanted);
      if (known) return known;
      if (!fresh.has(wanted) && !directory.isFreeId(platform, wanted)) {
        throw new SandboxUsageError(`userIds: ${describeId(wanted)} is not a ${platform} user and not usable as a new one's id`);
      }
      fresh.add(wanted);
      return { create: wanted };
    });
  }

  /**
   * seed: makes `count` accounts of `platform` and returns { accounts: [{ userId, accountId,
   * accessToken, refreshToken, expiresIn, refreshExpiresIn, scopes, obtainedAt }] }
   * (refreshToken / refreshExpiresIn null when there is none or it never expires; obtainedAt in
   * Unix seconds of the sandbox clock). Throws SandboxUsageError on bad options.
   */
  function seed(platform, options = {}) {
    const { count, userIds, scopes } = checkOptions(platform, options);
    const owners = ownersFor(platform, count, userIds);
    const app = SANDBOX_APPS[platform];
    const created = new Map(); // a new id named twice in one call is one user with two grants
    const accounts = owners.map((owner) => {
      let userId;
      if (owner === null) userId = directory.create(platform).id;
      else if (typeof owner === 'string') userId = owner;
      else {
        if (!created.has(owner.create)) created.set(owner.create, directory.create(platform, owner.create).id);
        userId = created.get(owner.create);
      }
      store.recordConsent(platform, app.clientId, userId, scopes);
      const grant = store.openGrant({ platform, clientId: app.clientId, userId, scopes, details: { seeded: true } });
      const minted = platforms[platform].seedTokens(grant, directory.get(platform, userId));
      return {
        userId,
        accountId: minted.accountId,
        accessToken: minted.accessToken,
        refreshToken: minted.refreshToken,
        expiresIn: minted.expiresIn,
        refreshExpiresIn: minted.refreshExpiresIn,
        scopes: scopes.slice(),
        obtainedAt: Math.floor(clock.now() / 1000),
      };
    });
    return { accounts };
  }

  return { seed };
}

module.exports = { createSeeder, MAX_SEED_COUNT };
