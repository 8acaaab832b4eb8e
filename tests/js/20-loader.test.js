'use strict';
// 20-loader: when the addon cannot load, keryx throws ONE KeryxError naming every path tried and
// the exact fix.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..');

test('an unbuilt install fails with addon_missing listing each path and the apt/brew fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-loader-'));
  try {
    fs.cpSync(path.join(repo, 'js'), path.join(dir, 'js'), { recursive: true });
    fs.copyFileSync(path.join(repo, 'package.json'), path.join(dir, 'package.json'));
    const script = `try { require(${JSON.stringify(path.join(dir, 'js'))}).pkce.state(); console.log('loaded') }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }`;
    const env = { ...process.env };
    delete env.KERYX_ADDON_PATH;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { env }).toString());
    assert.equal(out.name, 'KeryxError');
    assert.equal(out.code, 'addon_missing');
    assert.ok(out.message.includes(path.join(dir, 'build', 'Release', 'keryx.node')));
    assert.ok(out.message.includes(path.join(dir, 'build', 'Debug', 'keryx.node')));
    assert.match(out.message, /apt-get install -y .*libsodium-dev/);
    assert.match(out.message, /brew install/);
    assert.match(out.message, /npm rebuild keryx/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('KERYX_ADDON_PATH pointing at a broken file reports why it failed', () => {
  const bogus = path.join(os.tmpdir(), `keryx-bogus-${process.pid}.node`);
  fs.writeFileSync(bogus, 'not an ELF file');
  try {
    const r = spawnSync(process.execPath, ['-e', `try { require(${JSON.stringify(path.join(repo, 'js'))}).pkce.state() } catch (e) { console.log(e.code); console.log(e.message) }`], {
      env: { ...process.env, KERYX_ADDON_PATH: bogus },
    });
    const text = r.stdout.toString();
    assert.match(text, /^addon_missing/);
    assert.ok(text.includes(bogus));
    assert.match(text, /invalid ELF header|file too short/);
  } finally {
    fs.rmSync(bogus, { force: true });
  }
});
