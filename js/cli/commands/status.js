'use strict';
// status.js: `keryx status`: every account keryx can use, where its token comes from (environment
// or vault, and which key protects the vault), when it expires, and what is wrong. Never prints a
// token. Exits 1 when anything needs attention.
// The lifecycle part (js/lib/lifecycle.js decide: next refresh, expiry alerts; the record's
// keryx.needs_reauth and keryx.holder marks) loads the full addon, so it runs only when the vault
// has records; a decision that fails only leaves that account's lifecycle fields empty.
const fs = require('node:fs');
const { lazy } = require('../../lib/lazy');
const { tildify, paths } = require('../../lib/paths');
const { columns, expiry, duration } = require('../table');

const store = lazy(require, '../../lib/store');
const lifecycle = lazy(require, '../../lib/lifecycle');

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

/** installId: this install's id (hex text of paths().installId), or null when none was made yet. */
function installId(env = process.env) {
  try {
    return fs.readFileSync(paths(env).installId, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** builtinRecord: the core's record of a built-in platform, or null (generic or unknown). */
function builtinRecord(platform) {
  try {
    return require('../../lib/native').load().platformBuiltin(platform);
  } catch {
    return null;
  }
}

/**
 * decideRow: the lifecycle decision of a listed record (next refresh, expiry alert), resolving
 * `{ ...decision, now, clock }` or `{ error }`; never rejects. lifecycle.decide needs no
 * credentials and makes no request (a sandbox account reads the sandbox's clock; when that sandbox
 * is gone, the system clock is used instead).
 */
async function decideRow(row) {
  const sandbox = Boolean(row.metadata && row.metadata.sandbox);
  try {
    return { ...(await lifecycle().decide(row)), clock: sandbox ? 'sandbox' : 'system' };
  } catch (err) {
    if (!sandbox) return { error: { code: err.code || 'internal', message: err.message } };
  }
  try {
    return { ...(await lifecycle().decide(row, { now: Math.floor(Date.now() / 1000) })), clock: 'system' };
  } catch (err) {
    return { error: { code: err.code || 'internal', message: err.message } };
  }
}

async function collect(env = process.env, { sandbox = false } = {}) {
  const extra = await require('../passphrase').vaultOptions(store());
  const vault = await store().info(extra);
  const now = Math.floor(Date.now() / 1000);
  const flag = sandbox ? ' --sandbox' : '';
  const accounts = [];
  const envPlatforms = new Set();
  for (const platform of KNOWN) {
    const vars = store().envVarsFor(platform);
    const set = [vars.access, vars.refresh].filter((v) => env[v]);
    if (!set.length) continue;
    envPlatforms.add(platform);
    const warnings = [];
    if (env[vars.refresh] && builtinRecord(platform)?.tokenShape === 'rotating_refresh') {
      warnings.push({
        code: 'holder_mismatch',
        message: `${vars.refresh} holds a rotating refresh token: keryx cannot store the rotated one, so refreshing it would kill the value in your environment; set ${vars.access} instead, or store the account with keryx auth ${platform}${flag} and unset ${vars.refresh}`,
      });
    }
    accounts.push({
      platform,
      account: null,
      token: set.map((v) => (v === vars.access ? 'access' : 'refresh')).join('+'),
      expiresAt: null,
      source: 'env',
      envVars: set,
      problems: [],
      warnings,
    });
  }
  const rows = vault.list || [];
  const decisions = rows.length ? await Promise.all(rows.map(decideRow)) : [];
  const self = rows.length ? installId(env) : null;
  rows.forEach((r, i) => {
    const problems = [];
    const warnings = [];
    const meta = r.metadata || {};
    const reauth = `keryx auth ${r.platform}${flag}`;
    const needsReauth = meta['keryx.needs_reauth'] || null;
    if (needsReauth) {
      const why = needsReauth === 'rotation_lost' ? 'rotation lost' : needsReauth;
      problems.push({ code: needsReauth === 'rotation_lost' ? 'rotation_lost' : 'token_revoked', fix: reauth, text: `needs re-auth (${why}): run ${reauth}` });
    } else {
      if (r.expiresAt && r.expiresAt <= now && !r.hasRefreshToken) problems.push({ code: 'token_expired', fix: reauth });
      if (r.refreshExpiresAt && r.refreshExpiresAt <= now) problems.push({ code: 'token_expired', fix: reauth });
    }
    const d = decisions[i];
    const lifecycleState = d && !d.error
      ? { action: d.action, reason: d.reason, shape: d.shape, refreshAt: d.refreshAt, notBefore: d.notBefore, expiring: d.expiring, expiringAt: d.expiringAt, now: d.now, clock: d.clock }
      : null;
    const holder = meta['keryx.holder'] || null;
    const rotating = lifecycleState ? lifecycleState.shape === 'rotating_refresh' : builtinRecord(r.platform)?.tokenShape === 'rotating_refresh';
    const heldElsewhere = Boolean(holder && holder !== self);
    if (heldElsewhere && rotating && r.hasRefreshToken) {
      warnings.push({
        code: 'holder_mismatch',
        message: `its rotating refresh token is held by another install (${holder.slice(0, 8)}…; this vault was copied): refresh there or \`keryx auth refresh ${r.platform} --take-over${flag}\` (the other copy then stops working)`,
      });
    }
    if (lifecycleState && lifecycleState.expiring && !needsReauth) {
      const at = lifecycleState.expiringAt;
      warnings.push({
        code: 'token_expiring',
        message: `${at ? `runs out ${new Date(at * 1000).toISOString().replace(/\.\d+Z$/, 'Z')} (${at >= lifecycleState.now ? `in ${duration(at - lifecycleState.now)}` : `${duration(at - lifecycleState.now)} ago`})` : 'runs out soon'} and no refresh can extend it: re-run ${reauth}${at && at < lifecycleState.now ? '' : ' before then'}`,
      });
    }
    if (meta['keryx.refresh_in_flight'] && !needsReauth) {
      warnings.push({ code: 'refresh_in_flight', message: 'a refresh was started and not finished (another process now, or one that died): the next refresh checks whether its rotation was lost' });
    }
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
      warnings,
      needsReauth,
      needsReauthAt: Number(meta['keryx.needs_reauth_at']) || null,
      holder,
      heldByThisInstall: holder ? holder === self : null,
      lifecycle: lifecycleState,
      lifecycleError: d && d.error ? d.error : null,
    });
  });
  return { vault, accounts };
}

/** nextRefresh: the NEXT REFRESH cell of an account. */
function nextRefresh(a) {
  if (a.source === 'env') return '-';
  if (a.needsReauth) return 'needs re-auth';
  const l = a.lifecycle;
  if (!l) return '?';
  if (l.action === 'expired') return 'expired';
  if (l.refreshAt) return l.refreshAt <= l.now ? 'due now' : `in ${duration(l.refreshAt - l.now)}`;
  return 'never';
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
  const { vault, accounts } = await collect(process.env, { sandbox: Boolean(options.sandbox) });
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
    const rows = [['PLATFORM', 'ACCOUNT', 'TOKEN', 'EXPIRES', 'SOURCE', 'NEXT REFRESH', 'PROBLEMS']];
    for (const a of accounts) {
      const source = a.source === 'env' ? `env ${a.envVars.join(', ')}` : `${a.source}, key: ${a.keyProvider.replace('_', ' ')}`;
      const account = a.account ? `${a.account}${a.isDefault ? ' (default)' : ''}` : '-';
      const issues = a.problems.map((p) => p.text || `${p.code}: run ${p.fix}`).join('; ');
      rows.push([a.platform, account, a.token, expiry(a.expiresAt), source, nextRefresh(a), issues]);
    }
    for (const line of columns(rows)) out.line(line);
    const notes = accounts.flatMap((a) => a.warnings.map((w) => `${a.platform}${a.account ? ` ${a.account}` : ''}: ${w.message}`));
    if (notes.length) out.line('');
    for (const note of notes) out.line(out.style('yellow', `warning: ${note}`));
  }
  return problems ? 1 : 0;
}

const command = {
  name: 'status',
  summary: 'show every account, where its token comes from, when it expires, and what protects the vault',
  options: { sandbox: { type: 'boolean', description: 'show the sandbox profile (tokens from keryx auth --sandbox)' } },
  helpAfter: `NEXT REFRESH is when keryx auth refresh will refresh the token ('never': it cannot be refreshed,
re-authorize before it expires). Warnings (not failures): a token that no refresh can extend runs
out within the alert window, a rotating token held by another install, a rotating refresh token in
the environment. Never prints a token. Exits 1 when an account or the vault needs attention (an
account marked for re-authorization after a revocation or a lost rotation included).`,
  examples: ['keryx status', 'keryx status --json'],
  action: status,
};

module.exports = { command, collect };
