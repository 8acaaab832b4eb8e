'use strict';
// events.js: keryx.events, where the token lifecycle reports what happened. Every payload is plain,
// secret-free data: { event, at (ISO time), platform, account, expiresAt (ISO or null), reason,
// code?, message?, ... }. Every event is also emitted as 'event', for one listener that forwards all
// of them (the CLI's --alert-cmd and --webhook do).
//   token.refreshed      a refresh worked (rotated: whether a new refresh token was stored)
//   token.expiring       a token that no refresh will extend expires soon (LinkedIn, Google testing apps)
//   token.revoked        the platform no longer accepts the token; the account is marked, not deleted
//   token.refresh_failed a refresh failed for another reason (network, 5xx, expired, held elsewhere)
//   rotation_lost        a rotated refresh token was issued but never stored: re-authorize
//   token.persist_failed critical: a refreshed (rotated) token could not be written to the vault; it
//                        is held in memory and the write is retried
const { EventEmitter } = require('node:events');

const EVENTS = Object.freeze([
  'token.refreshed',
  'token.expiring',
  'token.revoked',
  'token.refresh_failed',
  'rotation_lost',
  'token.persist_failed',
]);

const events = new EventEmitter();
events.setMaxListeners(100);

const iso = (t) => (typeof t === 'number' && t > 0 ? new Date(t * 1000).toISOString() : null);

/** makeEvent: the payload for `name`; only the listed, non-secret fields are copied. */
function makeEvent(name, { platform, account, expiresAt, reason, code, message, ...extra } = {}) {
  const payload = { event: name, at: new Date().toISOString(), platform, account: account || null, expiresAt: iso(expiresAt) };
  if (reason !== undefined) payload.reason = reason;
  if (code !== undefined) payload.code = code;
  if (message !== undefined) payload.message = message;
  for (const key of ['rotated', 'severity', 'command', 'expiringAt', 'source']) {
    if (extra[key] !== undefined) payload[key] = key === 'expiringAt' ? iso(extra[key]) : extra[key];
  }
  return payload;
}

/** emit: sends `name` on keryx.events and on each extra emitter given (a TokenSource). */
function emit(name, data, ...emitters) {
  const payload = makeEvent(name, data);
  for (const target of [events, ...emitters]) {
    if (!target) continue;
    target.emit(name, payload);
    target.emit('event', payload);
  }
  return payload;
}

/**
 * emitFailure: the event for a failed refresh or use of `platform`'s `account`: token.revoked,
 * rotation_lost (both with the re-auth command), or token.refresh_failed (the command only for an
 * expired token). `extra` adds payload fields (e.g. source: 'env').
 */
function emitFailure(platform, account, err, extra = {}, ...emitters) {
  const command = `keryx auth ${platform}`;
  const base = { platform, account, code: err.code, message: err.message, ...extra };
  if (err.code === 'token_revoked') return emit('token.revoked', { ...base, command }, ...emitters);
  if (err.code === 'rotation_lost') return emit('rotation_lost', { ...base, command }, ...emitters);
  return emit('token.refresh_failed', { ...base, command: err.code === 'token_expired' ? command : undefined }, ...emitters);
}

module.exports = { events, emit, emitFailure, makeEvent, EVENTS };
