'use strict';
// 60-no-secrets: everything the CLI and the library print is scanned for the secrets of the run:
// the authorization code, the PKCE verifier and the state. The real CLI runs as a subprocess with
// tests/js/fixtures/record-secrets.js preloaded, which reports the values keryx generates on fd 3.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const capture = require('../../js/lib/capture');

const cli = path.resolve(__dirname, '../../js/cli/keryx.js');
const recorder = path.join(__dirname, 'fixtures', 'record-secrets.js');

/** runCli: the CLI with `args`; returns what it printed and the secrets it generated. */
function runCli(args, input = '') {
  const r = spawnSync(process.execPath, ['-r', recorder, cli, ...args], {
    input,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    timeout: 20000,
  });
  const secrets = r.output[3].toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { code: r.status, printed: r.stdout.toString() + r.stderr.toString(), secrets };
}

function assertNoSecret(printed, secrets, minimum = 3) {
  assert.ok(secrets.length >= minimum, `the run produced secrets to look for (${secrets.length})`);
  for (const s of secrets) {
    assert.ok(!printed.includes(s) && !printed.includes(encodeURIComponent(s)), 'a secret of the run was printed');
  }
}

test('keryx demo (https) prints no code, verifier or state', () => {
  const { printed, code, secrets } = runCli(['demo']);
  assert.equal(code, 0, printed);
  assert.match(printed, /Authorization code captured/);
  assertNoSecret(printed, secrets);
});

test('keryx --json demo --http prints no code, verifier or state', () => {
  const { printed, code, secrets } = runCli(['--json', 'demo', '--http']);
  assert.equal(code, 0, printed);
  assert.match(printed, /"ok": true/);
  assertNoSecret(printed, secrets);
});

test('a failing run (timeout) prints no verifier or state either', () => {
  const { printed, code, secrets } = runCli(['demo', '--paste', '--http', '--timeout', '0.3']);
  assert.equal(code, 1);
  assert.match(printed, /capture_timeout/);
  assertNoSecret(printed, secrets, 2);
});

test('library errors and pages never carry the code or state', async () => {
  const cap = await capture.start({ mode: 'http', timeoutMs: 5000 });
  const refused = cap.offer(`http://127.0.0.1/?code=abcdef123&state=${cap.state}x`);
  assert.equal(refused.code, 'state_mismatch');
  assert.ok(!refused.message.includes(cap.state) && !refused.message.includes('abcdef123'));
  const wrong = await fetch(`${cap.redirectUri}?code=other-code-123&state=nope-${cap.state}`);
  const wrongBody = await wrong.text();
  assert.equal(wrong.status, 400);
  assert.ok(!wrongBody.includes('other-code-123') && !wrongBody.includes(cap.state));
  const res = await fetch(`${cap.redirectUri}?code=secret-code-xyz&state=${cap.state}`);
  const body = await res.text();
  assert.equal(res.status, 200);
  assert.ok(!body.includes('secret-code-xyz') && !body.includes(cap.state), 'the page echoes neither code nor state');
  assert.equal((await cap.result).code, 'secret-code-xyz');
});

test('a pasted code is never echoed back by the CLI (subprocess, stdin pipe)', () => {
  const pasted = 'pasted-code-7f3a9c1e55';
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../js/cli/keryx.js'), 'demo', '--paste', '--http'], {
    input: `https://127.0.0.1/?code=${pasted}-wrong&state=zzzzzzzz\n${pasted}\n`,
    timeout: 20000,
  });
  const printed = r.stdout.toString() + r.stderr.toString();
  assert.equal(r.status, 0, printed);
  assert.ok(!printed.includes(pasted), 'the pasted code was printed');
  assert.ok(!printed.includes('zzzzzzzz'), 'the pasted state was printed');
});
