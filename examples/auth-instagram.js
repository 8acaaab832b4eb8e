'use strict';
// examples/auth-instagram.js: authorize keryx with Instagram (Business Login for Instagram), then
// call the Graph API's /me with the stored token, as a publishing script would. It runs against
// the keryx sandbox (an emulator of Instagram's OAuth server started in this process), so it needs
// no Instagram account, no browser and no network: the script plays the browser itself. What it
// shows: the https callback on the first free port of 3764-3769 with a certificate made in memory
// for this run, the code arriving with Instagram's `#_` suffix, the short-lived token exchanged
// for a 60-day one, the account id (beyond 2^53) kept exact in the config, and the refresh rule
// (a long-lived token can be refreshed only once it is 24 hours old).
// Runs on its own in a throwaway folder (KERYX_HOME) with a random KERYX_VAULT_KEY:
//   node examples/auth-instagram.js
//
// Against the real Instagram (docs/platforms/instagram.md): in a Meta app with the product
// "Instagram" (API setup with Instagram login), register https://localhost:3764/ (better all six
// ports up to https://localhost:3769/) as OAuth redirect URIs, then
//   keryx config set platforms.instagram.app_id <Instagram app ID>
//   export INSTAGRAM_APP_SECRET=<Instagram app secret>
// drop the `sandbox` option, the clock lines and the throwaway KERYX_HOME / KERYX_VAULT_KEY lines,
// and in onAuthorize print ctx.url, open it with `await keryx.browser.open(ctx.url)` and hand a
// pasted redirected URL to ctx.offer(text) instead of fetching the URL yourself (the browser will
// warn once about the callback's self-signed certificate). The API is then
// https://graph.instagram.com/v25.0/me.
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-example-'));
process.env.KERYX_HOME = home;
process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
for (const name of ['KERYX_CONFIG', 'KERYX_VAULT', 'INSTAGRAM_ACCESS_TOKEN', 'INSTAGRAM_REFRESH_TOKEN']) delete process.env[name];
const keryx = require('..');
const { startSandbox } = require('../js/sandbox');

/** getOverTls: GET an https://localhost URL, trusting only this run's certificate; the status. */
function getOverTls(url, certPem) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: certPem, servername: 'localhost', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', reject);
  });
}

async function main(sb) {
  const summary = await keryx.auth('instagram', {
    sandbox: sb.url,
    listen: 'loopback', // the https callback listens on 127.0.0.1 and ::1 only (default: all interfaces)
    timeoutMs: 30000,
    onAuthorize: async (ctx) => {
      if (ctx.skippedPorts.length) console.log(`Ports ${ctx.skippedPorts.join(', ')} are busy.`);
      console.log(`Callback: ${ctx.redirectUri} (https: ${ctx.tls}, listening on ${ctx.boundAddresses.join(' and ')})`);
      console.log(`Authorize URL (a person would open this): ${ctx.url}`);
      // Play the browser: the auto-approving sandbox redirects to the callback with the code and
      // Instagram's trailing `#_` (a browser never sends a fragment; keryx also ignores it in a
      // paste). The callback is https with a certificate made in memory for this run: trust
      // exactly that one. Nothing here prints the redirect, which holds the code.
      const approved = await fetch(ctx.url, { redirect: 'manual' });
      const location = approved.headers.get('location').replace(/#_$/, '');
      const status = await getOverTls(location, ctx.certPem);
      console.log(`Instagram redirected (HTTP ${approved.status}); keryx's callback page answered HTTP ${status} over TLS.`);
    },
  });

  console.log(`Authorized Instagram account ${summary.account} (${summary.fields.username}), code from the ${summary.source}.`);
  for (const [key, value] of Object.entries(summary.config)) console.log(`  config platforms.instagram.${key} = ${value}`);
  console.log(`  user_id as stored in the config file: ${await keryx.config.getJson('platforms.instagram.user_id')} (a string: it is beyond 2^53)`);
  console.log(`  long-lived access token expires ${new Date(summary.expiresAt * 1000).toISOString()}`);
  console.log(`  refresh token stored: ${summary.hasRefreshToken} (shape: ${summary.tokenShape}: the access token refreshes itself)`);
  console.log(`  granted: ${summary.scopes.join(', ')}`);

  // What a publishing script does: take the token (environment first, then the vault) and call the API.
  const t = await keryx.store.resolve('instagram');
  const res = await fetch(`${sb.url}/instagram/me?fields=user_id,username`, { headers: { Authorization: `Bearer ${t.accessToken}` } });
  const body = await res.json();
  console.log(`GET /me with the token from the ${t.source}: HTTP ${res.status}, user_id ${body.user_id}, username ${body.username}`);

  // One forced refresh (keryx.refresh; upkeep is `keryx auth refresh`). Instagram refuses to refresh a
  // token younger than 24 hours; the sandbox's clock is moved a day ahead to show both answers.
  try {
    await keryx.refresh('instagram');
  } catch (err) {
    console.log(`Refresh right away -> [${err.code}]: ${err.message}`);
  }
  sb.clock.advance(25 * 3600);
  const refreshed = await keryx.refresh('instagram');
  console.log(`Refresh 25 hours later (sandbox clock): new 60-day token until ${new Date(refreshed.expiresAt * 1000).toISOString()}`);
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
