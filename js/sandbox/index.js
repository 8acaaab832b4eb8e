'use strict';
// keryx sandbox: a local emulator of the OAuth servers of Instagram, Google (YouTube), TikTok
// and LinkedIn, for tests and demos. It is written against Node's own modules only and shares
// no code with keryx's native core, so a bug in one cannot hide the same bug in the other.
//
//   const { startSandbox } = require('keryx/js/sandbox');
//   const sandbox = await startSandbox({ autoApprove: true });
//   // authorize at `${sandbox.url}/google/o/oauth2/v2/auth?...`, exchange at `${sandbox.url}/google/token`
//   await sandbox.close();
//
// See docs/sandbox.md for endpoints, credentials, knobs and what is (not) emulated.
const { SANDBOX_APPS, PLATFORMS } = require('./apps');
const { SANDBOX_USERS, resolveUserId } = require('./users');
const { DEFAULT_KNOBS, PLATFORM_DEFAULTS, KnobError, defaultKnobs, applyKnobs } = require('./knobs');
const { createClock } = require('./clock');
const { SandboxStore } = require('./store');
const { createAuthorization } = require('./authorize');
const { createControl } = require('./control');
const { createSandboxServer } = require('./server');
const { createInstagram } = require('./platforms/instagram');
const { createGoogle } = require('./platforms/google');
const { createTikTok } = require('./platforms/tiktok');
const { createLinkedIn } = require('./platforms/linkedin');

// The token kinds that count as access tokens, and the kind that renews a grant, per platform.
// Instagram has no refresh token: the long-lived access token refreshes itself.
const ACCESS_KINDS = Object.freeze(['access', 'short', 'long']);
const RENEWING_KIND = Object.freeze({ instagram: 'long', google: 'refresh', tiktok: 'refresh', linkedin: 'refresh' });

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function baseUrl(address) {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * startSandbox: starts one http server emulating all four platforms and resolves once it listens.
 *   port         0 (default) picks a free port
 *   host         '127.0.0.1' by default; keep the sandbox on loopback
 *   autoApprove  skip the consent page and redirect with a code at once (also a knob)
 *   knobs        initial knobs (see DEFAULT_KNOBS and docs/sandbox.md)
 * Resolves to the Sandbox object described in docs/sandbox.md.
 */
async function startSandbox({ port = 0, host = '127.0.0.1', autoApprove = false, knobs: initialKnobs = {} } = {}) {
  const knobs = defaultKnobs();
  applyKnobs(knobs, initialKnobs);
  if (autoApprove) knobs.autoApprove = true;
  const startingKnobs = structuredClone(knobs);

  const clock = createClock(knobs);
  const store = new SandboxStore(clock);
  const requests = [];
  const env = { knobs, clock, store };
  env.authorization = createAuthorization(env);
  const platforms = {
    instagram: createInstagram(env),
    google: createGoogle(env),
    tiktok: createTikTok(env),
    linkedin: createLinkedIn(env),
  };

  /** resetKnobs: every knob back to what the sandbox started with (clock offset included). */
  function resetKnobs() {
    for (const name of Object.keys(knobs)) delete knobs[name];
    Object.assign(knobs, structuredClone(startingKnobs));
    return knobs;
  }

  const control = createControl({ knobs, clock, requests, resetKnobs });
  const server = createSandboxServer({ platforms, control, authorization: env.authorization, knobs, clock, requests });
  await listen(server, port, host);
  const address = server.address();

  let closing = null;
  function close() {
    if (!closing) {
      closing = new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    return closing;
  }

  const tokens = {
    /** isValid: whether `accessToken` would be accepted by `platform`'s APIs right now. */
    isValid(platform, accessToken) {
      return store.liveToken(platform, accessToken, ACCESS_KINDS) !== null;
    },
    /** currentRefreshToken: the live refresh credential of the user's newest grant, or null. */
    currentRefreshToken(platform, userId) {
      const id = resolveUserId(platform, String(userId));
      if (!id || !RENEWING_KIND[platform]) return null;
      const record = store.newestLiveToken(platform, id, [RENEWING_KIND[platform]]);
      return record ? record.value : null;
    },
  };

  return {
    url: baseUrl(address),
    port: address.port,
    close,
    knobs,
    setKnobs: (partial) => applyKnobs(knobs, partial),
    resetKnobs,
    clock: { now: () => clock.now(), advance: (seconds) => clock.advance(seconds) },
    requests,
    tokens,
    users: SANDBOX_USERS,
    apps: SANDBOX_APPS,
  };
}

module.exports = {
  startSandbox,
  SANDBOX_APPS,
  SANDBOX_USERS,
  PLATFORMS,
  DEFAULT_KNOBS,
  PLATFORM_DEFAULTS,
  KnobError,
};
