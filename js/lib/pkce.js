'use strict';
// pkce.js: RFC 7636 PKCE in the platforms' variants ('S256', 'S256-hex', 'plain').
const { load } = require('./native');
const { callNative, KeryxError, codes } = require('./errors');

const METHODS = Object.freeze(['S256', 'S256-hex', 'plain']);

function checkMethod(method) {
  if (!METHODS.includes(method)) {
    throw new KeryxError(codes.INVALID_ARGUMENT, `PKCE method must be one of ${METHODS.join(', ')}`);
  }
}

/**
 * create: a fresh PKCE pair. `method` defaults to 'S256'; `length` (43-128, default 64) is the
 * verifier's length in characters. Returns `{ method, challengeMethod, verifier, challenge }`;
 * `challengeMethod` is what goes in `code_challenge_method` ('S256' for both SHA-256 variants).
 * The verifier is a secret until the code exchange: never log it.
 */
function create({ method = 'S256', length = 64 } = {}) {
  checkMethod(method);
  if (!Number.isInteger(length)) throw new KeryxError(codes.INVALID_ARGUMENT, 'length must be an integer');
  return callNative(() => load().pkceCreate(method, length));
}

/** challenge: the challenge for an existing `verifier` under `method` (RFC 7636 §4.2). */
function challenge(verifier, method = 'S256') {
  checkMethod(method);
  if (typeof verifier !== 'string') throw new KeryxError(codes.INVALID_ARGUMENT, 'verifier must be a string');
  return callNative(() => load().pkceChallenge(method, verifier));
}

/** state: a fresh OAuth `state` value (256 random bits, base64url, 43 characters). */
function state() {
  return callNative(() => load().randomState());
}

module.exports = { create, challenge, state, METHODS };
