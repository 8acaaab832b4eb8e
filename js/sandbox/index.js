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
// For token-lifecycle tests it can also skip the browser and act as the platform would on its own:
//   sandbox.seed('tiktok', { count: 1000 })     accounts holding fresh tokens (seed.js)
//   sandbox.revokeUser('google', userId)        the user removes the app (revocation.js)
//   sandbox.tokens.refreshState('tiktok', id)   the live refresh token's hash and rotation count
//   knobs.refreshDelayMs                        refresh answers held back after they are committed
// and each of these has a control endpoint for tests in another process (control.js).
//
// See docs/sandbox.md for endpoints, credentials, knobs and what is (not) emulated.
const { SANDBOX_APPS, PLATFORMS } = require('./apps');
const { SANDBOX_USERS } = require('./users');
const { DEFAULT_KNOBS, PLATFORM_DEFAULTS, KnobError, defaultKnobs, applyKnobs } = require('./knobs');
const { createClock } = require('./clock');
const { SandboxStore } = require('./store');
const { createDirectory } = require('./directory');
const { RequestLog } = require('./request_log');
const { createAuthorization } = require('./authorize');
const { createSeeder, MAX_SEED_COUNT } = require('./seed');
const { createRevocation } = require('./revocation');
const { createRefreshState } = require('./refresh_state');
const { SandboxUsageError } = require('./usage_error');
const { createControl } = require('./control');
const { createSandboxServer } = require('./server');
const { createInstagram } = require('./platforms/instagram');
const { createGoogle } = require('./platforms/google');
const { createTikTok } = require('./platforms/tiktok');
const { createLinkedIn } = require('./platforms/linkedin');

// The token kinds that count as access tokens (Instagram's short- and long-lived included).
const ACCESS_KINDS = Object.freeze(['access', 'short', 'long']);

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
  const directory = createDirectory();
  const log = new RequestLog();
  const env = { knobs, clock, store, directory };
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

  const seeder = createSeeder({ store, clock, directory, platforms });
  const revocation = createRevocation({ store, directory });
  const refreshState = createRefreshState({ store, directory });
  const control = createControl({ knobs, clock, log, resetKnobs, seeder, revocation, refreshState });
  const server = createSandboxServer({ platforms, control, authorization: env.authorization, knobs, clock, log });
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
    currentRefreshToken: (platform, userId) => refreshState.currentRefreshToken(platform, userId),
    /** rotations: how many refreshes replaced the user's refresh credential (0 for unknown users). */
    rotations: (platform, userId) => refreshState.counts(platform, userId).rotations,
    /** refreshes: how many refreshes of the user's grants succeeded (0 for unknown users). */
    refreshes: (platform, userId) => refreshState.counts(platform, userId).refreshes,
    /** refreshState: what GET /sandbox/refresh-state answers (throws SandboxUsageError if unknown). */
    refreshState: (platform, userId) => refreshState.refreshState(platform, userId),
  };

  return {
    url: baseUrl(address),
    port: address.port,
    close,
    knobs,
    setKnobs: (partial) => applyKnobs(knobs, partial),
    resetKnobs,
    clock: { now: () => clock.now(), advance: (seconds) => clock.advance(seconds) },
    requests: log.entries,
    requestSummary: () => log.summary(),
    tokens,
    seed: (platform, options) => seeder.seed(platform, options),
    revokeUser: (platform, userId) => revocation.revokeUser(platform, userId),
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
  SandboxUsageError,
  MAX_SEED_COUNT,
};
