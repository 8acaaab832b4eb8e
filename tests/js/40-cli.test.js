'use strict';
// 40-cli: the command line's contract: --help, --version, exit codes, --json, NO_COLOR/non-TTY,
// and the demo over https, http and paste.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { version } = require('../../package.json');

const cli = path.resolve(__dirname, '..', '..', 'js', 'cli', 'keryx.js');
const ESC = '\u001b[';

function keryx(args, { input, env = {} } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    input,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
    timeout: 30000,
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

test('--help lists the commands, exit codes and NO_COLOR; every command has --help', () => {
  const r = keryx(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: keryx/);
  assert.match(r.stdout, /demo/);
  assert.match(r.stdout, /Exit codes: 0 ok, 1 failure/);
  assert.match(r.stdout, /NO_COLOR/);
  const d = keryx(['demo', '--help']);
  assert.equal(d.code, 0);
  assert.match(d.stdout, /--paste/);
});

test('--version prints the package version', () => {
  const r = keryx(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('usage errors exit 2', () => {
  assert.equal(keryx(['--no-such-flag']).code, 2);
  assert.equal(keryx(['no-such-command']).code, 2);
  const bad = keryx(['demo', '--timeout', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\[usage\] --timeout takes a number of seconds/);
});

test('demo over https completes with no browser and no input, without colour when not a TTY', () => {
  const r = keryx(['demo'], { input: '' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Using OAuth callback https:\/\/localhost:37(6[4-9])\//);
  assert.match(r.stdout, /Authorization code captured from the callback/);
  assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), 'no ANSI escapes when not a TTY');
});

test('FORCE_COLOR turns colour on; NO_COLOR wins over it', () => {
  assert.ok(keryx(['demo', '--http'], { env: { FORCE_COLOR: '1' } }).stdout.includes(ESC));
  assert.ok(!keryx(['demo', '--http'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout.includes(ESC));
});

test('--json prints exactly one JSON document on stdout', () => {
  const r = keryx(['--json', 'demo', '--http']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.tls, false);
  assert.deepEqual(doc.boundAddresses, ['127.0.0.1']);
  assert.match(doc.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback\/$/);
  assert.equal(doc.source, 'callback');
  assert.equal(r.stderr, '');
});

test('demo --paste takes a code from stdin; a wrong-state URL is refused and the flow goes on', () => {
  const r = keryx(['demo', '--paste', '--http'], { input: 'http://127.0.0.1/cb?code=abc&state=not-this-one\n4%2F0AbCdEf\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /not accepted \[state_mismatch\]/);
  assert.match(r.stdout, /captured from the paste \(9 characters/);
});

test('a failure exits 1 with its code, as text or as JSON', () => {
  const r = keryx(['demo', '--paste', '--http', '--timeout', '0.3'], { input: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[capture_timeout\]/);
  const j = keryx(['--json', 'demo', '--paste', '--http', '--timeout', '0.3'], { input: '' });
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.stdout).error.code, 'capture_timeout');
});

test('Ctrl-C (SIGINT) cancels the flow: exit 130, [cancelled], port released', async () => {
  const { spawn } = require('node:child_process');
  const net = require('node:net');
  const child = spawn(process.execPath, [cli, 'demo', '--paste', '--http'], { env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no callback line: ${stderr}`)), 15000);
    child.stderr.on('data', () => {
      const m = /Using OAuth callback http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130);
  assert.match(stderr, /\[cancelled\]/);
  await new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(port, '127.0.0.1', () => s.close(resolve));
  });
});
