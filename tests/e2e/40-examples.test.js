'use strict';
// 40-examples: every script in examples/ runs as documented and exits 0, printing no secret.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = path.resolve(__dirname, '../../examples');

for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
  test(`examples/${file} runs`, { timeout: 60000 }, () => {
    const r = spawnSync(process.execPath, [path.join(dir, file)], { input: '', timeout: 50000, env: { ...process.env, KERYX_KEYCHAIN: 'off' } });
    const out = r.stdout.toString() + r.stderr.toString();
    assert.equal(r.status, 0, out);
    assert.ok(out.trim().length > 0);
    assert.ok(!/act\.example|rft\.example|example-code/.test(out), 'an example printed a secret');
  });
}
