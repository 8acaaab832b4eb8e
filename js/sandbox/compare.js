'use strict';
// compare.js: comparing secrets without leaking where they differ through timing.
const crypto = require('node:crypto');

/**
 * sameSecret: true when both are strings with equal contents. Both sides are hashed first so
 * the comparison takes the same time whatever the lengths.
 */
function sameSecret(given, expected) {
  if (typeof given !== 'string' || typeof expected !== 'string') return false;
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return crypto.timingSafeEqual(a, b) && given.length === expected.length;
}

module.exports = { sameSecret };
