'use strict';
// token_source.js: what code that posts asks for a token. keryx.tokenSource(platform, {account})
// gives an object whose getToken() resolves a usable access token:
//   1. the environment first (<P>_ACCESS_TOKEN as is; <P>_REFRESH_TOKEN minted in memory, except a
//      rotating one, which keryx could not store back: holder_mismatch unless allowEnvRotation);
//   2. else the vault, through the core's refresh transaction (lifecycle.js): refreshed early by the
//      skew margin, a rotating token (TikTok) minted on every use and stored before it is returned,
//      one refresh in flight per account in this process, a kernel lock across processes.
// Events go to keryx.events and to the source itself (events.js); none carries a token.
const { EventEmitter } = require('node:events');
const { load } = require('./native');
const { KeryxError, codes, awaitNative } = require('./errors');
const { emit, emitFailure } = require('./events');
const lifecycle = require('./lifecycle');
const platforms = require('./platforms');
const store = require('./store');

// In-flight refreshes and unstored records, per vault and account, shared by every source in the process.
const inflight = new Map();
const unstored = new Map();
const PERSIST_RETRY_MS = [1000, 5000, 15000, 60000];

const nowSeconds = () => Math.floor(Date.now() / 1000);

class TokenSource extends EventEmitter {
  /**
   * @param platform e.g. 'tiktok'
   * @param options { account, env, now, policy, takeOver, allowEnvRotation, storeOptions, timeoutMs, configPath }
   */
  constructor(platform, options = {}) {
    super();
    if (typeof platform !== 'string' || !/^[a-z0-9_-]{1,64}$/.test(platform)) {
      throw new KeryxError(codes.INVALID_ARGUMENT, 'tokenSource(platform): platform must be 1-64 characters of a-z, 0-9, _ and -');
    }
    this.platform = platform;
    this.options = { ...options, account: options.account ? String(options.account) : '' };
    this.cached = null;  // { token, expiresAt, skew, mint } from the last answer
    this.alerted = new Set();
    this.envMinted = null;  // { token, expiresAt, refreshToken } for <P>_REFRESH_TOKEN
  }

  get key() {
    const vault = store.nativeOptions(this.options.storeOptions || {}).vaultPath;
    return `${vault}\0${this.platform}\0${this.options.account}`;
  }

  /** getToken: `{ accessToken, tokenType, expiresAt (Unix s or null), platform, account, source }`. */
  async getToken() {
    const fromEnv = await this.fromEnv();
    if (fromEnv) return fromEnv;
    const c = this.cached;
    if (c && c.systemClock && !c.mint && (c.expiresAt === null || nowSeconds() < c.expiresAt - c.skew)) {
      return { ...c.token };
    }
    const key = this.key;
    if (!inflight.has(key)) {
      const p = this.fromVault().finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    const answer = await inflight.get(key);
    return { ...answer };
  }

  /** getAccessToken: the access token string alone. */
  async getAccessToken() {
    return (await this.getToken()).accessToken;
  }

  async fromEnv() {
    const env = this.options.env || process.env;
    const vars = store.envVarsFor(this.platform);
    const base = { platform: this.platform, account: this.options.account || null, source: 'env', tokenType: 'Bearer' };
    if (env[vars.access]) return { ...base, accessToken: env[vars.access], expiresAt: null, vars: [vars.access] };
    if (!env[vars.refresh]) return null;
    const m = this.envMinted;
    if (m && nowSeconds() < m.expiresAt - 60) return { ...base, accessToken: m.token, expiresAt: m.expiresAt, vars: [vars.refresh] };
    // The shape first: a rotating token is refused before any credential is needed.
    const builtin = platforms.builtinIds().includes(this.platform);
    const shape = builtin ? load().platformBuiltin(this.platform).tokenShape : null;
    if (shape === 'rotating_refresh' && !this.options.allowEnvRotation) {
      const displayName = load().platformBuiltin(this.platform).displayName;
      const err = new KeryxError(
        codes.HOLDER_MISMATCH,
        `${vars.refresh} holds a ${displayName} refresh token, which rotates: refreshing it would kill the value in your environment. ` +
          `Set ${vars.access} instead, or store the account with \`keryx auth ${this.platform}\` and unset ${vars.refresh} (or pass allowEnvRotation to keep the rotated token in memory only)`,
      );
      emitFailure(this.platform, this.options.account, err, { source: 'env' }, this);
      throw err;
    }
    const resolved = await platforms.resolve(this.platform, { env, configPath: this.options.configPath });
    const refreshToken = (m && m.refreshToken) || env[vars.refresh];
    const t = await awaitNative(
      load().oauthRefresh(resolved.record, { clientId: resolved.clientId, clientSecret: resolved.clientSecret, refreshToken, timeoutMs: this.options.timeoutMs || 30000 }),
    );
    const expiresAt = t.expiresIn != null ? nowSeconds() + t.expiresIn : nowSeconds() + 3600;
    this.envMinted = { token: t.accessToken, expiresAt, refreshToken: t.refreshToken || refreshToken };
    emit('token.refreshed', { platform: this.platform, account: this.options.account, expiresAt, reason: 'env_refresh_token', rotated: Boolean(t.refreshToken && t.refreshToken !== refreshToken), source: 'env' }, this);
    return { ...base, accessToken: t.accessToken, expiresAt, vars: [vars.refresh] };
  }

  async fromVault() {
    const key = this.key;
    const held = unstored.get(key);
    if (held) {
      // A rotated token that could not be written yet: store it before anything refreshes again.
      if (!(await persistHeld(key))) {
        if (held.record.expiresAt === 0 || nowSeconds() < held.record.expiresAt) return this.shape(held.record);
        throw new KeryxError(codes.IO_ERROR, `the refreshed ${this.platform} token could not be stored in the vault (${held.error}); it is kept in memory and retried`);
      }
    }
    const o = this.options;
    let r;
    let row;
    try {
      row = await lifecycle.listed(this.platform, o.account, o.storeOptions || {});
      r = await lifecycle.run(this.platform, { ...o, listed: row, purpose: 'use' });
    } catch (err) {
      this.report(err, row ? row.account : o.account);
      throw err;
    }
    const { record, decision } = r;
    if (r.refreshed) {
      emit('token.refreshed', { platform: this.platform, account: r.account, expiresAt: record.expiresAt, reason: decision.reason, rotated: r.rotated }, this);
    }
    if (!r.persisted) holdUnstored(key, record, r.persistError, this);
    if (decision.expiring && !this.alerted.has(decision.expiringAt)) {
      this.alerted.add(decision.expiringAt);
      emit('token.expiring', { platform: this.platform, account: r.account, expiresAt: decision.expiringAt, reason: decision.reason, command: `keryx auth ${this.platform}` }, this);
    }
    const policy = await lifecycle.policyFor(this.platform, o.policy, o.configPath ? { path: o.configPath } : {});
    this.cached = {
      token: this.shape(record),
      expiresAt: record.expiresAt || null,
      skew: policy.skewSeconds ?? 300,
      mint: decision.shape === 'rotating_refresh' && policy.mintOnUse !== false,
      // Reused from memory only on the system clock (a sandbox account or a given `now` runs on another).
      systemClock: !o.now && !(record.metadata && record.metadata.sandbox),
    };
    return this.shape(record);
  }

  shape(record) {
    return { accessToken: record.accessToken, tokenType: record.tokenType || 'Bearer', expiresAt: record.expiresAt || null, platform: this.platform, account: record.account, source: 'vault' };
  }

  report(err, account) {
    // A caller's mistake (no such account, a bad argument) is not an event of the token's life.
    if (err.code === codes.NOT_FOUND || err.code === codes.INVALID_ARGUMENT) return;
    emitFailure(this.platform, account, err, {}, this);
  }
}

function holdUnstored(key, record, error, source) {
  const entry = { record, error: error ? `${error.code}: ${error.message}` : 'unknown', attempt: 0, timer: null, storeOptions: source.options.storeOptions || {} };
  unstored.set(key, entry);
  emit('token.persist_failed', { platform: record.platform, account: record.account, expiresAt: record.expiresAt, severity: 'critical', code: error && error.code, message: `a refreshed token could not be written to the vault (${entry.error}); it is kept in memory and the write is retried` }, source);
  schedule(key);
}

function schedule(key) {
  const entry = unstored.get(key);
  if (!entry) return;
  const delay = PERSIST_RETRY_MS[Math.min(entry.attempt, PERSIST_RETRY_MS.length - 1)];
  entry.timer = setTimeout(async () => {
    entry.attempt += 1;
    if (!(await persistHeld(key))) schedule(key);
  }, delay);
  entry.timer.unref();
}

async function persistHeld(key) {
  const entry = unstored.get(key);
  if (!entry) return true;
  try {
    const { source, keyProvider, ...record } = entry.record;
    const meta = { ...(record.metadata || {}) };
    delete meta['keryx.refresh_in_flight'];
    await store.put({ ...record, metadata: meta }, entry.storeOptions);
    clearTimeout(entry.timer);
    unstored.delete(key);
    return true;
  } catch (err) {
    entry.error = `${err.code}: ${err.message}`;
    return false;
  }
}

// Sources behind keryx.getAccessToken, one per (vault, platform, account).
const shared = new Map();

/** tokenSource: a TokenSource for `platform` (see the class). */
function tokenSource(platform, options = {}) {
  return new TokenSource(platform, options);
}

/** getAccessToken: the access token for `platform` (default account unless options.account). */
async function getAccessToken(platform, options = {}) {
  const probe = new TokenSource(platform, options);
  const optionsKey = JSON.stringify({ ...options, env: undefined, now: undefined });
  const k = `${probe.key}\0${optionsKey}`;
  if (!shared.has(k) || options.env || options.now) shared.set(k, probe);
  return shared.get(k).getAccessToken();
}

module.exports = { TokenSource, tokenSource, getAccessToken };
