'use strict';
// 10-pkce: keryx's PKCE (libsodium SHA-256 in C++) against RFC 7636 Appendix B and against Node's
// own crypto (OpenSSL), an independent implementation.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const keryx = require('../../js');

const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const UNRESERVED = /^[A-Za-z0-9\-._~]{43,128}$/;

const nodeS256 = (v) => crypto.createHash('sha256').update(v, 'ascii').digest('base64url');
const nodeHex = (v) => crypto.createHash('sha256').update(v, 'ascii').digest('hex');

test('RFC 7636 Appendix B vector', () => {
  assert.equal(keryx.pkce.challenge(RFC_VERIFIER, 'S256'), RFC_CHALLENGE);
  assert.equal(nodeS256(RFC_VERIFIER), RFC_CHALLENGE); // the reference agrees with itself too
});

test('1,000 random verifiers agree with node:crypto for S256 and S256-hex', () => {
  for (let i = 0; i < 1000; i++) {
    const length = 43 + (i % 86); // every length from 43 to 128
    const s256 = keryx.pkce.create({ method: 'S256', length });
    assert.match(s256.verifier, UNRESERVED);
    assert.equal(s256.verifier.length, length);
    assert.equal(s256.challenge, nodeS256(s256.verifier));
    assert.equal(s256.challengeMethod, 'S256');
    const hex = keryx.pkce.create({ method: 'S256-hex', length });
    assert.equal(hex.challenge, nodeHex(hex.verifier));
    assert.match(hex.challenge, /^[0-9a-f]{64}$/);
    assert.equal(hex.challengeMethod, 'S256'); // TikTok sends S256 with a hex challenge
  }
});

test('verifiers made by node:crypto give the same challenges through keryx', () => {
  for (let i = 0; i < 200; i++) {
    const verifier = crypto.randomBytes(32 + (i % 64)).toString('base64url').slice(0, 43 + (i % 86));
    assert.equal(keryx.pkce.challenge(verifier, 'S256'), nodeS256(verifier));
    assert.equal(keryx.pkce.challenge(verifier, 'S256-hex'), nodeHex(verifier));
    assert.equal(keryx.pkce.challenge(verifier, 'plain'), verifier);
  }
});

test('verifier alphabet and length are enforced', () => {
  for (const bad of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}=`, `${'a'.repeat(42)} `]) {
    assert.throws(() => keryx.pkce.challenge(bad, 'S256'), { name: 'KeryxError', code: 'invalid_argument' });
  }
  assert.throws(() => keryx.pkce.create({ length: 42 }), { code: 'invalid_argument' });
  assert.throws(() => keryx.pkce.create({ length: 129 }), { code: 'invalid_argument' });
  assert.throws(() => keryx.pkce.create({ method: 's256' }), { code: 'invalid_argument' });
  assert.equal(keryx.pkce.create({ method: 'plain' }).challengeMethod, 'plain');
});

test('verifiers use all 66 unreserved characters and do not repeat', () => {
  const seen = new Set();
  const verifiers = new Set();
  for (let i = 0; i < 300; i++) {
    const { verifier } = keryx.pkce.create({ length: 128 });
    for (const c of verifier) seen.add(c);
    verifiers.add(verifier);
  }
  assert.equal(seen.size, 66);
  assert.equal(verifiers.size, 300);
});

test('state: 256 random bits, base64url', () => {
  const a = keryx.pkce.state();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.notEqual(a, keryx.pkce.state());
});
