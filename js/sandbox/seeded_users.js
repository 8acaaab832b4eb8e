'use strict';
// seeded_users.js: made-up users for seeded accounts (benchmarks, lifecycle tests). Each gets
// the same fields as the fixed user of its platform (users.js), built from a serial number, so
// the APIs can answer for it exactly as they answer for the fixed one. Serial n gives ids that
// differ from the fixed user's and from every other serial's.
//
// A caller may also name the user's primary id (Instagram user_id, Google sub, TikTok open_id,
// LinkedIn sub); the other ids are still derived from the serial. Named ids must look like the
// platform's own, since some are written into JSON unquoted (Instagram's user_id).

const PRIMARY_ID_SHAPES = Object.freeze({
  instagram: /^[1-9]\d{0,19}$/, // a raw integer literal in the token response
  google: /^[1-9]\d{0,29}$/,
  tiktok: /^[A-Za-z0-9._-]{1,64}$/,
  linkedin: /^[A-Za-z0-9_-]{1,64}$/,
});

const pad = (n, width) => String(n).padStart(width, '0');

const MAKERS = Object.freeze({
  instagram(n, primary) {
    // Above 2^53 like the fixed user, so a client that parses user_id as a double is caught.
    const userId = primary || (17841400000000000n + BigInt(n)).toString();
    return {
      id: userId,
      userId,
      username: `sandbox_seed_${n}`,
      appScopedId: (7209158800000000n + BigInt(n)).toString(),
      name: `Seeded Creator ${n}`,
      accountType: 'BUSINESS',
      profilePictureUrl: `https://sandbox.invalid/instagram/sandbox_seed_${n}.jpg`,
    };
  },
  google(n, primary) {
    const sub = primary || `2000000000000${pad(n, 8)}`;
    return {
      id: sub,
      sub,
      channelId: `UCseed${pad(n, 18)}`,
      channelTitle: `Seeded Channel ${n}`,
      customUrl: `@seededchannel${n}`,
      name: `Seeded Channel ${n}`,
      email: `seed.${n}@example.com`,
    };
  },
  tiktok(n, primary) {
    const openId = primary || `sandbox-seed-open-id-${pad(n, 6)}`;
    return {
      id: openId,
      openId,
      unionId: `sandbox-seed-union-id-${pad(n, 6)}`,
      displayName: `Seeded Creator ${n}`,
      avatarUrl: `https://sandbox.invalid/tiktok/seed-${n}.jpg`,
    };
  },
  linkedin(n, primary) {
    const sub = primary || `sandboxSeed${pad(n, 6)}`;
    return {
      id: sub,
      sub,
      name: `Seeded Member ${n}`,
      givenName: 'Seeded',
      familyName: `Member ${n}`,
      email: `seed.member.${n}@example.com`,
      locale: 'en_US',
      picture: `https://sandbox.invalid/linkedin/seed-${n}.jpg`,
    };
  },
});

/** isPrimaryIdShape: whether `id` may be used as a new user's primary id on `platform`. */
function isPrimaryIdShape(platform, id) {
  const shape = PRIMARY_ID_SHAPES[platform];
  return Boolean(shape) && typeof id === 'string' && shape.test(id);
}

/** makeSeededUser: the user with serial `n` (primary id `primary` when given), frozen. */
function makeSeededUser(platform, n, primary = null) {
  return Object.freeze({ ...MAKERS[platform](n, primary), seeded: true });
}

module.exports = { makeSeededUser, isPrimaryIdShape };
