'use strict';
// knobs.js: the settings that steer the sandbox at run time. The knobs object is live: handlers
// read it on every request, so a change (sandbox.setKnobs, POST /sandbox/knobs, or a direct
// assignment) applies to the next request.
//
// Lifetimes (and the refresh delay) resolve most specific first: the platform section
// (`knobs.tiktok.accessTtlSec`), then the flat knob (`knobs.accessTtlSec`), then the platform's
// default below.

const { PLATFORMS } = require('./apps');

const DEFAULT_KNOBS = Object.freeze({
  autoApprove: false, // approve every valid authorize request without showing the consent page
  autoDeny: false, // deny every valid authorize request (wins over autoApprove)
  clockOffsetSec: 0, // added to real time by the sandbox clock
  codeTtlSec: 600, // authorization code lifetime
  accessTtlSec: null, // null: each platform's default
  refreshTtlSec: null, // null: each platform's default
  refreshDelayMs: 0, // the refresh endpoint commits its answer, then holds it back this long
  grantScopes: {}, // { <platform>: [scopes the user grants] }
  fail: {}, // { '<platform>.<endpoint>': { status, body?, times? } | { hang: true } | { error200: true } }
  instagram: {}, // per-platform sections: accessTtlSec, refreshTtlSec, codeTtlSec, longLivedTtlSec, refreshDelayMs, redirectUris
  google: {},
  tiktok: {},
  linkedin: {},
  instagramShape: 'flat', // 'flat' or 'data' (the documented data[] wrapper)
  instagramRefreshInvalidatesOld: false,
  googleRequirePkce: true,
  googleTestingMode: false, // refresh tokens die 7 days after issue
  googleNoChannel: false, // the account has no YouTube channel
  tiktokPkce: 'hex', // how the token endpoint recomputes the challenge: 'hex' or 'base64url'
  tiktokErrorStatus: 400, // HTTP status of TikTok OAuth errors (200 emulates errors in 200 bodies)
  linkedinRefresh: false, // the app is approved for programmatic refresh tokens
  linkedinPropagationSec: 0, // a token younger than this is answered with 65601 (propagation delay)
});

// Platform defaults for the lifetimes (seconds). null means "never expires".
const PLATFORM_DEFAULTS = Object.freeze({
  instagram: Object.freeze({ accessTtlSec: 3600, longLivedTtlSec: 5184000, refreshTtlSec: null }),
  google: Object.freeze({ accessTtlSec: 3599, refreshTtlSec: null }),
  tiktok: Object.freeze({ accessTtlSec: 86400, refreshTtlSec: 31536000 }),
  linkedin: Object.freeze({ accessTtlSec: 5184000, refreshTtlSec: 31536000 }),
});

// The endpoint names a forced failure can target, per platform (see failures.js).
const FAILABLE_ENDPOINTS = Object.freeze({
  instagram: Object.freeze(['authorize', 'token', 'exchange', 'refresh', 'me']),
  google: Object.freeze(['authorize', 'token', 'refresh', 'revoke', 'channels', 'userinfo']),
  tiktok: Object.freeze(['authorize', 'token', 'refresh', 'revoke', 'userinfo']),
  linkedin: Object.freeze(['authorize', 'token', 'refresh', 'revoke', 'userinfo']),
});

const SECTION_KEYS = Object.freeze(['accessTtlSec', 'refreshTtlSec', 'codeTtlSec', 'longLivedTtlSec', 'refreshDelayMs', 'redirectUris']);
// Section settings that fall back to a flat knob of the same name.
const FLAT_FALLBACKS = Object.freeze(['accessTtlSec', 'refreshTtlSec', 'codeTtlSec', 'refreshDelayMs']);
const MAX_DELAY_MS = 3600 * 1000;
const ENUMS = Object.freeze({ instagramShape: ['flat', 'data'], tiktokPkce: ['hex', 'base64url'] });

class KnobError extends TypeError {}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkSeconds(name, value) {
  if (value !== null && !(typeof value === 'number' && Number.isFinite(value))) {
    throw new KnobError(`${name} must be a number of seconds or null`);
  }
}

function checkDelay(name, value) {
  if (value !== null && !(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_DELAY_MS)) {
    throw new KnobError(`${name} must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, or null`);
  }
}

function checkSection(platform, section) {
  if (!isPlainObject(section)) throw new KnobError(`${platform} must be an object`);
  for (const [key, value] of Object.entries(section)) {
    if (!SECTION_KEYS.includes(key)) throw new KnobError(`unknown ${platform} setting: ${key}`);
    if (key === 'redirectUris') {
      if (value !== null && !(Array.isArray(value) && value.every((uri) => typeof uri === 'string'))) {
        throw new KnobError(`${platform}.redirectUris must be an array of strings or null`);
      }
    } else if (key === 'refreshDelayMs') {
      checkDelay(`${platform}.${key}`, value);
    } else {
      checkSeconds(`${platform}.${key}`, value);
    }
  }
}

function checkFailures(fail) {
  if (!isPlainObject(fail)) throw new KnobError('fail must be an object');
  for (const [key, entry] of Object.entries(fail)) {
    const [platform, endpoint, extra] = key.split('.');
    if (!PLATFORMS.includes(platform) || !endpoint || extra !== undefined) {
      throw new KnobError(`fail keys look like '<platform>.<endpoint>', got '${key}'`);
    }
    if (!FAILABLE_ENDPOINTS[platform].includes(endpoint)) {
      throw new KnobError(`fail['${key}']: ${platform} endpoints are ${FAILABLE_ENDPOINTS[platform].join(', ')}`);
    }
    if (!isPlainObject(entry)) throw new KnobError(`fail['${key}'] must be an object`);
    const { status, body, times, hang, error200 } = entry;
    if (status === undefined && !hang && !error200) {
      throw new KnobError(`fail['${key}'] needs status, hang or error200`);
    }
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
      throw new KnobError(`fail['${key}'].status must be an HTTP status`);
    }
    if (body !== undefined && typeof body !== 'string') throw new KnobError(`fail['${key}'].body must be a string`);
    if (times !== undefined && !(Number.isInteger(times) && times > 0)) {
      throw new KnobError(`fail['${key}'].times must be a positive integer`);
    }
  }
}

function checkGrantScopes(grantScopes) {
  if (!isPlainObject(grantScopes)) throw new KnobError('grantScopes must be an object');
  for (const [platform, scopes] of Object.entries(grantScopes)) {
    if (!PLATFORMS.includes(platform)) throw new KnobError(`grantScopes: unknown platform ${platform}`);
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
      throw new KnobError(`grantScopes.${platform} must be an array of scope strings`);
    }
  }
}

/** checkKnob: throws a KnobError when `value` is not acceptable for knob `name`. */
function checkKnob(name, value) {
  if (!Object.prototype.hasOwnProperty.call(DEFAULT_KNOBS, name)) throw new KnobError(`unknown knob: ${name}`);
  const fallback = DEFAULT_KNOBS[name];
  if (PLATFORMS.includes(name)) return checkSection(name, value);
  if (name === 'fail') return checkFailures(value);
  if (name === 'grantScopes') return checkGrantScopes(value);
  if (name === 'refreshDelayMs') return checkDelay(name, value);
  if (ENUMS[name]) {
    if (!ENUMS[name].includes(value)) throw new KnobError(`${name} must be one of ${ENUMS[name].join(', ')}`);
    return undefined;
  }
  if (name === 'tiktokErrorStatus') {
    if (!(Number.isInteger(value) && value >= 200 && value <= 599)) throw new KnobError('tiktokErrorStatus must be an HTTP status');
    return undefined;
  }
  if (typeof fallback === 'boolean' && typeof value !== 'boolean') throw new KnobError(`${name} must be true or false`);
  if (typeof fallback === 'number' || fallback === null) checkSeconds(name, value);
  return undefined;
}

/** defaultKnobs: a fresh, deep copy of the defaults. */
function defaultKnobs() {
  return structuredClone(DEFAULT_KNOBS);
}

/**
 * applyKnobs: merges `partial` into the live `knobs` (one level deep: an object-valued knob is
 * replaced whole). A knob set to null goes back to its default. Everything is checked before
 * anything changes, so a bad update leaves the knobs as they were.
 */
function applyKnobs(knobs, partial) {
  if (!isPlainObject(partial)) throw new KnobError('knobs must be given as an object');
  const next = {};
  for (const [name, value] of Object.entries(partial)) {
    if (value === null || value === undefined) {
      if (!Object.prototype.hasOwnProperty.call(DEFAULT_KNOBS, name)) throw new KnobError(`unknown knob: ${name}`);
      next[name] = structuredClone(DEFAULT_KNOBS[name]);
    } else {
      checkKnob(name, value);
      next[name] = structuredClone(value);
    }
  }
  Object.assign(knobs, next);
  return knobs;
}

/**
 * platformSetting: a lifetime, the refresh delay or the redirect list for `platform`, most
 * specific source first.
 */
function platformSetting(knobs, platform, name) {
  const section = knobs[platform];
  if (isPlainObject(section) && section[name] !== undefined && section[name] !== null) return section[name];
  if (FLAT_FALLBACKS.includes(name) && knobs[name] !== undefined && knobs[name] !== null) return knobs[name];
  const defaults = PLATFORM_DEFAULTS[platform] || {};
  if (name === 'codeTtlSec' || name === 'refreshDelayMs') return DEFAULT_KNOBS[name];
  return defaults[name] === undefined ? null : defaults[name];
}

module.exports = {
  DEFAULT_KNOBS,
  PLATFORM_DEFAULTS,
  FAILABLE_ENDPOINTS,
  KnobError,
  defaultKnobs,
  applyKnobs,
  checkKnob,
  platformSetting,
};
