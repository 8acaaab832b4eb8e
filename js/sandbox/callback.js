'use strict';
// callback.js: the Location a platform sends the browser back to after authorization.
// Values are percent-encoded strictly (everything outside A-Z a-z 0-9 - . _ ~), so a code that
// contains `*`, `!` or `/` reaches the client encoded and must be decoded before the exchange.

/** encodeStrict: percent-encodes every character outside the RFC 3986 unreserved set. */
function encodeStrict(value) {
  return encodeURIComponent(String(value)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * callbackLocation: `redirectUri` with `params` appended to its query (entries whose value is
 * undefined are left out) and, when given, `fragment` (Instagram's `_`).
 */
function callbackLocation(redirectUri, params, fragment) {
  const query = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${encodeStrict(name)}=${encodeStrict(value)}`)
    .join('&');
  const joiner = redirectUri.includes('?') ? '&' : '?';
  const withQuery = query ? `${redirectUri}${joiner}${query}` : redirectUri;
  return fragment === undefined ? withQuery : `${withQuery}#${fragment}`;
}

module.exports = { callbackLocation, encodeStrict };
