'use strict';
// 20-loader: when the addon cannot load, keryx throws ONE KeryxError naming every path tried and
// the exact fix; load('store') prefers the light keryx_store.node (no libcurl) and falls back to
// keryx.node.
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

// loadedAddons: runs `code` (with `native` = js/lib/native.js of `jsDir`) in a fresh Node without
// KERYX_*ADDON_PATH (plus `env`) and returns what it printed and the .node files it loaded.
function loadedAddons(jsDir, code, env = {}) {
  const clean = { ...process.env, ...env };
  for (const name of ['KERYX_ADDON_PATH', 'KERYX_STORE_ADDON_PATH']) if (!(name in env)) delete clean[name];
  const script = `const native = require(${JSON.stringify(path.join(jsDir, 'lib', 'native.js'))});
    let out; try { out = (${code})(native) } catch (e) { out = { code: e.code, message: e.message } }
    console.log(JSON.stringify({ out, addons: Object.keys(require.cache).filter((f) => f.endsWith('.node')) }))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: clean }).toString());
}

test("load('store') on an unbuilt install lists the light and the full addon paths", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-loader-'));
  try {
    fs.cpSync(path.join(repo, 'js'), path.join(dir, 'js'), { recursive: true });
    const { out } = loadedAddons(path.join(dir, 'js'), (n) => n.load('store'));
    assert.equal(out.code, 'addon_missing');
    for (const build of ['Release', 'Debug']) {
      for (const file of ['keryx_store.node', 'keryx.node']) {
        assert.ok(out.message.includes(path.join(dir, 'build', build, file)), `${build}/${file}`);
      }
    }
    assert.match(out.message, /npm rebuild keryx/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("load('store') falls back to keryx.node when keryx_store.node is missing or broken", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-loader-'));
  try {
    fs.cpSync(path.join(repo, 'js'), path.join(dir, 'js'), { recursive: true });
    const full = path.join(dir, 'build', 'Release', 'keryx.node');
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.copyFileSync(path.join(repo, 'build', 'Release', 'keryx.node'), full);
    const probe = (n) => typeof n.load('store').storeInfo;
    assert.deepEqual(loadedAddons(path.join(dir, 'js'), probe), { out: 'function', addons: [full] });
    const bogus = path.join(dir, 'keryx_store.node');
    fs.writeFileSync(bogus, 'not an ELF file');
    const broken = loadedAddons(path.join(dir, 'js'), probe, { KERYX_STORE_ADDON_PATH: bogus });
    assert.deepEqual(broken, { out: 'function', addons: [full] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("load('store') loads keryx_store.node alone: store, config and pkce, and no libcurl", (t) => {
  const light = path.join(repo, 'build', 'Release', 'keryx_store.node');
  const { out, addons } = loadedAddons(path.join(repo, 'js'), (n) => Object.keys(n.load('store')));
  assert.deepEqual(addons, [light]);
  for (const name of ['storeInfo', 'storeGet', 'configGet', 'configPath', 'pkceCreate']) assert.ok(out.includes(name), name);
  assert.ok(!out.includes('httpRequest') && !out.includes('captureStart'));
  const { addons: both } = loadedAddons(path.join(repo, 'js'), (n) => (n.load(), n.load('store'), 0));
  assert.deepEqual(both, [path.join(repo, 'build', 'Release', 'keryx.node')], 'reuses the full addon once loaded');
  if (process.platform !== 'linux') return t.skip('NEEDED check is ELF-only');
  const r = spawnSync('readelf', ['-d', light]);
  if (r.error) return t.skip('readelf not installed');
  const needed = [...r.stdout.toString().matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1]);
  assert.ok(needed.some((l) => l.startsWith('libsodium')), needed.join(' '));
  assert.deepEqual(needed.filter((l) => /curl|httplib|libssl|libcrypto/.test(l)), [], needed.join(' '));
});
