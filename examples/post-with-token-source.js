'use strict';
// examples/post-with-token-source.js: what a posting script does once an account is authorized:
// ask keryx for a token at each post and let it keep the token alive. It runs against the keryx
// sandbox (TikTok's OAuth server emulated in this process, with a clock the script moves), so it
// needs no account and no network; the account is seeded there instead of authorized in a browser.
// It shows: keryx.tokenSource(...).getToken() minting a fresh TikTok access token for each post
// while the rotated refresh token is stored before the token is handed out; the events keryx
// raises (never with a token in them); a token that outlived its refresh token; and
// keryx.refreshDue(), what `keryx auth refresh --all` runs from cron.
//   node examples/post-with-token-source.js
//
// With a real account: `keryx auth tiktok` once, then in the posting script only
//   const token = await keryx.getAccessToken('tiktok');
// (or TIKTOK_ACCESS_TOKEN in the environment, which keryx then uses as is).
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

process.env.KERYX_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-example-'));
process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
for (const name of ['KERYX_CONFIG', 'KERYX_VAULT', 'TIKTOK_ACCESS_TOKEN', 'TIKTOK_REFRESH_TOKEN']) delete process.env[name];
const keryx = require('..');
const { startSandbox } = require('../js/sandbox');

async function main(sb) {
  // An authorized TikTok account, as `keryx auth tiktok` would have stored it.
  const { accounts: [a] } = await sb.seed('tiktok', {});
  const now = Math.floor(sb.clock.now() / 1000);
  await keryx.store.put({
    platform: 'tiktok',
    account: a.accountId,
    accessToken: a.accessToken,
    refreshToken: a.refreshToken,
    obtainedAt: now,
    expiresAt: now + a.expiresIn,
    refreshExpiresAt: now + a.refreshExpiresIn,
    metadata: { sandbox: sb.url },
  });

  keryx.events.on('event', (e) => console.log(`  event ${e.event}: ${e.platform} ${e.account || ''} ${e.reason || e.code || ''}`.trimEnd()));
  const tiktok = keryx.tokenSource('tiktok');
  for (let post = 1; post <= 3; post += 1) {
    const { accessToken, expiresAt, source } = await tiktok.getToken();
    const res = await fetch(`${sb.url}/tiktok/v2/user/info/?fields=open_id`, { headers: { Authorization: `Bearer ${accessToken}` } });
    console.log(`post ${post}: token from the ${source}, valid until ${new Date(expiresAt * 1000).toISOString()}; API answered HTTP ${res.status}`);
  }

  // Scheduled upkeep (what `keryx auth refresh --all` does): nothing is due right now.
  const { results } = await keryx.refreshDue({});
  console.log(`upkeep: ${results.map((r) => `${r.platform} ${r.status} (${r.reason})`).join(', ')}`);

  // A year and a day later the refresh token itself has expired: keryx says what to run.
  sb.clock.advance(366 * 24 * 3600);
  try {
    await tiktok.getToken();
  } catch (err) {
    console.log(`a year later -> [${err.code}]: ${err.message}`);
  }
}

(async () => {
  const sb = await startSandbox({ autoApprove: true });
  try {
    await main(sb);
  } finally {
    await sb.close();
  }
})().catch((err) => {
  console.error(`[${err.code || 'error'}] ${err.message}`);
  process.exit(1);
});
