'use strict';
// 75-lifecycle-shapes.test.js: each token shape's policy through the public API (tokenSource,
// getAccessToken, refresh, refreshDue, events) against the sandbox, whose clock the tests move:
// Instagram's long-lived token (no refresh under 24 h, refreshed before expiry), YouTube's
// non-rotating refresh token, TikTok's rotation on every use, LinkedIn's alert and expiry (and a
// refresh token it hands out unexpectedly), revocation, a lost rotation, one holder per rotating
// token, and the environment override.
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startSandbox } = require('../../js/sandbox');
const { freshHome, seedAccount, collect, tokenFree } = require('./lifecycle_harness');

const DAY = 24 * 3600;
let keryx;
let sb;

before(async () => {
  freshHome();
  keryx = require('../../js');
  sb = await startSandbox({ autoApprove: true });
});
after(async () => sb && sb.close());
beforeEach(() => {
  freshHome();
  sb.resetKnobs();
});

const refreshCalls = (platform) => sb.requests.filter((r) => r.platform === platform && r.endpoint === 'refresh').length;

test('Instagram: no refresh under 24 h; upkeep refreshes in the second half of the 60 days, before expiry', async () => {
  const a = await seedAccount(keryx, sb, 'instagram');
  const events = collect(keryx.events);
  await assert.rejects(keryx.refresh('instagram'), (err) => err.code === 'refresh_too_early' && /can be refreshed from \d{4}-/.test(err.message));
  const early = await keryx.refreshDue({ platform: 'instagram' });
  assert.equal(early.results[0].status, 'ok');
  assert.equal(early.results[0].reason, 'not_due');
  const calls = refreshCalls('instagram');
  sb.clock.advance(31 * DAY);
  const due = await keryx.refreshDue({ platform: 'instagram' });
  assert.equal(due.results[0].status, 'refreshed', JSON.stringify(due));
  assert.equal(refreshCalls('instagram'), calls + 1);
  const stored = await keryx.store.get('instagram');
  assert.notEqual(stored.accessToken, a.accessToken);
  assert.ok(sb.tokens.isValid('instagram', stored.accessToken));
  const nowSec = Math.floor(sb.clock.now() / 1000);
  assert.ok(stored.expiresAt >= nowSec + 59 * DAY, 'a fresh 60-day token');
  assert.deepEqual(events.names(), ['token.refreshed']);
  // Past its expiry an Instagram token cannot be refreshed: token_expired names the command.
  sb.clock.advance(61 * DAY);
  await assert.rejects(keryx.getAccessToken('instagram'), (err) => err.code === 'token_expired' && /keryx auth instagram/.test(err.message));
  assert.ok(tokenFree(events.seen, [a.accessToken, stored.accessToken]));
});

test('YouTube: the access token is reused while fresh, then minted from a refresh token that does not rotate', async () => {
  const a = await seedAccount(keryx, sb, 'youtube');
  const source = keryx.tokenSource('youtube');
  const first = await source.getToken();
  assert.equal(first.accessToken, a.accessToken);
  assert.equal(first.source, 'vault');
  assert.equal(refreshCalls('google'), 0);
  sb.clock.advance(3600);
  const events = collect(source);
  const second = await source.getToken();
  assert.notEqual(second.accessToken, a.accessToken);
  assert.ok(sb.tokens.isValid('google', second.accessToken));
  assert.equal(refreshCalls('google'), 1);
  const stored = await keryx.store.get('youtube');
  assert.equal(stored.refreshToken, a.refreshToken, 'the refresh token stays the same');
  assert.equal(stored.accessToken, second.accessToken);
  assert.deepEqual(events.names(), ['token.refreshed']);
  assert.equal(events.seen[0].rotated, false);
});

test('TikTok: every use mints a new access token, and each rotated refresh token is stored before it is returned', async () => {
  const a = await seedAccount(keryx, sb, 'tiktok');
  const events = collect(keryx.events);
  const seen = new Set();
  for (let i = 0; i < 5; i += 1) {
    const token = await keryx.getAccessToken('tiktok');
    assert.ok(sb.tokens.isValid('tiktok', token));
    seen.add(token);
    const stored = await keryx.store.get('tiktok');
    assert.equal(stored.refreshToken, sb.tokens.currentRefreshToken('tiktok', a.userId), `after use ${i + 1} the vault holds the live refresh token`);
    assert.equal(stored.metadata['keryx.refresh_in_flight'], undefined);
  }
  assert.equal(seen.size, 5);
  assert.equal(sb.tokens.rotations('tiktok', a.userId), 5);
  assert.deepEqual(events.names(), Array(5).fill('token.refreshed'));
  assert.ok(events.seen.every((e) => e.rotated === true && e.reason === 'mint_on_use'));
  // Concurrent callers in one process share one refresh.
  const before = sb.tokens.rotations('tiktok', a.userId);
  const tokens = await Promise.all(Array.from({ length: 10 }, () => keryx.getAccessToken('tiktok')));
  assert.equal(new Set(tokens).size, 1);
  assert.equal(sb.tokens.rotations('tiktok', a.userId), before + 1);
  // With mintOnUse off, a fresh access token is reused.
  const reuse = keryx.tokenSource('tiktok', { policy: { mintOnUse: false } });
  const r1 = await reuse.getAccessToken();
  const r2 = await reuse.getAccessToken();
  assert.equal(r1, r2);
});

test('LinkedIn: alert 7 days before expiry, then token_expired with the re-auth command', async () => {
  const a = await seedAccount(keryx, sb, 'linkedin');
  const events = collect(keryx.events);
  sb.clock.advance(52 * DAY);
  assert.equal((await keryx.refreshDue({ platform: 'linkedin' })).results[0].status, 'ok');
  sb.clock.advance(2 * DAY);  // 6 days left
  const due = await keryx.refreshDue({ platform: 'linkedin' });
  assert.equal(due.results[0].status, 'expiring');
  assert.equal(due.failed, 0);
  assert.deepEqual(events.names(), ['token.expiring']);
  assert.equal(events.seen[0].platform, 'linkedin');
  assert.equal(events.seen[0].command, 'keryx auth linkedin');
  assert.equal(events.seen[0].expiresAt, new Date(a.record.expiresAt * 1000).toISOString());
  const source = keryx.tokenSource('linkedin');
  assert.equal(await source.getAccessToken(), a.accessToken, 'still usable');
  sb.clock.advance(7 * DAY);
  await assert.rejects(source.getToken(), (err) => err.code === 'token_expired' && /keryx auth linkedin/.test(err.message));
  const gone = await keryx.refreshDue({ platform: 'linkedin' });
  assert.equal(gone.results[0].status, 'expired');
  assert.equal(gone.failed, 1);
  assert.ok(tokenFree(events.seen, [a.accessToken]));
});

test('LinkedIn: a refresh token returned unexpectedly is stored and used', async () => {
  sb.setKnobs({ linkedinRefresh: true });
  const a = await seedAccount(keryx, sb, 'linkedin');
  assert.ok(a.refreshToken, 'the sandbox issued a refresh token');
  assert.equal((await keryx.store.get('linkedin')).refreshToken, a.refreshToken);
  sb.clock.advance(60 * DAY);
  const token = await keryx.getAccessToken('linkedin');
  assert.notEqual(token, a.accessToken);
  assert.ok(sb.tokens.isValid('linkedin', token));
  assert.equal(refreshCalls('linkedin'), 1);
});

test('revocation: invalid_grant marks the account (kept, not deleted), fires token.revoked, and later calls fail at once', async () => {
  const a = await seedAccount(keryx, sb, 'youtube');
  await sb.revokeUser('google', a.userId);
  sb.clock.advance(3600);
  const events = collect(keryx.events);
  await assert.rejects(keryx.getAccessToken('youtube'), (err) => err.code === 'token_revoked' && /keryx auth youtube/.test(err.message));
  assert.deepEqual(events.names(), ['token.revoked']);
  assert.equal(events.seen[0].code, 'token_revoked');
  assert.equal(events.seen[0].command, 'keryx auth youtube');
  const [row] = await keryx.store.list();
  assert.equal(row.metadata['keryx.needs_reauth'], 'revoked');
  assert.equal(row.hasRefreshToken, true, 'the record is kept');
  const calls = refreshCalls('google');
  await assert.rejects(keryx.getAccessToken('youtube'), { code: 'token_revoked' });
  assert.equal(refreshCalls('google'), calls, 'no second request to the platform');
  assert.equal((await keryx.refreshDue({})).results[0].status, 'revoked');
});

test('a lost answer after the platform rotated shows up as rotation_lost, not as a generic failure', async () => {
  const a = await seedAccount(keryx, sb, 'tiktok');
  sb.setKnobs({ refreshDelayMs: 1500 });
  const events = collect(keryx.events);
  const source = keryx.tokenSource('tiktok', { timeoutMs: 300 });
  await assert.rejects(source.getToken(), { code: 'timeout' });
  assert.equal(sb.tokens.rotations('tiktok', a.userId), 1, 'the sandbox rotated');
  sb.setKnobs({ refreshDelayMs: 0 });
  await assert.rejects(source.getToken(), (err) => err.code === 'rotation_lost' && /keryx auth tiktok/.test(err.message));
  assert.deepEqual(events.names(), ['token.refresh_failed', 'rotation_lost']);
  const [row] = await keryx.store.list();
  assert.equal(row.metadata['keryx.needs_reauth'], 'rotation_lost');
});

test('one holder per rotating token: a vault copied from another install is not rotated unless taken over', async () => {
  const a = await seedAccount(keryx, sb, 'tiktok');
  const stored = await keryx.store.get('tiktok');
  assert.match(stored.metadata['keryx.holder'], /^[0-9a-f]{32}$/, 'the storing install holds it');
  await keryx.store.put({ ...stored, metadata: { ...stored.metadata, 'keryx.holder': 'f'.repeat(32) } });
  await assert.rejects(keryx.getAccessToken('tiktok'), (err) => err.code === 'holder_mismatch' && /--take-over/.test(err.message));
  assert.equal(sb.tokens.rotations('tiktok', a.userId), 0, 'nothing was rotated');
  const token = await keryx.tokenSource('tiktok', { takeOver: true }).getAccessToken();
  assert.ok(sb.tokens.isValid('tiktok', token));
  assert.equal((await keryx.store.get('tiktok')).metadata['keryx.holder'], stored.metadata['keryx.holder']);
});

test('environment: an access token is used as is; a non-rotating refresh token is minted in memory; a rotating one is refused', async () => {
  const yt = await sb.seed('google', {});
  const tt = await sb.seed('tiktok', {});
  const env = { ...process.env, INSTAGRAM_ACCESS_TOKEN: 'IG-from-env' };
  assert.deepEqual(
    { ...(await keryx.tokenSource('instagram', { env }).getToken()), vars: undefined },
    { platform: 'instagram', account: null, source: 'env', tokenType: 'Bearer', accessToken: 'IG-from-env', expiresAt: null, vars: undefined },
  );
  process.env.YOUTUBE_CLIENT_SECRET = 'unused';
  const ytEnv = { ...process.env, YOUTUBE_REFRESH_TOKEN: yt.accounts[0].refreshToken };
  await keryx.config.set('platforms.youtube.client_id', require('../../js/sandbox/apps').SANDBOX_APPS.google.clientId);
  await keryx.config.set('platforms.youtube.endpoints.token_url', `${sb.url}/google/token`);
  ytEnv.YOUTUBE_CLIENT_SECRET = require('../../js/sandbox/apps').SANDBOX_APPS.google.clientSecret;
  const minted = await keryx.tokenSource('youtube', { env: ytEnv }).getToken();
  assert.equal(minted.source, 'env');
  assert.ok(sb.tokens.isValid('google', minted.accessToken));
  assert.deepEqual(await keryx.store.list(), [], 'nothing is written for an env token');
  const ttEnv = { ...process.env, TIKTOK_REFRESH_TOKEN: tt.accounts[0].refreshToken };
  await assert.rejects(keryx.tokenSource('tiktok', { env: ttEnv }).getToken(), (err) => err.code === 'holder_mismatch' && /TIKTOK_ACCESS_TOKEN/.test(err.message) && !err.message.includes(tt.accounts[0].refreshToken));
  assert.equal(sb.tokens.rotations('tiktok', tt.accounts[0].userId), 0);
});

test('YouTube: a refresh token of an app in Testing mode (7 days) is alerted on, and expires', async () => {
  sb.setKnobs({ googleTestingMode: true });
  const a = await seedAccount(keryx, sb, 'youtube');
  assert.ok(a.refreshExpiresIn > 0 && a.refreshExpiresIn <= 7 * DAY, 'the sandbox says when the refresh token dies');
  const events = collect(keryx.events);
  const due = await keryx.refreshDue({ platform: 'youtube' });
  assert.equal(due.results[0].status, 'expiring');
  assert.equal(due.results[0].reason, 'refresh_token_expiring');
  assert.deepEqual(events.names(), ['token.expiring']);
  sb.clock.advance(8 * DAY);
  await assert.rejects(keryx.getAccessToken('youtube'), (err) => err.code === 'token_expired' && /keryx auth youtube/.test(err.message));
});

test('a rotated token whose vault write fails is kept in memory, raised as critical, and stored once the vault is writable', async () => {
  const fs = require('node:fs');
  const a = await seedAccount(keryx, sb, 'tiktok');
  const { vaultPath } = await keryx.store.info();
  sb.setKnobs({ refreshDelayMs: 700 });
  const events = collect(keryx.events);
  const pending = keryx.getAccessToken('tiktok');
  // While the sandbox holds its answer back (the marker is already stored), block the vault's
  // next write: its backup path becomes a non-empty directory, so the rename onto it fails.
  await new Promise((resolve) => setTimeout(resolve, 350));
  fs.rmSync(`${vaultPath}.bak`, { force: true });
  fs.mkdirSync(`${vaultPath}.bak/blocker`, { recursive: true });
  try {
    const token = await pending;
    assert.ok(sb.tokens.isValid('tiktok', token), 'the caller still gets the new token');
    assert.deepEqual(events.names(), ['token.refreshed', 'token.persist_failed']);
    const critical = events.seen[1];
    assert.equal(critical.severity, 'critical');
    assert.equal(critical.code, 'io_error');
    assert.ok(tokenFree(events.seen, [token, a.refreshToken, sb.tokens.currentRefreshToken('tiktok', a.userId)]));
    assert.notEqual((await keryx.store.get('tiktok')).refreshToken, sb.tokens.currentRefreshToken('tiktok', a.userId), 'not stored yet');
  } finally {
    fs.rmSync(`${vaultPath}.bak`, { recursive: true, force: true });
  }
  // The held token is written by the retry timer (1 s), before anything refreshes again.
  const deadline = Date.now() + 5000;
  while ((await keryx.store.get('tiktok')).refreshToken !== sb.tokens.currentRefreshToken('tiktok', a.userId)) {
    assert.ok(Date.now() < deadline, 'the held token was not stored within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  sb.setKnobs({ refreshDelayMs: 0 });
  assert.ok(sb.tokens.isValid('tiktok', await keryx.getAccessToken('tiktok')));
  assert.equal((await keryx.store.get('tiktok')).refreshToken, sb.tokens.currentRefreshToken('tiktok', a.userId));
});
