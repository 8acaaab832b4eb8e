'use strict';
// 82-passphrase: a passphrase-sealed vault (Argon2id) opened from KERYX_VAULT_PASSPHRASE, or from a
// no-echo prompt on a real terminal (a pty made by util-linux `script`); without a TTY keryx never
// prompts and says which variable to set.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const repo = path.resolve(__dirname, '../..');
const cli = path.join(repo, 'js', 'cli', 'keryx.js');
const PASS = 'correct horse battery staple 42';
const TOKEN = 'tt-secret-token-73hd8s';

const made = [];
test.after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function seeded() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-pass-'));
  made.push(dir);
  const env = { PATH: process.env.PATH, HOME: dir, KERYX_HOME: dir, KERYX_KEYCHAIN: 'off', NO_COLOR: '1' };
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(repo)}).store.put({ platform: 'tiktok', account: 'p1', refreshToken: '${TOKEN}' }).then((x) => console.log(x.keyProvider))`], {
    env: { ...env, KERYX_VAULT_PASSPHRASE: PASS },
  });
  assert.equal(r.stdout.toString().trim(), 'passphrase', r.stderr.toString());
  return env;
}

test('KERYX_VAULT_PASSPHRASE opens the vault; a wrong one is vault_wrong_key', () => {
  const env = seeded();
  const ok = spawnSync(process.execPath, [cli, 'status'], { env: { ...env, KERYX_VAULT_PASSPHRASE: PASS } });
  assert.equal(ok.status, 0, ok.stderr.toString());
  assert.match(ok.stdout.toString(), /Key {4}a passphrase \(Argon2id\)/);
  assert.match(ok.stdout.toString(), /tiktok\s+p1 \(default\)\s+refresh/);
  const wrong = spawnSync(process.execPath, [cli, 'status'], { env: { ...env, KERYX_VAULT_PASSPHRASE: 'nope' } });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stdout.toString(), /\[vault_wrong_key\]/);
});

test('without a TTY keryx does not prompt: vault_key_missing names KERYX_VAULT_PASSPHRASE', () => {
  const env = seeded();
  const r = spawnSync(process.execPath, [cli, 'status'], { env, input: `${PASS}\n` });
  assert.equal(r.status, 1);
  assert.match(r.stdout.toString(), /\[vault_key_missing\].*passphrase/);
  assert.doesNotMatch(r.stderr.toString() + r.stdout.toString(), /Vault passphrase:/);
});

test('on a terminal keryx asks for the passphrase without echoing it', async () => {
  const env = seeded();
  // util-linux `script` runs the CLI on a pty; the passphrase is typed once the prompt shows, as a
  // person would (input sent earlier would be echoed by the pty before keryx turns echo off).
  const child = spawn('script', ['-qec', `${process.execPath} ${cli} status`, '/dev/null'], { env });
  let screen = '';
  let typed = false;
  child.stdout.on('data', (d) => {
    screen += d;
    if (!typed && screen.includes('Vault passphrase:')) {
      typed = true;
      child.stdin.write(`${PASS}\r`);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  const code = await new Promise((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, screen);
  assert.ok(typed, 'the prompt appeared');
  assert.match(screen, /tiktok\s+p1 \(default\)\s+refresh/);
  assert.ok(!screen.includes(PASS), 'the passphrase was echoed');
  assert.ok(!screen.includes(TOKEN), 'a token was printed');
});
