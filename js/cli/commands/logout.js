'use strict';
// logout.js: `keryx logout <platform> [--account <id>]`: removes the stored token record.
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');

const store = lazy(require, '../../lib/store');

async function logout({ out, options, args }) {
  const [platform] = args;
  const account = options.account || '';
  const extra = await require('../passphrase').vaultOptions(store());
  const removed = await store().delete(platform, { account, ...extra });
  if (!removed) {
    throw new KeryxError(codes.NOT_FOUND, `nothing is stored for ${platform}${account ? ` account ${account}` : ''} (keryx status lists what is)`);
  }
  const vars = store().envVarsFor(platform);
  const stillSet = [vars.access, vars.refresh].filter((v) => process.env[v]);
  out.line(`Removed ${platform}${account ? ` account ${account}` : ' (default account)'} from the vault.`);
  if (stillSet.length) out.line(`Note: ${stillSet.join(' and ')} ${stillSet.length > 1 ? 'are' : 'is'} still set in the environment and keeps overriding the vault.`);
  out.result({ ok: true, platform, account: account || null, removed: true, envStillSet: stillSet });
  return 0;
}

const command = {
  name: 'logout',
  summary: 'remove a stored token from the vault',
  args: [{ name: 'platform', required: true, description: 'instagram, youtube, tiktok, linkedin, or a generic provider name' }],
  options: { account: { type: 'string', valueName: 'id', description: 'which account (default: the platform default)' } },
  helpAfter: 'Revocation at the platform comes with keryx auth. Exits 1 with [not_found] when nothing was stored.',
  examples: ['keryx logout tiktok --account 7aa0c1'],
  action: logout,
};

module.exports = { command };
