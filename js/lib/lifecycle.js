'use strict';
// lifecycle.js: one stored account through the core's refresh transaction (native/src/token_refresh.h:
// account lock, re-read, in-flight marker, persist before return). This file only gathers what the
// core needs: the platform record and client credentials (platforms.js), the lifecycle policy from
// config, and the clock (the sandbox's own clock for sandbox accounts, so tests can move time).
//
// Policy keys (config `lifecycle.<key>`, per platform `platforms.<p>.lifecycle.<key>`, or options):
//   skewSeconds (300), minRefreshAgeSeconds (86400), alertBeforeSeconds (604800),
//   longLivedRefreshFraction (0.5), mintOnUse (true: each use of a rotating token mints a new one)
const { load } = require('./native');
const { KeryxError, codes, awaitNative } = require('./errors');
const platforms = require('./platforms');
const store = require('./store');
const config = require('./config');

const POLICY_KEYS = Object.freeze({
  skewSeconds: 'number',
  minRefreshAgeSeconds: 'number',
  alertBeforeSeconds: 'number',
  longLivedRefreshFraction: 'number',
  mintOnUse: 'boolean',
});

function pickPolicy(source, where) {
  const out = {};
  if (source === undefined || source === null) return out;
  if (typeof source !== 'object' || Array.isArray(source)) throw new KeryxError(codes.CONFIG_INVALID, `${where} must be an object`);
  for (const [key, value] of Object.entries(source)) {
    if (!(key in POLICY_KEYS)) continue;  // unknown keys are kept in the file, not used
    if (typeof value !== POLICY_KEYS[key]) throw new KeryxError(codes.CONFIG_INVALID, `${where}.${key} must be a ${POLICY_KEYS[key]}`);
    out[key] = value;
  }
  return out;
}

/** policyFor: config `lifecycle`, then `platforms.<p>.lifecycle`, then `overrides`. */
async function policyFor(platform, overrides = {}, configOptions = {}) {
  const general = pickPolicy(await config.get('lifecycle', configOptions), 'lifecycle');
  const specific = pickPolicy(await config.get(`platforms.${platform}.lifecycle`, configOptions), `platforms.${platform}.lifecycle`);
  return { ...general, ...specific, ...pickPolicy(overrides, 'policy') };
}

/** sandboxNow: the clock of the sandbox at `url`, in Unix seconds. */
async function sandboxNow(url) {
  let res;
  try {
    res = await fetch(new URL('/sandbox/clock', url), { signal: AbortSignal.timeout(5000) });
  } catch (err) {
    const why = err.cause ? err.cause.code || err.cause.message : err.message;
    throw new KeryxError(codes.NETWORK_ERROR, `the sandbox at ${url} that issued this account cannot be reached (${why}); is it still running?`);
  }
  if (!res.ok) throw new KeryxError(codes.HTTP_STATUS, `the sandbox at ${url} answered ${res.status} for its clock`);
  const { now } = await res.json();  // milliseconds, like Date.now()
  return Math.floor(now / 1000);
}

/** listed: the stored record (without tokens) for `platform` / `account` (default account when ''). */
async function listed(platform, account, storeOptions) {
  const mine = (await store.list(storeOptions)).filter((r) => r.platform === platform);
  const found = account ? mine.find((r) => r.account === account) : mine.find((r) => r.isDefault) || mine[0];
  if (!found) {
    throw new KeryxError(codes.NOT_FOUND, `no stored ${platform} account${account ? ` ${account}` : ''}; run: keryx auth ${platform}`);
  }
  return found;
}

/** clockFor: `now` as given (number or function), else the record's sandbox clock, else the system clock. */
async function clockFor(now, sandbox) {
  if (typeof now === 'function') return Math.floor(await now());
  if (typeof now === 'number') return Math.floor(now);
  if (sandbox) return sandboxNow(sandbox);
  return Math.floor(Date.now() / 1000);
}

/**
 * run: `purpose` ('use' | 'maintain' | 'force') for one account. Resolves `{ platform, account,
 * record (with tokens), decision, refreshed, rotated, persisted, persistError, recovered, retried,
 * waited, now, platformRecord }`; rejects with the core's codes (token_revoked, rotation_lost,
 * token_expired, holder_mismatch, refresh_too_early, network errors, ...).
 */
async function run(platform, options = {}) {
  const { account = '', purpose = 'use', now, policy, takeOver = false, storeOptions = {}, timeoutMs = 30000, lockTimeoutMs, env = process.env, configPath } = options;
  const row = options.listed || (await listed(platform, String(account), storeOptions));
  const sandbox = (row.metadata && row.metadata.sandbox) || undefined;
  const configOptions = configPath ? { path: configPath } : {};
  const resolved = await platforms.resolve(platform, { sandbox, env, configPath });
  const at = await clockFor(now, sandbox);
  const result = await awaitNative(
    load().lifecycleRefresh(store.nativeOptions(storeOptions), resolved.record, {
      clientId: resolved.clientId,
      clientSecret: resolved.clientSecret,
      timeoutMs,
      account: row.account,
      purpose,
      now: at,
      takeOver,
      policy: await policyFor(platform, policy, configOptions),
      ...(lockTimeoutMs ? { lockTimeoutMs } : {}),
    }),
  );
  return { platform, account: row.account, now: at, platformRecord: resolved.record, ...result };
}

/** decide: the policy's view of a listed record at `now`, without credentials, lock or request (sandbox accounts read the sandbox's clock). */
async function decide(row, { now, policy, purpose = 'maintain', configPath } = {}) {
  const sandbox = (row.metadata && row.metadata.sandbox) || undefined;
  const at = await clockFor(now, sandbox);
  const configOptions = configPath ? { path: configPath } : {};
  // Only the shape matters here: no credentials, no discovery, no request.
  const builtin = platforms.builtinIds().includes(row.platform) ? load().platformBuiltin(row.platform) : null;
  const decision = load().lifecycleDecide(row, {
    shape: builtin ? builtin.tokenShape : 'non_rotating_refresh',
    hasRefreshEndpoint: Boolean(builtin && builtin.endpoints.refreshUrl),
    now: at,
    purpose,
    policy: await policyFor(row.platform, policy, configOptions),
  });
  return { ...decision, now: at };
}

module.exports = { run, decide, policyFor, listed, sandboxNow, POLICY_KEYS };
