'use strict';
// random.js: fresh random values for codes, tokens and ids, from node:crypto. Values minted here
// are credentials: the sandbox never logs them.
const crypto = require('node:crypto');

/** randomBase64url: `bytes` random octets, base64url without padding. */
function randomBase64url(bytes) {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** randomToken: `prefix` followed by `bytes` random octets in base64url. */
function randomToken(prefix, bytes = 32) {
  return `${prefix}${randomBase64url(bytes)}`;
}

/** randomHex: `bytes` random octets as lowercase hex (TikTok log ids and the like). */
function randomHex(bytes) {
  return crypto.randomBytes(bytes).toString('hex');
}

module.exports = { randomBase64url, randomToken, randomHex };
