'use strict';
// logout.js: `keryx logout <platform> [--account <id>]`: revokes the token at the platform when it
// has a revocation endpoint (RFC 7009; Google, TikTok, LinkedIn, generic providers), then removes
// the record from the vault. A failed revocation is reported, and the local record still goes.
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');
const { sanitize } = require('../output');

const store = lazy(require, '../../lib/store');

/** revoke: `{ revoked, reason }` after trying to revoke `record` at its platform. */
async function revoke(platform, record) {
  const platforms = require('../../lib/platforms');
  const { load } = require('../../lib/native');
  const { awaitNative } = require('../../lib/errors');
  let resolved;
  try {
    resolved = await platforms.resolve(platform, { sandbox: record.metadata?.sandbox || undefined, requireSecret: false });
  } catch (err) {
    return { revoked: false, reason: `${err.code}: ${err.message}` };
  }
  const { record: rec, clientId, clientSecret } = resolved;
  if (!rec.endpoints.revokeUrl) return { revoked: false, reason: `${rec.displayName} has no revocation endpoint; remove keryx in the app's settings on ${rec.displayName}` };
  if (rec.clientSecretEnv && !clientSecret) return { revoked: false, reason: `${rec.clientSecretEnv} is not set, so keryx cannot authenticate the revocation` };
  const token = record.refreshToken || record.accessToken;
  const hint = record.refreshToken ? 'refresh_token' : 'access_token';
  try {
    await awaitNative(load().oauthRevoke(rec, { clientId, clientSecret, token: rec.id === 'tiktok' ? record.accessToken || token : token, hint, timeoutMs: 15000 }));
    return { revoked: true };
  } catch (err) {
    return { revoked: false, reason: `${err.code}: ${err.message}` };
  }
}

async function logout({ out, options, args }) {
  const [platform] = args;
  const account = options.account || '';
  if (options.sandbox) require('../sandbox_profile').useSandboxProfile();
  const extra = await require('../passphrase').vaultOptions(store());
  let record = null;
  try {
    record = await store().get(platform, { account, ...extra });
  } catch (err) {
    if (err.code !== 'not_found') throw err;
  }
  if (!record) {
    throw new KeryxError(codes.NOT_FOUND, `nothing is stored for ${platform}${account ? ` account ${account}` : ''} (keryx status lists what is)`);
  }
  const outcome = options.noRevoke ? { revoked: false, reason: 'skipped (--no-revoke)' } : await revoke(platform, record);
  await store().delete(platform, { account: record.account, ...extra });
  const vars = store().envVarsFor(platform);
  const stillSet = [vars.access, vars.refresh].filter((v) => process.env[v]);
  if (outcome.revoked) out.line(`Revoked the ${platform} token at the platform.`);
  else out.info(`Not revoked at the platform: ${sanitize(outcome.reason)}.`);
  out.line(`Removed ${platform} account ${record.account} from the vault.`);
  if (stillSet.length) out.line(`Note: ${stillSet.join(' and ')} ${stillSet.length > 1 ? 'are' : 'is'} still set in the environment and keeps overriding the vault.`);
  out.result({ ok: true, platform, account: record.account, removed: true, revoked: outcome.revoked, revokeProblem: outcome.revoked ? null : outcome.reason, envStillSet: stillSet });
  return 0;
}

const command = {
  name: 'logout',
  summary: 'revoke a token at the platform and remove it from the vault',
  args: [{ name: 'platform', required: true, description: 'instagram, youtube, tiktok, linkedin, or a generic provider name' }],
  options: {
    account: { type: 'string', valueName: 'id', description: 'which account (default: the platform default)' },
    'no-revoke': { type: 'boolean', description: 'only remove the local record; leave the grant alive at the platform' },
    sandbox: { type: 'boolean', description: 'act on the sandbox profile (tokens from keryx auth --sandbox)' },
  },
  helpAfter: 'Instagram has no revocation endpoint: remove the app in Instagram\'s settings. A failed revocation is reported and the local record is removed anyway. Exits 1 with [not_found] when nothing was stored.',
  examples: ['keryx logout tiktok --account 7aa0c1', 'keryx logout youtube --no-revoke'],
  action: logout,
};

module.exports = { command };
