'use strict';
// status.js: `keryx status`: every account keryx can use, where its token comes from (environment
// or vault, and which key protects the vault), when it expires, and what is wrong. Never prints a
// token. Exits 1 when anything needs attention.
const { lazy } = require('../../lib/lazy');
const { tildify } = require('../../lib/paths');
const { columns, expiry } = require('../table');

const store = lazy(require, '../../lib/store');

const KNOWN = ['instagram', 'youtube', 'tiktok', 'linkedin'];

const PROVIDER_TEXT = {
  env: 'KERYX_VAULT_KEY (from the environment)',
  keychain: 'the OS keychain (Secret Service)',
  passphrase: 'a passphrase (Argon2id), from KERYX_VAULT_PASSPHRASE',
  key_file: 'a key file',
};

function tokenKind(r) {
  return [r.hasAccessToken && 'access', r.hasRefreshToken && 'refresh'].filter(Boolean).join('+') || '-';
}

async function collect(env = process.env) {
  const extra = await require('../passphrase').vaultOptions(store());
  const vault = await store().info(extra);
  const now = Math.floor(Date.now() / 1000);
  const accounts = [];
  const envPlatforms = new Set();
  for (const platform of KNOWN) {
    const vars = store().envVarsFor(platform);
    const set = [vars.access, vars.refresh].filter((v) => env[v]);
    if (!set.length) continue;
    envPlatforms.add(platform);
    accounts.push({
      platform,
      account: null,
      token: set.map((v) => (v === vars.access ? 'access' : 'refresh')).join('+'),
      expiresAt: null,
      source: 'env',
      envVars: set,
      problems: [],
    });
  }
  for (const r of vault.list || []) {
    const problems = [];
    if (r.expiresAt && r.expiresAt <= now && !r.hasRefreshToken) problems.push({ code: 'token_expired', fix: `keryx auth ${r.platform}` });
    if (r.refreshExpiresAt && r.refreshExpiresAt <= now) problems.push({ code: 'token_expired', fix: `keryx auth ${r.platform}` });
    accounts.push({
      platform: r.platform,
      account: r.account,
      isDefault: r.isDefault,
      token: tokenKind(r),
      expiresAt: r.expiresAt || null,
      expiresInSeconds: r.expiresAt ? r.expiresAt - now : null,
      source: envPlatforms.has(r.platform) ? 'vault (overridden by env)' : 'vault',
      keyProvider: vault.keyProvider,
      problems,
    });
  }
  return { vault, accounts };
}

function keyLine(vault) {
  if (!vault.vaultExists) return 'none yet: the first stored token creates one (see docs/storage.md for the order)';
  let text = PROVIDER_TEXT[vault.keyProvider] || vault.keyProvider;
  if (vault.keyProvider === 'key_file') {
    text += ` ${tildify(vault.keyFilePath)}: it protects only against the vault being copied without that file`;
  }
  return text;
}

async function status({ out, options = {} }) {
  if (options.sandbox) require('../sandbox_profile').useSandboxProfile();
  const { vault, accounts } = await collect();
  const problems = accounts.some((a) => a.problems.length) || Boolean(vault.problem);
  out.result({
    ok: !problems,
    vault: { path: vault.vaultPath, exists: vault.vaultExists, generation: vault.generation, records: vault.records },
    key: { provider: vault.keyProvider, available: vault.keyAvailable, skipped: vault.skipped, problem: vault.problem },
    accounts,
  });
  const where = vault.vaultExists ? `${tildify(vault.vaultPath)} (generation ${vault.generation}, ${vault.records} record${vault.records === 1 ? '' : 's'})` : `${tildify(vault.vaultPath)} (not created yet)`;
  out.line(`Vault  ${where}`);
  out.line(`Key    ${keyLine(vault)}`);
  for (const s of vault.skipped || []) out.line(`       not used: ${s.provider} [${s.code}] ${s.message}`);
  if (vault.problem) out.line(out.style('red', `Problem [${vault.problem.code}] ${vault.problem.message}`));
  out.line('');
  if (!accounts.length) {
    out.line('No tokens yet. Run: keryx auth <platform>');
  } else {
    const rows = [['PLATFORM', 'ACCOUNT', 'TOKEN', 'EXPIRES', 'SOURCE', 'PROBLEMS']];
    for (const a of accounts) {
      const source = a.source === 'env' ? `env ${a.envVars.join(', ')}` : `${a.source}, key: ${a.keyProvider.replace('_', ' ')}`;
      const account = a.account ? `${a.account}${a.isDefault ? ' (default)' : ''}` : '-';
      const issues = a.problems.map((p) => `${p.code}: run ${p.fix}`).join('; ');
      rows.push([a.platform, account, a.token, expiry(a.expiresAt), source, issues]);
    }
    for (const line of columns(rows)) out.line(line);
  }
  return problems ? 1 : 0;
}

const command = {
  name: 'status',
  summary: 'show every account, where its token comes from, when it expires, and what protects the vault',
  options: { sandbox: { type: 'boolean', description: 'show the sandbox profile (tokens from keryx auth --sandbox)' } },
  helpAfter: 'Never prints a token. Exits 1 when an account or the vault needs attention.',
  examples: ['keryx status', 'keryx status --json'],
  action: status,
};

module.exports = { command, collect };
