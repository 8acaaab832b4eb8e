'use strict';
// 80-store: keryx.store and `keryx status` / `keryx logout` against a real vault in a temp
// KERYX_HOME: key providers chosen honestly, env overriding the vault, tampering and permissions
// reported (and nothing overwritten), and no token ever printed.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const made = [];
test.after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tempDir = (prefix) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
};

const cli = path.resolve(__dirname, '../../js/cli/keryx.js');
const lib = path.resolve(__dirname, '../../js');

function home() {
  return tempDir('keryx-store-');
}

// Everything runs in a child process so each test has its own environment.
function node(script, env) {
  const r = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env }, timeout: 30000 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function keryx(args, env) {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, timeout: 30000 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), all: r.stdout.toString() + r.stderr.toString() };
}

const AT = 'at-secret-Zq8c2Vw1kP0sQx7';
const RT = 'rt-secret-Hh3mN5bY9tR2uLw';
const putScript = (extra = '') => `
  const keryx = require(${JSON.stringify(lib)});
  (async () => {
    const r = await keryx.store.put({ platform: 'tiktok', account: 'open-1', accessToken: '${AT}', refreshToken: '${RT}',
      expiresAt: Math.floor(Date.now() / 1000) + 86400, scopes: ['user.info.basic'], metadata: { username: 'ana' } });
    console.log(JSON.stringify(r));
    ${extra}
  })().catch((e) => { console.log(JSON.stringify({ error: e.code, message: e.message })); process.exit(1); });`;

test('env key: put, get, list, resolve; the env var overrides the vault', () => {
  const dir = home();
  const env = { KERYX_HOME: dir, KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64'), KERYX_KEYCHAIN: 'off' };
  const r = node(putScript(`
    const got = await keryx.store.get('tiktok');
    const listed = await keryx.store.list();
    const viaEnv = await keryx.store.resolve('tiktok', { env: { TIKTOK_REFRESH_TOKEN: 'from-env' } });
    const viaVault = await keryx.store.resolve('tiktok', { env: {} });
    console.log(JSON.stringify({ got, listed, viaEnv, viaVault }));`), env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [put, rest] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(put.keyProvider, 'env');
  assert.equal(rest.got.accessToken, AT);
  assert.equal(rest.got.refreshToken, RT);
  assert.equal(rest.got.metadata.username, 'ana');
  assert.equal(rest.got.isDefault, true);
  assert.equal(rest.listed.length, 1);
  assert.equal(rest.listed[0].accessToken, undefined, 'list() carries no token');
  assert.equal(rest.listed[0].hasRefreshToken, true);
  assert.deepEqual([rest.viaEnv.source, rest.viaEnv.refreshToken, rest.viaEnv.vars[0]], ['env', 'from-env', 'TIKTOK_REFRESH_TOKEN']);
  assert.equal(rest.viaVault.source, 'vault');
  const mode = fs.statSync(path.join(dir, 'vault')).mode & 0o777;
  assert.equal(mode, 0o600);
  assert.ok(!fs.readFileSync(path.join(dir, 'vault')).includes(Buffer.from(AT)), 'the vault file is encrypted');
});

test('no keychain, no env key: a 0600 key file, and status says plainly what it protects against', () => {
  const dir = home();
  const env = { KERYX_HOME: dir, KERYX_KEYCHAIN: 'off' };
  const r = node(putScript(), env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()).keyProvider, 'key_file');
  assert.equal(fs.statSync(path.join(dir, 'vault.key')).mode & 0o777, 0o600);
  const s = keryx(['status'], env);
  assert.equal(s.code, 0, s.all);
  assert.match(s.stdout, /a key file .*vault\.key: it protects only against the vault being copied without that file/);
  assert.match(s.stdout, /tiktok\s+open-1 \(default\)\s+access\+refresh\s+in 24 h\s+vault/);
  assert.ok(!s.all.includes(AT) && !s.all.includes(RT), 'status printed a token');
});

test('status --json, env tokens listed by variable name only, logout removes the record', () => {
  const dir = home();
  const env = { KERYX_HOME: dir, KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64') };
  assert.equal(node(putScript(), env).code, 0);
  const withEnv = { ...env, LINKEDIN_ACCESS_TOKEN: 'li-env-token-123456' };
  const s = keryx(['--json', 'status'], withEnv);
  assert.equal(s.code, 0, s.all);
  const doc = JSON.parse(s.stdout);
  assert.equal(doc.key.provider, 'env');
  assert.equal(doc.vault.records, 1);
  const li = doc.accounts.find((a) => a.platform === 'linkedin');
  assert.deepEqual([li.source, li.envVars[0]], ['env', 'LINKEDIN_ACCESS_TOKEN']);
  for (const secret of [AT, RT, 'li-env-token-123456']) assert.ok(!s.all.includes(secret));
  const out = keryx(['logout', 'tiktok'], env);
  assert.equal(out.code, 0, out.all);
  assert.match(out.stdout, /Removed tiktok account \S+ from the vault/);
  const again = keryx(['logout', 'tiktok'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /\[not_found\]/);
  assert.ok(!(out.all + again.all).includes(AT));
});

test('a tampered vault is reported by status with its code and left byte-identical', () => {
  const dir = home();
  const env = { KERYX_HOME: dir, KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64') };
  assert.equal(node(putScript(), env).code, 0);
  const file = path.join(dir, 'vault');
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 5] ^= 0x01;
  fs.writeFileSync(file, bytes, { mode: 0o600 });
  const s = keryx(['status'], env);
  assert.equal(s.code, 1);
  assert.match(s.stdout, /Problem \[vault_corrupt\]/);
  const p = node(putScript(), env);
  assert.equal(p.code, 1);
  assert.equal(JSON.parse(p.stdout.trim()).error, 'vault_corrupt');
  assert.ok(fs.readFileSync(file).equals(bytes), 'the damaged vault was not overwritten');
  const wrongKey = keryx(['status'], { ...env, KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64') });
  assert.match(wrongKey.stdout, /\[vault_wrong_key\]/);
});

test('a group-readable vault is refused with the chmod to run', () => {
  const dir = home();
  const env = { KERYX_HOME: dir, KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64') };
  assert.equal(node(putScript(), env).code, 0);
  fs.chmodSync(path.join(dir, 'vault'), 0o644);
  const s = keryx(['status'], env);
  assert.equal(s.code, 1);
  assert.match(s.stdout, /\[insecure_permissions\].*chmod 600/);
});

test('a malformed KERYX_VAULT_KEY is refused without echoing it', () => {
  const dir = home();
  const bad = 'not-a-valid-key-Xq93';
  const r = node(putScript(), { KERYX_HOME: dir, KERYX_VAULT_KEY: bad });
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.error, 'invalid_argument');
  assert.match(out.message, /KERYX_VAULT_KEY/);
  assert.ok(!out.message.includes(bad));
});

test('no CLI command prints a stored or env token (every command, text and --json)', () => {
  const dir = home();
  const env = {
    KERYX_HOME: dir,
    KERYX_VAULT_KEY: crypto.randomBytes(32).toString('base64'),
    INSTAGRAM_ACCESS_TOKEN: 'IGenv-token-8d7f6e5c',
    YOUTUBE_REFRESH_TOKEN: '1//env-refresh-4b3a2918',
  };
  assert.equal(node(putScript(), env).code, 0);
  const secrets = [AT, RT, env.INSTAGRAM_ACCESS_TOKEN, env.YOUTUBE_REFRESH_TOKEN, env.KERYX_VAULT_KEY];
  const runs = [
    ['status'], ['--json', 'status'], ['config', 'set', 'platforms.tiktok.privacy', 'SELF_ONLY'], ['config', 'list'],
    ['--json', 'config', 'list'], ['config', 'get', 'platforms.tiktok.privacy'], ['config', 'path'],
    ['config', 'set', 'platforms.tiktok.client_secret', 'should-be-refused'], ['--help'], ['status', '--help'],
    ['logout', 'tiktok'], ['--json', 'logout', 'tiktok'], ['demo', '--http'],
  ];
  for (const args of runs) {
    const r = keryx(args, env);
    for (const s of secrets) assert.ok(!r.all.includes(s), `keryx ${args.join(' ')} printed a secret`);
  }
});
