'use strict';
// directory.js: every user the sandbox knows, per platform: the fixed one of users.js plus the
// ones seeding made up. Grants are filed under a user's `id`; any of the user's identifiers
// (user_id, sub, channel id, open_id, username, ...) finds it again. The APIs answer with the
// profile of the user who owns the token's grant.
const { SANDBOX_USERS, ID_FIELDS } = require('./users');
const { PLATFORMS } = require('./apps');
const { makeSeededUser, isPrimaryIdShape } = require('./seeded_users');

function createDirectory() {
  const users = new Map(); // platform -> Map(id -> user)
  const aliases = new Map(); // platform -> Map(any identifier -> id)
  const serials = new Map(); // platform -> last serial handed out

  function add(platform, user) {
    users.get(platform).set(user.id, user);
    for (const field of ID_FIELDS) if (typeof user[field] === 'string') aliases.get(platform).set(user[field], user.id);
    return user;
  }

  for (const platform of PLATFORMS) {
    users.set(platform, new Map());
    aliases.set(platform, new Map());
    serials.set(platform, 0);
    add(platform, SANDBOX_USERS[platform]);
  }

  /** resolve: the id of `platform`'s user known by `anyId`, or null. */
  function resolve(platform, anyId) {
    const table = aliases.get(platform);
    return table && typeof anyId === 'string' ? table.get(anyId) || null : null;
  }

  /** get: the user filed under `id` (the fixed user when unknown, as every grant has an owner). */
  function get(platform, id) {
    return users.get(platform).get(id) || SANDBOX_USERS[platform];
  }

  /** isFreeId: whether `id` could become a new user's primary id (right shape, not taken). */
  function isFreeId(platform, id) {
    return isPrimaryIdShape(platform, id) && !aliases.get(platform).has(id);
  }

  /**
   * create: a new user with the next serial; `primary` (checked with isFreeId by the caller) as
   * its primary id when given. Serials that would clash with a taken identifier are skipped.
   */
  function create(platform, primary = null) {
    const table = aliases.get(platform);
    if (primary !== null && !isFreeId(platform, primary)) throw new TypeError(`${platform} user id not usable: taken or malformed`);
    for (;;) {
      const serial = serials.get(platform) + 1;
      serials.set(platform, serial);
      const user = makeSeededUser(platform, serial, primary);
      if (ID_FIELDS.every((field) => typeof user[field] !== 'string' || !table.has(user[field]))) return add(platform, user);
    }
  }

  return { resolve, get, isFreeId, create };
}

module.exports = { createDirectory };
