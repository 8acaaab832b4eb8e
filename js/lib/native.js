'use strict';
// native.js: loads a compiled addon. Two are built from the same sources: keryx.node (everything)
// and keryx_store.node (pkce, config and store only, without libcurl's ~30 shared libraries, so
// `keryx status` starts fast). Tries each known location once and, if none loads, throws ONE
// KeryxError (addon_missing) that lists every path tried, why it failed, and the exact fix.
const path = require('node:path');
const { KeryxError, codes } = require('./errors');

const root = path.resolve(__dirname, '..', '..');

const FIX_DEBIAN =
  'sudo apt-get install -y cmake ninja-build g++ pkg-config libcurl4-openssl-dev libssl-dev ' +
  'libsodium-dev rapidjson-dev libcpp-httplib-dev';
const FIX_MAC = 'brew install cmake ninja pkg-config curl openssl libsodium rapidjson cpp-httplib';

function built(file) {
  return [path.join(root, 'build', 'Release', file), path.join(root, 'build', 'Debug', file)];
}

/**
 * candidates: the addon paths tried, in order, for `flavour`.
 *   'full' (default): $KERYX_ADDON_PATH when set (the only one), else build/{Release,Debug}/keryx.node.
 *   'store': $KERYX_STORE_ADDON_PATH when set, else build/{Release,Debug}/keryx_store.node unless
 *   $KERYX_ADDON_PATH pins the addon; then the 'full' candidates, which export the same functions.
 */
function candidates(flavour = 'full') {
  const env = process.env;
  const full = env.KERYX_ADDON_PATH ? [path.resolve(env.KERYX_ADDON_PATH)] : built('keryx.node');
  if (flavour !== 'store') return full;
  let light = [];
  if (env.KERYX_STORE_ADDON_PATH) light = [path.resolve(env.KERYX_STORE_ADDON_PATH)];
  else if (!env.KERYX_ADDON_PATH) light = built('keryx_store.node');
  return [...light, ...full];
}

const cache = { full: null, store: null };

/**
 * load: the addon's exports, loaded once per flavour. load() is keryx.node; load('store') is
 * keryx_store.node (pkceCreate, pkceChallenge, randomState, config*, store*), or keryx.node when
 * that is already loaded or the light one cannot be.
 */
function load(flavour = 'full') {
  const key = flavour === 'store' ? 'store' : 'full';
  if (cache[key]) return cache[key];
  if (key === 'store' && cache.full) return (cache.store = cache.full);
  const tried = [];
  for (const file of candidates(key)) {
    try {
      cache[key] = require(file);
      return cache[key];
    } catch (err) {
      const reason = err.code === 'MODULE_NOT_FOUND' ? 'not built' : String(err.message).split('\n')[0];
      tried.push(`  ${file}: ${reason}`);
    }
  }
  throw new KeryxError(
    codes.ADDON_MISSING,
    [
      'keryx could not load its native addon. Tried:',
      ...tried,
      'Fix: install the build dependencies, then rebuild the addon:',
      `  Debian/Ubuntu: ${FIX_DEBIAN}`,
      `  macOS:         ${FIX_MAC}`,
      '  then:          npm rebuild keryx   (in a checkout: npm run build)',
    ].join('\n'),
    { details: { tried: candidates(key) } },
  );
}

module.exports = { load, candidates };
