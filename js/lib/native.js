'use strict';
// native.js: loads the compiled addon. Tries each known location once and, if none loads, throws
// ONE KeryxError (addon_missing) that lists every path tried, why it failed, and the exact fix.
const path = require('node:path');
const { KeryxError, codes } = require('./errors');

const root = path.resolve(__dirname, '..', '..');

const FIX_DEBIAN =
  'sudo apt-get install -y cmake ninja-build g++ pkg-config libcurl4-openssl-dev libssl-dev ' +
  'libsodium-dev rapidjson-dev libcpp-httplib-dev';
const FIX_MAC = 'brew install cmake ninja pkg-config curl openssl libsodium rapidjson cpp-httplib';

/** candidates: the addon paths tried, in order; $KERYX_ADDON_PATH, when set, is the only one. */
function candidates() {
  if (process.env.KERYX_ADDON_PATH) return [path.resolve(process.env.KERYX_ADDON_PATH)];
  return [path.join(root, 'build', 'Release', 'keryx.node'), path.join(root, 'build', 'Debug', 'keryx.node')];
}

let cached = null;

/** load: the addon's exports (loaded once). */
function load() {
  if (cached) return cached;
  const tried = [];
  for (const file of candidates()) {
    try {
      cached = require(file);
      return cached;
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
    { details: { tried: candidates() } },
  );
}

module.exports = { load, candidates };
