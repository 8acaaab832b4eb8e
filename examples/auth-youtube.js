'use strict';
// examples/auth-youtube.js: authorize keryx with YouTube (Google OAuth for a Desktop client), then
// call the YouTube Data API with the stored token, as an upload script would. It runs against the
// keryx sandbox (an emulator of Google's OAuth server started in this process), so it needs no
// Google account, no browser and no network: the script plays the browser itself. What it shows:
// the loopback callback on any free port (nothing to register), PKCE S256, the scope check, the
// channel id written to the config, and a refresh token that does not rotate.
// Runs on its own in a throwaway folder (KERYX_HOME) with a random KERYX_VAULT_KEY:
//   node examples/auth-youtube.js
//
// Against the real YouTube (docs/platforms/youtube.md): create an OAuth client of type
// "Desktop app" in a Google Cloud project with the YouTube Data API v3 enabled, then
//   keryx config set platforms.youtube.client_id <client id>
//   export YOUTUBE_CLIENT_SECRET=<client secret>
// drop the `sandbox` option and the throwaway KERYX_HOME / KERYX_VAULT_KEY lines, and in
// onAuthorize print ctx.url, open it with `await keryx.browser.open(ctx.url)` and hand a pasted
// redirected URL to ctx.offer(text) instead of fetching the URL yourself. The API is then
// https://www.googleapis.com/youtube/v3/channels.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-example-'));
process.env.KERYX_HOME = home;
process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
for (const name of ['KERYX_CONFIG', 'KERYX_VAULT', 'YOUTUBE_ACCESS_TOKEN', 'YOUTUBE_REFRESH_TOKEN']) delete process.env[name];
const keryx = require('..');
const { startSandbox } = require('../js/sandbox');

async function main(sb) {
  const summary = await keryx.auth('youtube', {
    sandbox: sb.url,
    timeoutMs: 30000,
    onAuthorize: async (ctx) => {
      console.log(`Callback: ${ctx.redirectUri}`);
      console.log(`Authorize URL (a person would open this): ${ctx.url}`);
      // Play the browser: the auto-approving sandbox answers with a redirect to the callback,
      // whose query holds the code. Follow it without printing it.
      const approved = await fetch(ctx.url, { redirect: 'manual' });
      const callback = await fetch(approved.headers.get('location'));
      console.log(`Google redirected (HTTP ${approved.status}); keryx's callback page answered HTTP ${callback.status}.`);
    },
  });

  console.log(`Authorized YouTube channel ${summary.account} (${summary.fields.channel_title}), code from the ${summary.source}.`);
  for (const [key, value] of Object.entries(summary.config)) console.log(`  config platforms.youtube.${key} = ${value}`);
  console.log(`  access token expires ${new Date(summary.expiresAt * 1000).toISOString()}`);
  console.log(`  refresh token stored: ${summary.hasRefreshToken} (shape: ${summary.tokenShape})`);
  console.log(`  granted: ${summary.scopes.join(' ')}`);

  // What an upload script does: take the token (environment first, then the vault) and call the API.
  const t = await keryx.store.resolve('youtube');
  const res = await fetch(`${sb.url}/google/youtube/v3/channels?part=id&mine=true`, { headers: { Authorization: `Bearer ${t.accessToken}` } });
  const body = await res.json();
  console.log(`GET /youtube/v3/channels with the token from the ${t.source}: HTTP ${res.status}, channel ${body.items[0].id}`);

  // One forced refresh (keryx.refresh; posting code calls keryx.getAccessToken instead): Google
  // mints a new access token and keeps the same refresh token, which keryx keeps in the vault.
  const refreshed = await keryx.refresh('youtube');
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
