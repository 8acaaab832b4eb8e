'use strict';
// redirects.js: whether a redirect_uri is registered for an app, under each platform's rule.
//   exact         string equality with a registered URI (Meta also insists on https)
//   loopback      RFC 8252 §7.3: http, a loopback host, any port, any path (Google Desktop)
//   wildcardPort  TikTok desktop: a registered pattern where `*` is a required port number
// A redirect list set through the platform's `redirectUris` knob replaces the registered one;
// entries containing `:*/` are treated as wildcard-port patterns.
const { platformSetting } = require('./knobs');

const LOOPBACK_HOSTS = Object.freeze(['127.0.0.1', '[::1]', 'localhost']);
const MAX_REDIRECT_LENGTH = 2048;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** matchesPattern: `uri` against a pattern where each `*` stands for a port in 1-65535. */
function matchesPattern(uri, pattern) {
  if (!pattern.includes('*')) return uri === pattern;
  const shape = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('(\\d{1,5})')}$`);
  const found = shape.exec(uri);
  if (!found) return false;
  return found.slice(1).every((port) => Number(port) >= 1 && Number(port) <= 65535 && !/^0/.test(port));
}

/** isLoopbackRedirect: an http loopback URI with no credentials and no fragment. */
function isLoopbackRedirect(uri) {
  if (uri.includes('#')) return false;
  let parsed;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' || parsed.username || parsed.password) return false;
  return LOOPBACK_HOSTS.includes(parsed.hostname);
}

/** registeredRedirects: the app's registered list (or patterns), after the knob override. */
function registeredRedirects(app, knobs) {
  const override = platformSetting(knobs, app.platform, 'redirectUris');
  if (Array.isArray(override)) return { kind: 'list', uris: override.slice() };
  if (app.redirect.kind === 'loopback') return { kind: 'loopback', uris: [] };
  return { kind: 'list', uris: (app.redirect.uris || app.redirect.patterns).slice() };
}

/** isRegisteredRedirect: whether `uri` may be used as redirect_uri for `app` right now. */
function isRegisteredRedirect(app, uri, knobs) {
  if (typeof uri !== 'string' || uri.length > MAX_REDIRECT_LENGTH) return false;
  if (!/^[\x21-\x7e]+$/.test(uri)) return false; // printable ASCII only: it ends up in a Location header
  if (app.redirect.httpsOnly && !uri.startsWith('https://')) return false;
  const registered = registeredRedirects(app, knobs);
  if (registered.kind === 'loopback') return isLoopbackRedirect(uri);
  return registered.uris.some((entry) => matchesPattern(uri, entry));
}

/** describeRedirects: a plain description of the rule, for GET /sandbox/apps and the docs. */
function describeRedirects(app, knobs) {
  const registered = registeredRedirects(app, knobs);
  if (registered.kind === 'loopback') {
    return { rule: 'loopback', uris: ['http://127.0.0.1:<any port>/<any path>', 'http://[::1]:<any port>/<any path>', 'http://localhost:<any port>/<any path>'] };
  }
  const wildcard = registered.uris.some((uri) => uri.includes('*'));
  return { rule: wildcard ? 'wildcardPort' : 'exact', httpsOnly: Boolean(app.redirect.httpsOnly), uris: registered.uris };
}

module.exports = { isRegisteredRedirect, isLoopbackRedirect, matchesPattern, describeRedirects };
