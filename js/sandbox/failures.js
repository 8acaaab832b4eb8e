'use strict';
// failures.js: forced failures from `knobs.fail`, keyed '<platform>.<endpoint>':
//   { status: 503, body?: '...', times?: n }   answer with that status (and body)
//   { hang: true }                            never answer (exercise client timeouts)
//   { error200: true }                        answer 200 with the platform's own error body
// With `times` the entry fires n times and then removes itself; without, it stays until changed.
// Endpoint names: authorize, token, exchange, refresh, revoke, me, userinfo, channels.

/** takeForcedFailure: the failure to apply to this request, or null; counts `times` down. */
function takeForcedFailure(knobs, platform, endpoint) {
  const table = knobs.fail;
  if (!table || typeof table !== 'object') return null;
  const name = `${platform}.${endpoint}`;
  const entry = table[name];
  if (!entry || typeof entry !== 'object') return null;
  if (entry.times !== undefined) {
    const left = Number(entry.times) - 1;
    if (left > 0) table[name] = { ...entry, times: left };
    else delete table[name];
  }
  return entry;
}

module.exports = { takeForcedFailure };
