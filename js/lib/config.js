'use strict';
// config.js: keryx's non-secret settings file (docs/config.md), read and written by the native core
// under a lock with atomic replacement; unknown keys and their order are kept.
//   await keryx.config.set('platforms.tiktok.privacy', 'SELF_ONLY');
//   await keryx.config.get('platforms.tiktok.privacy');        // 'SELF_ONLY'
//   await keryx.config.list();                                 // [{ key, value, json }, ...]
const { load } = require('./native');
const { paths } = require('./paths');
const { awaitNative, KeryxError, codes } = require('./errors');

const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MAX_KEY_BYTES = 256;
const MAX_KEY_SEGMENTS = 16;

function fail(message) {
  return new KeryxError(codes.INVALID_ARGUMENT, message);
}

function checkKey(key) {
  if (typeof key !== 'string' || key === '') throw fail('key must be a non-empty string such as "platforms.tiktok.privacy"');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw fail(`key is longer than ${MAX_KEY_BYTES} bytes`);
  if (!KEY.test(key)) {
    throw fail(`key ${JSON.stringify(key)} must be dot-separated segments of letters, digits, '_' and '-'`);
  }
  if (key.split('.').length > MAX_KEY_SEGMENTS) throw fail(`key has more than ${MAX_KEY_SEGMENTS} segments`);
}

/** resolvePath: `options.path` (a non-empty string) or the default path. */
function resolvePath(options) {
  if (options === null || typeof options !== 'object') throw fail('options must be an object');
  if (options.path === undefined) return path();
  if (typeof options.path !== 'string' || options.path === '') throw fail('options.path must be a non-empty string');
  return options.path;
}

/**
 * isSecretKey: whether `key` names a secret that keryx refuses to store (mirrors the native rule in
 * native/src/config_file.cc): its last segment ends with "secret", contains "token" (except
 * "…_url" endpoint keys), or is "password", "passphrase" or "vault_key". Case-insensitive.
 */
function isSecretKey(key) {
  const last = String(key).split('.').pop().toLowerCase();
  if (last.endsWith('secret')) return true;
  if (last.includes('token') && !last.endsWith('_url')) return true;
  return ['password', 'passphrase', 'vault_key'].includes(last);
}

/**
 * secretEnvName: the environment variable a secret at `key` belongs in: platforms.<p>.<x> ->
 * <P>_<X> (platforms.instagram.app_secret -> INSTAGRAM_APP_SECRET), otherwise KERYX_<KEY>.
 */
function secretEnvName(key) {
  let parts = String(key).split('.');
  if (parts.length >= 3 && parts[0] === 'platforms') parts = parts.slice(1);
  else if (parts.length === 1 && parts[0].toLowerCase() === 'passphrase') return 'KERYX_VAULT_PASSPHRASE';
  else parts = ['keryx', ...parts];
  return parts.join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/**
 * path: the config file's path (js/lib/paths.js): $KERYX_CONFIG, else $KERYX_HOME/config.json,
 * else $XDG_CONFIG_HOME/keryx/config.json, else ~/.config/keryx/config.json (read from the
 * environment at each call). The file may not exist.
 */
function path() {
  return paths().configFile;
}

/**
 * getJson: the JSON text at `key` exactly as stored (large integer ids stay exact), or undefined
 * when it is not set. Rejects with config_invalid (malformed file, with line and column) or io_error.
 */
async function getJson(key, options = {}) {
  checkKey(key);
  const file = resolvePath(options);
  const text = await awaitNative(load('store').configGet(file, key));
  return text === null ? undefined : text;
}

/** get: the value at `key` parsed with JSON.parse (an object for a parent key), or undefined. */
async function get(key, options = {}) {
  const text = await getJson(key, options);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * setJson: stores the JSON text `json` at `key`, creating parent objects. Rejects with
 * invalid_argument (bad key or JSON, or a parent that is not an object), secret_in_config (the key
 * names a secret; the message gives the environment variable to use), config_invalid (the file is
 * malformed and was left untouched), lock_timeout or io_error.
 */
async function setJson(key, json, options = {}) {
  checkKey(key);
  if (typeof json !== 'string' || json.trim() === '') throw fail('json must be a non-empty string of JSON text');
  const file = resolvePath(options);
  await awaitNative(load('store').configSet(file, key, json));
}

function strictReplacer(name, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) throw fail('value must not contain NaN or Infinity');
  return value;
}

/** set: stores `value` (anything JSON.stringify accepts: string, finite number, boolean, null, array, plain object) at `key`. */
async function set(key, value, options = {}) {
  checkKey(key);
  let json;
  try {
    json = JSON.stringify(value, strictReplacer);
  } catch (err) {
    if (err instanceof KeryxError) throw err;
    throw fail(`value must be JSON-serialisable (${err.message})`);
  }
  if (json === undefined) throw fail(`value must be JSON-serialisable, got ${typeof value}`);
  return setJson(key, json, options);
}

/** unset: removes `key` (resolves also when it was not set); empty parent objects are kept. */
async function unset(key, options = {}) {
  checkKey(key);
  const file = resolvePath(options);
  await awaitNative(load('store').configUnset(file, key));
}

/**
 * list: every leaf in file order as `{ key, value, json }`: `key` dotted, `value` parsed, `json`
 * the exact stored text. Arrays and empty objects are leaves.
 */
async function list(options = {}) {
  const file = resolvePath(options);
  const leaves = await awaitNative(load('store').configList(file));
  return leaves.map(({ key, json }) => ({ key, value: JSON.parse(json), json }));
}

module.exports = { path, get, getJson, set, setJson, unset, list, isSecretKey, secretEnvName };
