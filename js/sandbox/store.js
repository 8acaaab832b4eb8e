'use strict';
// store.js: the sandbox's memory of OAuth artefacts, all in process:
//   transactions  pending consent pages (one-time ids)
//   consents      which scopes a user has granted a client before (Google's "first consent")
//   codes         authorization codes: single use, short-lived, bound to client/redirect/PKCE
//   grants        one per successful code exchange; revoking a grant kills all its tokens
//   tokens        access / refresh / Instagram short- and long-lived tokens
// Every check-and-change method here is synchronous, so two requests racing for the same code or
// refresh token are decided in arrival order: exactly one wins.
const { randomBase64url } = require('./random');

const SWEEP_THRESHOLD = 5000;

function key(...parts) {
  return parts.join('\n');
}

class SandboxStore {
  constructor(clock) {
    this.clock = clock;
    this.transactions = new Map();
    this.consents = new Map();
    this.codes = new Map();
    this.grants = new Map();
    this.tokens = new Map();
    this.grantCounter = 0;
  }

  expiry(ttlSec) {
    return ttlSec === null || ttlSec === undefined ? null : this.clock.now() + Number(ttlSec) * 1000;
  }

  // Drops expired transactions and codes once the maps grow large (a long-running sandbox).
  sweep(map) {
    if (map.size < SWEEP_THRESHOLD) return;
    const now = this.clock.now();
    for (const [id, entry] of map) if (entry.expiresAt <= now) map.delete(id);
  }

  // ---- pending consent pages ------------------------------------------------------------------

  /** openTransaction: remembers an authorize request awaiting Allow/Deny; returns its id. */
  openTransaction(platform, request, ttlSec) {
    this.sweep(this.transactions);
    const id = randomBase64url(24);
    this.transactions.set(key(platform, id), { request, expiresAt: this.expiry(ttlSec) });
    return id;
  }

  /** takeTransaction: the request behind `id`, once; null when unknown, used or expired. */
  takeTransaction(platform, id) {
    if (typeof id !== 'string') return null;
    const k = key(platform, id);
    const entry = this.transactions.get(k);
    if (!entry) return null;
    this.transactions.delete(k);
    return entry.expiresAt > this.clock.now() ? entry.request : null;
  }

  // ---- remembered consent ---------------------------------------------------------------------

  /** recordConsent: notes that `userId` granted `scopes` to `clientId`; says if it was the first. */
  recordConsent(platform, clientId, userId, scopes) {
    const k = key(platform, clientId, userId);
    const known = this.consents.get(k);
    const previous = known ? [...known] : [];
    this.consents.set(k, new Set([...previous, ...scopes]));
    return { first: !known, previous };
  }

  /** hasConsent: whether `userId` has granted `clientId` anything (and not revoked it since). */
  hasConsent(platform, clientId, userId) {
    return this.consents.has(key(platform, clientId, userId));
  }

  /** forgetConsent: the user's consent is gone (revocation): the next one counts as first. */
  forgetConsent(platform, clientId, userId) {
    this.consents.delete(key(platform, clientId, userId));
  }

  // ---- authorization codes --------------------------------------------------------------------

  /** issueCode: stores a new code record; `fields.value` is the code itself. */
  issueCode(fields, ttlSec) {
    this.sweep(this.codes);
    const record = { ...fields, issuedAt: this.clock.now(), expiresAt: this.expiry(ttlSec), redeemed: false, grantId: null };
    this.codes.set(key(fields.platform, fields.value), record);
    return record;
  }

  /**
   * redeemCode: consumes a code. `check(record)` returns a problem name or null for the
   * request-specific bindings (client, redirect_uri, PKCE). Returns `{ code }` on success or
   * `{ problem }` with 'unknown', 'reused', 'expired' or whatever `check` said. Presenting a code
   * a second time revokes the grant made from it (RFC 6749 §4.1.2).
   */
  redeemCode(platform, value, check) {
    const record = typeof value === 'string' ? this.codes.get(key(platform, value)) : undefined;
    if (!record) return { problem: 'unknown' };
    if (record.redeemed) {
      if (record.grantId !== null) this.revokeGrant(record.grantId);
      return { problem: 'reused' };
    }
    if (record.expiresAt !== null && record.expiresAt <= this.clock.now()) return { problem: 'expired' };
    const problem = check(record);
    if (problem) return { problem };
    record.redeemed = true;
    return { code: record };
  }

  // ---- grants and tokens ----------------------------------------------------------------------

  /** openGrant: a new grant; `code` (optional) is the code record it came from. */
  openGrant({ platform, clientId, userId, scopes, details = {}, code = null }) {
    this.grantCounter += 1;
    const grant = {
      id: this.grantCounter,
      platform,
      clientId,
      userId,
      scopes: scopes.slice(),
      details,
      createdAt: this.clock.now(),
      revoked: false,
    };
    this.grants.set(grant.id, grant);
    if (code) code.grantId = grant.id;
    return grant;
  }

  grant(id) {
    return this.grants.get(id) || null;
  }

  /** revokeGrant: the grant and every token issued under it stop working. */
  revokeGrant(id) {
    const grant = this.grants.get(id);
    if (grant) grant.revoked = true;
    return grant || null;
  }

  /** addToken: records a token `value` of `kind` ('access', 'refresh', 'short', 'long'). */
  addToken({ value, kind, grant, ttlSec, expiresAt }) {
    const record = {
      value,
      kind,
      platform: grant.platform,
      grantId: grant.id,
      issuedAt: this.clock.now(),
      expiresAt: expiresAt !== undefined ? expiresAt : this.expiry(ttlSec),
      revoked: false,
    };
    this.tokens.set(key(grant.platform, value), record);
    return record;
  }

  /** findToken: the record of `value` on `platform` whatever its state, or null. */
  findToken(platform, value) {
    if (typeof value !== 'string' || value === '') return null;
    return this.tokens.get(key(platform, value)) || null;
  }

  /** tokenState: 'valid', 'expired', 'revoked' or 'unknown'. */
  tokenState(record) {
    if (!record) return 'unknown';
    const grant = this.grants.get(record.grantId);
    if (record.revoked || !grant || grant.revoked) return 'revoked';
    if (record.expiresAt !== null && record.expiresAt <= this.clock.now()) return 'expired';
    return 'valid';
  }

  /** liveToken: the record of `value` if it is valid and one of `kinds`, else null. */
  liveToken(platform, value, kinds) {
    const record = this.findToken(platform, value);
    if (!record || !kinds.includes(record.kind)) return null;
    return this.tokenState(record) === 'valid' ? record : null;
  }

  /** revokeToken: this one token stops working; its grant lives on. */
  revokeToken(record) {
    if (record) record.revoked = true;
  }

  /** newestLiveToken: the most recently issued valid token of `kinds` for the user, or null. */
  newestLiveToken(platform, userId, kinds) {
    let newest = null;
    for (const record of this.tokens.values()) {
      if (record.platform !== platform || !kinds.includes(record.kind)) continue;
      const grant = this.grants.get(record.grantId);
      if (!grant || grant.userId !== userId || this.tokenState(record) !== 'valid') continue;
      if (!newest || record.issuedAt >= newest.issuedAt) newest = record;
    }
    return newest;
  }
}

module.exports = { SandboxStore };
