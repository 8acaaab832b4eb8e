'use strict';
// pkce.js: the sandbox's own PKCE checks (RFC 7636), written against node:crypto so they share
// no code with keryx. Besides the standard S256 (base64url of the SHA-256) and plain methods it
// knows TikTok desktop's variant, where the challenge is the lowercase hex of the SHA-256.
const crypto = require('node:crypto');
const { sameSecret } = require('./compare');

// RFC 7636 §4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].
const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;
// What the sandbox accepts as a challenge on any platform: the verifier alphabet, 43-128 long.
const CHALLENGE_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** isVerifier: whether `value` is a well-formed code_verifier. */
function isVerifier(value) {
  return typeof value === 'string' && VERIFIER_SHAPE.test(value);
}

/** isChallenge: whether `value` looks like a code_challenge at all (any encoding). */
function isChallenge(value) {
  return typeof value === 'string' && CHALLENGE_SHAPE.test(value);
}

/**
 * challengeOf: the challenge a client should have sent for `verifier`.
 * `encoding` is 'base64url' (RFC 7636 S256), 'hex' (TikTok desktop) or 'plain'.
 */
function challengeOf(verifier, encoding) {
  if (encoding === 'plain') return verifier;
  const digest = crypto.createHash('sha256').update(verifier, 'ascii').digest();
  if (encoding === 'hex') return digest.toString('hex');
  if (encoding === 'base64url') return digest.toString('base64url');
  throw new TypeError(`unknown PKCE encoding: ${encoding}`);
}

/**
 * verifierProblem: checks the token request's `verifier` against what the authorize request
 * registered (`challenge`, possibly undefined). Returns null when they match, otherwise one of
 * 'missing' (a challenge was sent but no verifier), 'unexpected' (a verifier but no challenge:
 * the PKCE downgrade RFC 9700 asks servers to refuse), 'malformed' or 'mismatch'.
 */
function verifierProblem({ challenge, verifier, encoding }) {
  const sent = typeof verifier === 'string' && verifier !== '';
  if (!challenge) return sent ? 'unexpected' : null;
  if (!sent) return 'missing';
  if (!isVerifier(verifier)) return 'malformed';
  return sameSecret(challengeOf(verifier, encoding), challenge) ? null : 'mismatch';
}

module.exports = { isVerifier, isChallenge, challengeOf, verifierProblem };
