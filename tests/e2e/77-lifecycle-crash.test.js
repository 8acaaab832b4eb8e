'use strict';
// 77-lifecycle-crash.test.js: SIGKILL at random moments of a process rotating TikTok tokens in a
// loop, across at least 300 rotations. After every kill: the vault opens, and either it holds the
// refresh token the sandbox holds as current (and the next use works), or the kill fell between
// the sandbox rotating and keryx storing the answer, and keryx reports exactly that as
// rotation_lost (counted separately) instead of a generic failure. The sandbox holds each refresh
// answer back for a random 0-25 ms after rotating, to widen that window.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSandbox } = require('../../js/sandbox');
const { freshHome, seedAccount, runWorker } = require('./lifecycle_harness');

const MIN_ROTATIONS = 300;
const MIN_RUNS = 40;
let keryx;
let sb;
let env;

before(async () => {
  ({ env } = freshHome());
  keryx = require('../../js');
  sb = await startSandbox({ autoApprove: true });
});
after(async () => sb && sb.close());

test(`SIGKILL at random points across >= ${MIN_ROTATIONS} rotations: the vault always opens, and a lost rotation is reported as rotation_lost`, async () => {
  let a = await seedAccount(keryx, sb, 'tiktok');
  const userId = a.userId;
  const tally = { runs: 0, rotations: 0, intact: 0, markerLeft: 0, lost: 0 };
  while (tally.rotations < MIN_ROTATIONS || tally.runs < MIN_RUNS) {
    tally.runs += 1;
    sb.setKnobs({ refreshDelayMs: Math.floor(Math.random() * 26) });
    const before = sb.tokens.rotations('tiktok', userId);
    const run = await runWorker(['loop', 'tiktok'], env, { killAfterMs: 150 + Math.floor(Math.random() * 450) });
    assert.equal(run.signal, 'SIGKILL', `run ${tally.runs} ended by itself: ${run.stdout.slice(-200)} ${run.stderr.slice(-500)}`);
    assert.doesNotMatch(run.stdout, /^error /m, `run ${tally.runs}: a use failed before the kill`);
    tally.rotations += sb.tokens.rotations('tiktok', userId) - before;

    // The vault opens (no torn write) and says where the account stands.
    const stored = await keryx.store.get('tiktok');
    if (stored.metadata['keryx.refresh_in_flight']) tally.markerLeft += 1;
    sb.setKnobs({ refreshDelayMs: 0 });
    if (stored.refreshToken === sb.tokens.currentRefreshToken('tiktok', userId)) {
      tally.intact += 1;
      const token = await keryx.getAccessToken('tiktok');  // the stored token is accepted
      assert.ok(sb.tokens.isValid('tiktok', token));
    } else {
      tally.lost += 1;
      await assert.rejects(keryx.getAccessToken('tiktok'), (err) => err.code === 'rotation_lost' && /keryx auth tiktok/.test(err.message), `run ${tally.runs}`);
      // Recovery as a person would: authorize again (a new grant for the same user).
      a = await seedAccount(keryx, sb, 'tiktok', { userIds: [userId] });
      assert.equal(a.userId, userId);
    }
  }
  console.log(`# ${tally.runs} killed runs, ${tally.rotations} rotations: ${tally.intact} intact (${tally.markerLeft} with an in-flight marker left), ${tally.lost} rotation_lost`);
  assert.equal(tally.intact + tally.lost, tally.runs);
});
