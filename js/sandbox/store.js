'use strict';
// store.js: the sandbox's memory of OAuth artefacts, all in process:
//   transactions  pending consent pages (one-time ids)
//   consents      which scopes a user has granted a client before (Google's "first consent")
//   codes         authorization codes: single use, short-lived, bound to client/redirect/PKCE
//   grants        one per successful code exchange (or seeded account); revoking a grant kills
//                 all its tokens
//   tokens        access / refresh / Instagram short- and long-lived tokens
// A grant also counts its successful refreshes, and how many of them replaced the refresh
// credential (rotations).
// Every check-and-change method here is synchronous, so two requests racing for the same code or
// refresh token are decided in arrival order: exactly one wins.
//
// Lookups are by Map key only: a token by its value, a user's grants through `userGrants`, a
// grant's tokens through `grant.tokens` (issue order), so nothing walks every token ever issued.
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
    this.userGrants = new Map(); // platform + user id -> grants, oldest first
    this.sweepAt = new Map(); // map -> the size at which it is swept next
    this.grantCounter = 0;
    this.tokenCounter = 0; // issue order of tokens (the clock can be moved back, so not issuedAt)
  }

  expiry(ttlSec) {
    return ttlSec === null || ttlSec === undefined ? null : this.clock.now() + Number(ttlSec) * 1000;
  }

  // Drops expired transactions and codes once the maps grow large (a long-running sandbox). The
  // next sweep waits until the map has doubled, so many live entries do not make every insert
  // walk the whole map.
  sweep(map) {
    if (map.size < (this.sweepAt.get(map) || SWEEP_THRESHOLD)) return;
    const now = this.clock.now();
    for (const [id, entry] of map) if (entry.expiresAt !== null && entry.expiresAt <= now) map.delete(id);
    this.sweepAt.set(map, Math.max(SWEEP_THRESHOLD, map.size * 2));
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
      revokedBy: null, // 'client' (revoke endpoint, code reuse) or 'user' (app removed on the platform)
      tokens: [], // every token issued under the grant, oldest first
      refreshes: 0,
      rotations: 0,
    };
    this.grants.set(grant.id, grant);
    const owner = key(platform, userId);
    if (!this.userGrants.has(owner)) this.userGrants.set(owner, []);
    this.userGrants.get(owner).push(grant);
    if (code) code.grantId = grant.id;
    return grant;
  }

  grant(id) {
    return this.grants.get(id) || null;
  }

  /** grantsOf: the user's grants, oldest first (revoked ones included). */
  grantsOf(platform, userId) {
    return this.userGrants.get(key(platform, userId)) || [];
  }

  /** usersOf: the ids of `platform`'s users that consented to an app or hold a grant. */
  usersOf(platform) {
    const prefix = key(platform, '');
    const ids = new Set();
    for (const owner of this.userGrants.keys()) if (owner.startsWith(prefix)) ids.add(owner.slice(prefix.length));
    for (const consent of this.consents.keys()) {
      if (consent.startsWith(prefix)) ids.add(consent.slice(consent.lastIndexOf('\n') + 1));
    }
    return [...ids];
  }

  /** revokeGrant: the grant and every token issued under it stop working. */
  revokeGrant(id, by = 'client') {
    const grant = this.grants.get(id);
    if (grant && !grant.revoked) {
      grant.revoked = true;
      grant.revokedBy = by;
    }
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
      seq: (this.tokenCounter += 1),
    };
    this.tokens.set(key(grant.platform, value), record);
    grant.tokens.push(record);
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

  /**
   * newestLiveToken: the most recently issued valid token of `kinds` for the user, or null. Each
   * grant is read from its newest token backwards, and the walk stops at the first hit, so a
   * grant refreshed many times costs no more than a fresh one.
   */
  newestLiveToken(platform, userId, kinds) {
    let newest = null;
    for (const grant of this.grantsOf(platform, userId)) {
      if (grant.revoked) continue;
      for (let i = grant.tokens.length - 1; i >= 0; i -= 1) {
        const record = grant.tokens[i];
        if (newest && record.seq < newest.seq) break;
        if (kinds.includes(record.kind) && this.tokenState(record) === 'valid') {
          newest = record;
          break;
        }
      }
    }
    return newest;
  }

  /** noteRefresh: a refresh of `grant` succeeded; `rotated` when it replaced the refresh credential. */
  noteRefresh(grant, rotated) {
    grant.refreshes += 1;
    if (rotated) grant.rotations += 1;
  }
}

module.exports = { SandboxStore };
