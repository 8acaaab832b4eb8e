'use strict';
// 81-keychain: the addon inside Node keeps its vault key in a real Secret Service (gnome-keyring in
// a throwaway D-Bus session via scripts/with-secret-service.sh), checked from outside with
// secret-tool; with no D-Bus session keryx falls back to the key file and says why.
const test = require('node:test');
const assert = require('node:assert/strict');
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

const repo = path.resolve(__dirname, '../..');
const wrapper = path.join(repo, 'scripts', 'with-secret-service.sh');
const cli = path.join(repo, 'js', 'cli', 'keryx.js');

function baseEnv(dir) {
  const env = { PATH: process.env.PATH, HOME: dir, KERYX_HOME: dir, NO_COLOR: '1' };
  return env;
}

// inSession: runs `script` (bash) inside a Secret Service session; the environment is inherited.
function inSession(script, env, args = []) {
  const r = spawnSync('bash', [wrapper, ...args, 'bash', '-c', script], { env, timeout: 60000 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const put = (account) =>
  `node -e "require('${repo}/js').store.put({ platform: 'youtube', account: '${account}', refreshToken: '1//rt-secret-Kd82hs' }).then((r) => console.log(JSON.stringify(r)), (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(1) })"`;

test('the vault key lives in the Secret Service: secret-tool sees it, status names it, reopening works', () => {
  const dir = tempDir('keryx-kc-');
  const vault = path.join(dir, 'vault');
  const script = [
    put('chan-1'),
    `echo "KEY=$(secret-tool lookup service keryx account 'vault:${vault}')"`,
    `node ${cli} status`,
    `node -e "require('${repo}/js').store.get('youtube').then((r) => console.log('GOT', r.keyProvider, r.refreshToken.length))"`,
  ].join(' && ');
  const r = inSession(script, baseEnv(dir));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(JSON.parse(lines[0]).keyProvider, 'keychain');
  assert.equal(JSON.parse(lines[0]).keyCreated, true);
  assert.match(r.stdout, /^KEY=[A-Za-z0-9_-]{43}$/m, 'secret-tool finds a 32-byte key (base64url)');
  assert.match(r.stdout, /Key {4}the OS keychain \(Secret Service\)/);
  assert.match(r.stdout, /GOT keychain 19/);
  assert.ok(!fs.existsSync(path.join(dir, 'vault.key')), 'no key file when the keychain works');
  const key = /^KEY=(.*)$/m.exec(r.stdout)[1];
  assert.ok(!r.stdout.includes('1//rt-secret-Kd82hs') && !r.stderr.includes(key), 'neither the token nor the key is printed by keryx');
});

test('a locked keychain (wrong unlock password) is reported as keychain_locked, never as "no key yet"', () => {
  const dir = tempDir('keryx-kc-locked-');
  const r = inSession(`${put('chan-2')}; node ${cli} --json status`, baseEnv(dir), ['--wrong-password']);
  const first = JSON.parse(r.stdout.split('\n')[0]);
  // A new vault skips the locked keychain for the key file, and says why.
  assert.equal(first.keyProvider, 'key_file', r.stdout + r.stderr);
  assert.ok(first.skipped.some((s) => s.provider === 'keychain' && s.code === 'keychain_locked'), JSON.stringify(first.skipped));
});

test('without a D-Bus session the key file is used and the keychain is reported as unavailable', () => {
  const dir = tempDir('keryx-nobus-');
  const env = { ...baseEnv(dir), XDG_RUNTIME_DIR: dir };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const r = spawnSync(process.execPath, ['-e', put('chan-3').replace(/^node -e "/, '').replace(/"$/, '')], { env, timeout: 30000 });
  const out = JSON.parse(r.stdout.toString());
  assert.equal(out.keyProvider, 'key_file');
  const why = out.skipped.find((s) => s.provider === 'keychain');
  assert.equal(why.code, 'keychain_unavailable');
  assert.equal(fs.statSync(path.join(dir, 'vault.key')).mode & 0o777, 0o600);
  const status = spawnSync(process.execPath, [cli, 'status'], { env, timeout: 30000 }).stdout.toString();
  assert.match(status, /Key {4}a key file .*protects only against the vault being copied/);
  assert.match(status, /not used: keychain \[keychain_unavailable\]/, status);
});
