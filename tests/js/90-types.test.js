'use strict';
// 90-types: index.d.ts compiles under tsc --strict and matches a realistic use of the API.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('index.d.ts type-checks a realistic script with tsc --strict', () => {
  const tsc = path.resolve(__dirname, '../../node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--module', 'commonjs', '--target', 'es2022',
    '--skipLibCheck', 'false', path.join(__dirname, 'fixtures', 'types-usage.ts')], { timeout: 60000 });
  assert.equal(r.status, 0, r.stdout.toString() + r.stderr.toString());
});
