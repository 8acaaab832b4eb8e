'use strict';
// logout.js: `keryx logout <platform> [--account <id>]`: removes the stored token record.
const store = require('../../lib/store');
const { KeryxError, codes } = require('../../lib/errors');

async function logout({ out, options, args }) {
  const [platform] = args;
  const account = options.account || '';
  const removed = await store.delete(platform, { account });
  if (!removed) {
    throw new KeryxError(codes.NOT_FOUND, `nothing is stored for ${platform}${account ? ` account ${account}` : ''} (keryx status lists what is)`);
  }
  const vars = store.envVarsFor(platform);
  const stillSet = [vars.access, vars.refresh].filter((v) => process.env[v]);
  out.line(`Removed ${platform}${account ? ` account ${account}` : ' (default account)'} from the vault.`);
  if (stillSet.length) out.line(`Note: ${stillSet.join(' and ')} ${stillSet.length > 1 ? 'are' : 'is'} still set in the environment and keeps overriding the vault.`);
  out.result({ ok: true, platform, account: account || null, removed: true, envStillSet: stillSet });
  return 0;
}

function register(program, run) {
  program
    .command('logout')
    .argument('<platform>', 'instagram, youtube, tiktok, linkedin, or a generic provider name')
    .description('remove a stored token from the vault')
    .option('--account <id>', 'which account (default: the platform default)')
    .addHelpText('after', '\nRevocation at the platform comes with keryx auth. Exits 1 with [not_found] when nothing was stored.\nExample:\n  keryx logout tiktok --account 7aa0c1')
    .action(run(logout));
}

module.exports = { register };
