'use strict';
// store.js: keryx.store, the encrypted token vault. Every call runs off the event loop and returns
// a Promise. Tokens leave the vault only through get() and resolve(); list() and info() never
// carry a secret.
const { load } = require('./native');
const { KeryxError, codes, awaitNative } = require('./errors');
const { paths } = require('./paths');

const PLATFORM = /^[a-z0-9_-]{1,64}$/;
// INTERNAL_PLATFORMS: vault records keryx keeps for itself (js/lib/pending.js); never listed.
const INTERNAL_PLATFORMS = new Set(['keryx-pending']);
const visible = (records) => records.filter((r) => !INTERNAL_PLATFORMS.has(r.platform));

/** nativeOptions: the vault location and key sources, from the environment and `overrides`. */
function nativeOptions(overrides = {}, env = process.env) {
  const p = paths(env);
  const vaultPath = overrides.vaultPath || p.vault;
  return {
    vaultPath,
    installIdPath: overrides.installIdPath || p.installId,
    keyFilePath: overrides.keyFilePath || p.keyFile,
    keychainAccount: `vault:${vaultPath}`,
    keychain: overrides.keychain ?? env.KERYX_KEYCHAIN !== 'off',
    keychainTimeoutMs: overrides.keychainTimeoutMs ?? 3000,
    envKey: overrides.envKey ?? env.KERYX_VAULT_KEY ?? '',
    passphrase: overrides.passphrase ?? env.KERYX_VAULT_PASSPHRASE ?? '',
    lockTimeoutMs: overrides.lockTimeoutMs ?? 10000,
  };
}

function checkPlatform(platform) {
  if (typeof platform !== 'string' || !PLATFORM.test(platform)) {
    throw new KeryxError(codes.INVALID_ARGUMENT, 'platform must be 1-64 characters of a-z, 0-9, _ and -');
  }
}

/** envVarsFor: the environment variables that override the vault for `platform`. */
function envVarsFor(platform) {
  const p = platform.toUpperCase().replace(/-/g, '_');
  return { access: `${p}_ACCESS_TOKEN`, refresh: `${p}_REFRESH_TOKEN` };
}

/**
 * info: `{ vaultPath, vaultExists, keyAvailable, keyProvider, skipped, problem, generation,
 * records, list }`; `list` holds the records without tokens (as list() does), from the same read.
 */
async function info(options = {}) {
  const o = nativeOptions(options);
  const i = await awaitNative(load('store').storeInfo(o));
  if (Array.isArray(i.list)) {
    i.list = visible(i.list);
    i.records = i.list.length;
  }
  return { vaultPath: o.vaultPath, keyFilePath: o.keyFilePath, ...i };
}

/** list: every stored record without its tokens (`hasAccessToken`, `hasRefreshToken` say what is there). */
async function list(options = {}) {
  return visible(await awaitNative(load('store').storeList(nativeOptions(options))));
}

/** get: the stored record for `platform` (its default account unless `account`), tokens included; not_found when none. */
async function get(platform, { account = '', ...options } = {}) {
  checkPlatform(platform);
  const r = await awaitNative(load('store').storeGet(nativeOptions(options), platform, String(account)));
  return { ...r, source: 'vault' };
}

/**
 * put: stores `record` ({ platform, account, accessToken, refreshToken?, tokenType?, scopes?,
 * obtainedAt?, expiresAt?, refreshExpiresAt? (Unix seconds), isDefault?, metadata? }) durably.
 * Resolves to `{ keyProvider, keyCreated, skipped }`.
 */
function checkRecord(record) {
  if (!record || typeof record !== 'object') throw new KeryxError(codes.INVALID_ARGUMENT, 'a record must be an object');
  checkPlatform(record.platform);
  if (typeof record.account !== 'string' || record.account === '') {
    throw new KeryxError(codes.INVALID_ARGUMENT, 'record.account must be a non-empty string');
  }
  if (typeof record.accessToken !== 'string' && typeof record.refreshToken !== 'string') {
    throw new KeryxError(codes.INVALID_ARGUMENT, 'record needs an accessToken or a refreshToken');
  }
}

async function put(record, options = {}) {
  checkRecord(record);
  const r = { obtainedAt: Math.floor(Date.now() / 1000), ...record };
  return awaitNative(load('store').storePut(nativeOptions(options), r));
}

/**
 * putMany: stores many records in one locked update (one new vault generation): an import, or a
 * migration. Every record is checked first; if one is invalid, nothing is written.
 */
async function putMany(records, options = {}) {
  if (!Array.isArray(records) || records.length === 0) throw new KeryxError(codes.INVALID_ARGUMENT, 'putMany() takes a non-empty array of records');
  const now = Math.floor(Date.now() / 1000);
  const checked = records.map((record) => {
    checkRecord(record);
    return { obtainedAt: now, ...record };
  });
  return awaitNative(load().storePut(nativeOptions(options), checked));
}

/** delete: removes the record; resolves true when one was removed, false when there was none. */
async function remove(platform, { account = '', ...options } = {}) {
  checkPlatform(platform);
  return awaitNative(load('store').storeDelete(nativeOptions(options), platform, String(account)));
}

/**
 * resolve: the token to use for `platform`: the environment (`<PLATFORM>_ACCESS_TOKEN`,
 * `<PLATFORM>_REFRESH_TOKEN`) overrides the vault. The result says where it came from:
 * `{ source: 'env', vars: [...] , accessToken?, refreshToken? }` or the vault record with
 * `source: 'vault'` and `keyProvider`.
 */
async function resolve(platform, { account = '', env = process.env, ...options } = {}) {
  checkPlatform(platform);
  const vars = envVarsFor(platform);
  const fromEnv = { platform, account: account || '', source: 'env', vars: [] };
  if (env[vars.access]) {
    fromEnv.accessToken = env[vars.access];
    fromEnv.vars.push(vars.access);
  }
  if (env[vars.refresh]) {
    fromEnv.refreshToken = env[vars.refresh];
    fromEnv.vars.push(vars.refresh);
  }
  if (fromEnv.vars.length) return fromEnv;
  return get(platform, { account, ...options });
}

module.exports = { info, list, get, put, putMany, delete: remove, resolve, envVarsFor, nativeOptions };
