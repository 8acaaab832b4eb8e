'use strict';
// examples/auth-tiktok.js: authorize keryx with TikTok, then call TikTok's API with the stored
// token, as a posting script would. It runs against the keryx sandbox (an emulator of TikTok's
// OAuth server started in this process), so it needs no TikTok account, no browser and no network:
// the script plays the browser itself. What it shows: the desktop flow's loopback callback on a
// random port under /callback/, PKCE with TikTok's hex challenge, the open_id written to the
// config, and a refresh token that rotates on every refresh.
// Runs on its own in a throwaway folder (KERYX_HOME) with a random KERYX_VAULT_KEY:
//   node examples/auth-tiktok.js
//
// Against the real TikTok (docs/platforms/tiktok.md): register the desktop redirect
// http://127.0.0.1:*/callback/ for your app, then
//   keryx config set platforms.tiktok.client_key <client key>
//   export TIKTOK_CLIENT_SECRET=<client secret>
// drop the `sandbox` option and the throwaway KERYX_HOME / KERYX_VAULT_KEY lines, and in
// onAuthorize print ctx.url, open it with `await keryx.browser.open(ctx.url)` and hand a pasted
// redirected URL to ctx.offer(text) instead of fetching the URL yourself. The API is then
// https://open.tiktokapis.com/v2/user/info/.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-example-'));
process.env.KERYX_HOME = home;
process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
for (const name of ['KERYX_CONFIG', 'KERYX_VAULT', 'TIKTOK_ACCESS_TOKEN', 'TIKTOK_REFRESH_TOKEN']) delete process.env[name];
const keryx = require('..');
const { startSandbox } = require('../js/sandbox');

async function main(sb) {
  const summary = await keryx.auth('tiktok', {
    sandbox: sb.url,
    timeoutMs: 30000,
    onAuthorize: async (ctx) => {
      console.log(`Callback: ${ctx.redirectUri}`);
      console.log(`Authorize URL (a person would open this): ${ctx.url}`);
      // Play the browser: the auto-approving sandbox answers with a redirect to the callback,
      // whose query holds the code. Follow it without printing it.
      const approved = await fetch(ctx.url, { redirect: 'manual' });
      const callback = await fetch(approved.headers.get('location'));
      console.log(`TikTok redirected (HTTP ${approved.status}); keryx's callback page answered HTTP ${callback.status}.`);
    },
  });

  console.log(`Authorized TikTok account ${summary.account} (code from the ${summary.source}).`);
  for (const [key, value] of Object.entries(summary.config)) console.log(`  config platforms.tiktok.${key} = ${value}`);
  console.log(`  config platforms.tiktok.privacy = ${await keryx.config.get('platforms.tiktok.privacy')} (set on first login when unset)`);
  console.log(`  access token expires ${new Date(summary.expiresAt * 1000).toISOString()}`);
  console.log(`  refresh token expires ${new Date(summary.refreshExpiresAt * 1000).toISOString()} (shape: ${summary.tokenShape})`);
  console.log(`  granted: ${summary.scopes.join(', ')}`);

  // What a posting script does: take the token (environment first, then the vault) and call the API.
  const t = await keryx.store.resolve('tiktok');
  const res = await fetch(`${sb.url}/tiktok/v2/user/info/?fields=open_id`, { headers: { Authorization: `Bearer ${t.accessToken}` } });
  const body = await res.json();
  console.log(`GET /v2/user/info/ with the token from the ${t.source}: HTTP ${res.status}, open_id ${body.data.user.open_id}, error.code "${body.error.code}"`);

  // One forced refresh (keryx.refresh; posting code calls keryx.getAccessToken instead): TikTok
  // hands out a new refresh token each time and the old one stops working; keryx stores the new
  // pair before returning.
  const refreshed = await keryx.refresh('tiktok');
  console.log(`Refreshed: new access token until ${new Date(refreshed.expiresAt * 1000).toISOString()}, refresh token rotated: ${refreshed.rotated}`);
}

(async () => {
  const sb = await startSandbox({ autoApprove: true });
  try {
    await main(sb);
  } finally {
    await sb.close();
  }
})()
  .catch((err) => {
    console.error(`failed [${err.code}]: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(home, { recursive: true, force: true }));
