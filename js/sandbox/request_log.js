'use strict';
// request_log.js: what the sandbox answered, for tests to inspect. One entry per answered (or
// hung) request: { platform, endpoint, method, status, at } and, when an OAuth endpoint (token,
// refresh, exchange, revoke) refused, the platform's error code: `error` ('invalid_grant', or
// Instagram's 'OAuthException') plus Instagram's numeric `errorCode` / `errorSubcode`. Never a
// parameter value, so never a code or a token: error codes come from the sandbox's own answers.
//
// The kept entries are capped (oldest dropped first); `total` and the per-endpoint error counts
// go on counting past the cap, so a long benchmark can still count its invalid_grant answers.

const DEFAULT_LIMIT = 10000;
const OAUTH_ENDPOINTS = Object.freeze(['token', 'refresh', 'exchange', 'revoke']);

/**
 * oauthErrorOf: the error fields to log for a JSON answer `value` of `endpoint`, or null when the
 * endpoint is not an OAuth one or the answer carries no error.
 */
function oauthErrorOf(endpoint, value) {
  if (!OAUTH_ENDPOINTS.includes(endpoint) || value === null || typeof value !== 'object') return null;
  if (typeof value.error === 'string') return { error: value.error };
  const graph = value.error;
  if (graph && typeof graph === 'object' && typeof graph.type === 'string') {
    const fields = { error: graph.type };
    if (Number.isInteger(graph.code)) fields.errorCode = graph.code;
    if (Number.isInteger(graph.error_subcode)) fields.errorSubcode = graph.error_subcode;
    return fields;
  }
  if (typeof value.error_type === 'string') {
    const fields = { error: value.error_type };
    if (Number.isInteger(value.code)) fields.errorCode = value.code;
    return fields;
  }
  return null;
}

class RequestLog {
  constructor(limit = DEFAULT_LIMIT) {
    this.limit = limit;
    this.entries = []; // handed out as `sandbox.requests`: the same array for the sandbox's life
    this.total = 0;
    this.errorCounts = new Map(); // '<platform>.<endpoint>' -> Map(error label -> count)
  }

  /** add: appends `entry`, dropping the oldest past the cap (shift is O(1) here, splice is not). */
  add(entry) {
    this.total += 1;
    this.entries.push(entry);
    while (this.entries.length > this.limit) this.entries.shift();
    if (entry.error !== undefined) {
      const where = `${entry.platform}.${entry.endpoint}`;
      const label = entry.errorCode === undefined ? entry.error : `${entry.error}:${entry.errorCode}`;
      if (!this.errorCounts.has(where)) this.errorCounts.set(where, new Map());
      const counts = this.errorCounts.get(where);
      counts.set(label, (counts.get(label) || 0) + 1);
    }
  }

  /**
   * summary: { total, kept, limit, errors } where errors maps '<platform>.<endpoint>' to counts
   * per error ('invalid_grant', or 'OAuthException:190' for Instagram), since the start.
   */
  summary() {
    const errors = {};
    for (const [where, counts] of this.errorCounts) errors[where] = Object.fromEntries(counts);
    return { total: this.total, kept: this.entries.length, limit: this.limit, errors };
  }
}

module.exports = { RequestLog, oauthErrorOf, OAUTH_ENDPOINTS };
