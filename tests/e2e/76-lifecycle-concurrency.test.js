'use strict';
// 76-lifecycle-concurrency.test.js: 8 processes x 100 getAccessToken('tiktok') calls at once
// against the sandbox's rotating refresh tokens. Every rotation kills the previous refresh token,
// so one unserialised refresh shows up as invalid_grant. Done when: zero invalid_grant (at the
// sandbox and in the callers), every call answered, and the vault ends holding the refresh token
// the sandbox holds as current.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSandbox } = require('../../js/sandbox');
const { freshHome, seedAccount, runWorker } = require('./lifecycle_harness');

const PROCESSES = 8;
const CALLS = 100;
let keryx;
let sb;
let env;

before(async () => {
  ({ env } = freshHome());
  keryx = require('../../js');
  sb = await startSandbox({ autoApprove: true });
});
after(async () => sb && sb.close());

test(`${PROCESSES} processes x ${CALLS} getAccessToken('tiktok') at once: no invalid_grant, and the vault holds the live refresh token`, async () => {
  const a = await seedAccount(keryx, sb, 'tiktok');
  const startAt = Date.now() + 1500;  // every process loaded and waiting before the first call
  const started = Date.now();
  const runs = await Promise.all(Array.from({ length: PROCESSES }, () => runWorker(['burst', 'tiktok', String(CALLS), '1', String(startAt)], env)));
  const elapsed = Date.now() - started;
  const totals = { calls: 0, ok: 0, errors: {} };
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim().split('\n').pop());
    totals.calls += line.calls;
    totals.ok += line.ok;
    for (const [code, n] of Object.entries(line.errors)) totals.errors[code] = (totals.errors[code] || 0) + n;
  }
  const invalidGrantAtSandbox = sb.requests.filter((r) => r.platform === 'tiktok' && r.error === 'invalid_grant').length;
  const rotations = sb.tokens.rotations('tiktok', a.userId);
  console.log(`# ${totals.calls} calls in ${PROCESSES} processes: ${totals.ok} ok, errors ${JSON.stringify(totals.errors)}, ${rotations} rotations, ${invalidGrantAtSandbox} invalid_grant at the sandbox, ${elapsed} ms`);
  assert.equal(totals.calls, PROCESSES * CALLS);
  assert.deepEqual(totals.errors, {});
  assert.equal(totals.ok, PROCESSES * CALLS);
  assert.equal(invalidGrantAtSandbox, 0);
  assert.ok(rotations >= PROCESSES, 'the processes did rotate the token');
  const stored = await keryx.store.get('tiktok');
  assert.equal(stored.refreshToken, sb.tokens.currentRefreshToken('tiktok', a.userId));
  assert.equal(stored.metadata['keryx.refresh_in_flight'], undefined);
  assert.ok(sb.tokens.isValid('tiktok', stored.accessToken));
});
