'use strict';
// upkeep.js: scheduled care of stored accounts (`keryx auth refresh`, keryx.refreshDue): for each
// account, the core's transaction with purpose 'maintain' (or 'force'): refresh what is due, skip
// what is not (or is too young for the platform), alert on what no refresh can save, and report
// every outcome as data and as an event. Bounded concurrency; one account's failure never stops
// the others.
const { codes } = require('./errors');
const { emit, emitFailure } = require('./events');
const lifecycle = require('./lifecycle');
const store = require('./store');

// FAILURES: outcomes that make `keryx auth refresh` exit non-zero.
const FAILURES = new Set(['expired', 'revoked', 'rotation_lost', 'failed']);

/**
 * after: the policy's decision for the record a refresh just stored (so `refreshAt` is the next
 * refresh, not the one that just happened), or null. Only a token-free summary reaches the policy.
 */
async function after(r, options) {
  const { record } = r;
  const summary = {
    platform: r.platform,
    account: r.account,
    hasAccessToken: Boolean(record.accessToken),
    hasRefreshToken: Boolean(record.refreshToken),
    obtainedAt: record.obtainedAt || 0,
    expiresAt: record.expiresAt || 0,
    refreshExpiresAt: record.refreshExpiresAt || 0,
    metadata: {},
  };
  try {
    return await lifecycle.decide(summary, { now: r.now, policy: options.policy, configPath: options.configPath });
  } catch {
    return null;
  }
}

async function outcomeOf(r, options) {
  const d = r.decision;
  const base = { platform: r.platform, account: r.account, reason: d.reason, shape: d.shape, expiresAt: r.record.expiresAt || null, refreshAt: d.refreshAt, now: r.now };
  if (r.refreshed) {
    const next = await after(r, options);
    const more = next ? { refreshAt: next.refreshAt, ...(next.expiring ? { expiring: true, expiringAt: next.expiringAt, expiringReason: next.reason } : {}) } : {};
    return { ...base, ...more, status: 'refreshed', rotated: r.rotated, persisted: r.persisted, recovered: r.recovered };
  }
  if (d.action === 'too_early') return { ...base, status: 'too_early', notBefore: d.notBefore };
  if (d.expiring) return { ...base, status: 'expiring', expiringAt: d.expiringAt };
  return { ...base, status: 'ok' };
}

/** tooEarly: when a forced refresh the platform refused may be tried (notBefore), from the policy. */
async function tooEarly(row, options) {
  try {
    const d = await lifecycle.decide(row, { now: options.now, policy: options.policy, configPath: options.configPath, env: options.env, purpose: 'force' });
    return { notBefore: d.notBefore, expiresAt: row.expiresAt || null, now: d.now };
  } catch {
    return {};
  }
}

/** failureOf: the result for an account whose upkeep threw (an error without a code is internal). */
function failureOf(row, err) {
  const { platform, account } = row;
  const code = typeof err.code === 'string' && err.code ? err.code : codes.INTERNAL;
  const { message } = err;
  const status = code === codes.TOKEN_EXPIRED ? 'expired'
    : code === codes.TOKEN_REVOKED ? 'revoked'
    : code === codes.ROTATION_LOST ? 'rotation_lost'
    : 'failed';
  return { platform, account, status, code, message };
}

/** announce: raises the events of one outcome (on keryx.events and `emitter`). */
function announce(o, emitter) {
  const command = `keryx auth ${o.platform}`;
  switch (o.status) {
    case 'refreshed':
      emit('token.refreshed', { platform: o.platform, account: o.account, expiresAt: o.expiresAt, reason: o.reason, rotated: o.rotated }, emitter);
      if (o.persisted === false) emit('token.persist_failed', { platform: o.platform, account: o.account, severity: 'critical', message: 'the refreshed token could not be written to the vault' }, emitter);
      if (o.expiring) emit('token.expiring', { platform: o.platform, account: o.account, expiresAt: o.expiringAt, reason: o.expiringReason, command }, emitter);
      break;
    case 'expiring':
      emit('token.expiring', { platform: o.platform, account: o.account, expiresAt: o.expiringAt, reason: o.reason, command }, emitter);
      break;
    case 'revoked':
    case 'rotation_lost':
    case 'expired':
    case 'failed':
      emitFailure(o.platform, o.account, o, {}, emitter);
      break;
    default:
  }
}

/**
 * refreshDue: upkeep of every stored account (or those of `platform`, or one `account`).
 * Options: platform, account, force, takeOver, now, policy, storeOptions, configPath, env,
 * concurrency (4), timeoutMs, emitter (an extra EventEmitter for the events).
 * Resolves `{ results: [...], failed: n }`; each result has platform, account, status (refreshed,
 * ok, too_early, expiring, expired, revoked, rotation_lost, failed) and its details (times in Unix
 * seconds: expiresAt, refreshAt = the next scheduled refresh, notBefore, expiringAt, and `now`, the
 * clock they were judged by: the sandbox's for sandbox accounts).
 */
async function refreshDue(options = {}) {
  const { platform, account, force = false, concurrency = 4, emitter, storeOptions = {} } = options;
  let rows = await store.list(storeOptions);
  if (platform) rows = rows.filter((r) => r.platform === platform);
  if (account) rows = rows.filter((r) => r.account === String(account));
  const results = new Array(rows.length);
  let next = 0;
  async function worker() {
    while (next < rows.length) {
      const i = next++;
      const row = rows[i];
      let outcome;
      try {
        const r = await lifecycle.run(row.platform, { ...options, account: row.account, listed: row, purpose: force ? 'force' : 'maintain' });
        outcome = await outcomeOf(r, options);
      } catch (err) {
        outcome = err.code === codes.REFRESH_TOO_EARLY
          ? { platform: row.platform, account: row.account, status: 'too_early', code: err.code, message: err.message, ...(await tooEarly(row, options)) }
          : failureOf(row, err);
      }
      results[i] = outcome;
      announce(outcome, emitter);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, rows.length)) }, worker));
  return { results, failed: results.filter((r) => FAILURES.has(r.status)).length };
}

module.exports = { refreshDue, FAILURES };
