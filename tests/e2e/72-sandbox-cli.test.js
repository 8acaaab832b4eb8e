'use strict';
// 72-sandbox-cli: `keryx sandbox` as a user runs it: a long-lived emulator in its own process, its
// URL read from `--json`, a `keryx auth --sandbox <url>` run against it, and a clean stop on SIGTERM.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const h = require('./auth_harness');
const { httpGet } = require('./helpers');

test('keryx sandbox serves a keryx auth run from another process and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [h.CLI, '--json', 'sandbox', '--auto-approve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const doc = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      try {
        resolve(JSON.parse(stdout));
      } catch {
        /* not complete yet */
      }
    });
    child.on('exit', (code) => reject(new Error(`keryx sandbox exited early (${code})`)));
  });
  try {
    assert.match(doc.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(doc.apps.tiktok, 'sandbox-tiktok-key');
    const health = await fetch(`${doc.url}/sandbox/health`);
    assert.equal(health.status, 200);
    const { env } = h.tempHome();
    const run = h.startAuth(['auth', 'tiktok', '--sandbox', doc.url, '--no-browser', '--timeout', '20'], env);
    const res = await fetch(await run.url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    await httpGet(res.headers.get('location'));
    const r = await run.done;
    assert.equal(r.code, 0, r.all);
    h.assertNoSecrets(r.all, r.secrets);
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test('keryx sandbox --port on a busy port is port_in_use', async () => {
  const { occupy } = require('./helpers');
  const server = await occupy(0);
  const port = server.address().port;
  try {
    const r = await h.runCli(['sandbox', '--port', String(port)], { PATH: process.env.PATH });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[port_in_use\]/);
  } finally {
    server.close();
  }
});
