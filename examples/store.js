'use strict';
// examples/store.js: keep a token in the encrypted vault, read it back, and see where it comes from.
// Runs on its own in a throwaway folder (KERYX_HOME) with a random KERYX_VAULT_KEY, so it touches
// none of your real tokens:
//   node examples/store.js
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-example-'));
process.env.KERYX_HOME = home;
process.env.KERYX_VAULT_KEY = crypto.randomBytes(32).toString('base64');
const keryx = require('..');

async function main() {
  const saved = await keryx.store.put({
    platform: 'tiktok',
    account: 'example-open-id',
    accessToken: 'act.example',
    refreshToken: 'rft.example',
    expiresAt: Math.floor(Date.now() / 1000) + 86400,
    scopes: ['user.info.basic'],
  });
  console.log(`Stored; the vault key comes from: ${saved.keyProvider}`);

  for (const r of await keryx.store.list()) {
    console.log(`${r.platform} ${r.account}: refresh token ${r.hasRefreshToken ? 'present' : 'absent'}, expires ${new Date(r.expiresAt * 1000).toISOString()}`);
  }

  const fromVault = await keryx.store.resolve('tiktok', { env: {} });
  console.log(`resolve() without env vars -> source: ${fromVault.source}`);
  const fromEnv = await keryx.store.resolve('tiktok', { env: { TIKTOK_REFRESH_TOKEN: 'rft.from-env' } });
  console.log(`resolve() with TIKTOK_REFRESH_TOKEN set -> source: ${fromEnv.source} (${fromEnv.vars.join(', ')})`);

  const info = await keryx.store.info();
  console.log(`Vault generation ${info.generation}, ${info.records} record(s)`);
}

main()
  .catch((err) => {
    console.error(`failed [${err.code}]: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(home, { recursive: true, force: true }));
