'use strict';
// examples/auth-linkedin.js: authorize keryx with LinkedIn, then call LinkedIn's userinfo API with
// the stored token, as a posting script would before it posts as urn:li:person:<sub>. It runs
// against the keryx sandbox (an emulator of LinkedIn's OAuth server started in this process), so
// it needs no LinkedIn account, no browser and no network: the script plays the browser itself.
// What it shows: the one pinned redirect http://127.0.0.1:3770/ (LinkedIn matches the registered
// URI exactly; port 3770 must be free), no PKCE, the author URN written to the config, and an
// access token of about 60 days with no refresh token (re-authorize before it expires).
// Runs on its own in a throwaway folder (KERYX_HOME) with a random KERYX_VAULT_KEY:
//   node examples/auth-linkedin.js
//
// Against the real LinkedIn (docs/platforms/linkedin.md): add the products "Sign In with LinkedIn
// using OpenID Connect" and "Share on LinkedIn" to your app, register http://127.0.0.1:3770/ as an
// authorized redirect URL, then
//   keryx config set platforms.linkedin.client_id <client id>
//   export LINKEDIN_CLIENT_SECRET=<primary client secret>
// drop the `sandbox` option and the throwaway KERYX_HOME / KERYX_VAULT_KEY lines, and in
// onAuthorize print ctx.url, open it with `await keryx.browser.open(ctx.url)` and hand a pasted
// redirected URL to ctx.offer(text) instead of fetching the URL yourself. The API is then
// https://api.linkedin.com/v2/userinfo.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-example-'));
process.env.KERYX_HOME = home;
process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
for (const name of ['KERYX_CONFIG', 'KERYX_VAULT', 'LINKEDIN_ACCESS_TOKEN', 'LINKEDIN_REFRESH_TOKEN']) delete process.env[name];
const keryx = require('..');
const { startSandbox } = require('../js/sandbox');

async function main(sb) {
  const summary = await keryx.auth('linkedin', {
    sandbox: sb.url,
    timeoutMs: 30000,
    onAuthorize: async (ctx) => {
      console.log(`Callback: ${ctx.redirectUri} (listening on ${ctx.boundAddresses.join(' and ')})`);
      console.log(`Authorize URL (a person would open this): ${ctx.url}`);
      // Play the browser: the auto-approving sandbox answers with a redirect to the callback,
      // whose query holds the code. Follow it without printing it.
      const approved = await fetch(ctx.url, { redirect: 'manual' });
      const callback = await fetch(approved.headers.get('location'));
      console.log(`LinkedIn redirected (HTTP ${approved.status}); keryx's callback page answered HTTP ${callback.status}.`);
    },
  });

  console.log(`Authorized LinkedIn member ${summary.account} (${summary.fields.name}), code from the ${summary.source}.`);
  for (const [key, value] of Object.entries(summary.config)) console.log(`  config platforms.linkedin.${key} = ${value}`);
  console.log(`  access token expires ${new Date(summary.expiresAt * 1000).toISOString()}`);
  console.log(`  refresh token stored: ${summary.hasRefreshToken} (shape: ${summary.tokenShape})`);
  console.log(`  granted: ${summary.scopes.join(' ')}`);

  // What a posting script does: take the token (environment first, then the vault) and call the API.
  const t = await keryx.store.resolve('linkedin');
  const res = await fetch(`${sb.url}/linkedin/v2/userinfo`, { headers: { Authorization: `Bearer ${t.accessToken}` } });
  const body = await res.json();
  console.log(`GET /v2/userinfo with the token from the ${t.source}: HTTP ${res.status}, sub ${body.sub} -> author urn:li:person:${body.sub}`);

  // Standard LinkedIn apps get no refresh token, so there is nothing to refresh with: keryx says
  // so with token_expired, and the way forward is a new `keryx auth linkedin` before expiry.
  try {
    await keryx.refresh('linkedin');
  } catch (err) {
    console.log(`keryx.refresh('linkedin') -> [${err.code}]: ${err.message}`);
  }
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
