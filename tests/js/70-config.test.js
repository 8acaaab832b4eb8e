'use strict';
// 70-config: `keryx config` end to end with KERYX_CONFIG in a temp dir (JSON and plain values,
// --json, exit codes, secret keys, malformed files left untouched), and the keryx.config JS API.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const config = require('../../js/lib/config');
const { KeryxError } = require('../../js/lib/errors');

const cli = path.resolve(__dirname, '..', '..', 'js', 'cli', 'keryx.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-config-js-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
function freshPath() {
  counter += 1;
  return path.join(tmp, `case${counter}`, 'config.json');
}

function keryx(args, file) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, KERYX_CONFIG: file, NO_COLOR: '1', FORCE_COLOR: '' },
    timeout: 30000,
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

test('set/get/list/unset/path with JSON and plain values', () => {
  const file = freshPath();
  assert.equal(keryx(['config', 'path'], file).stdout, `${file}\n`);
  for (const [key, value] of [
    ['platforms.tiktok.privacy', 'SELF_ONLY'], // plain string
    ['platforms.tiktok.enabled', 'true'],
    ['platforms.instagram.user_id', '17841400000000001'], // > 2^53
    ['platforms.youtube.scopes', '["a","b"]'],
    ['platforms.linkedin.author_urn', '"123"'], // quoted: the string "123"
    ['offset', '-5'],
    ['note', 'http://127.0.0.1:8765/callback'],
  ]) {
    const r = keryx(['config', 'set', key, value], file);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(keryx(['config', 'get', 'platforms.tiktok.privacy'], file).stdout, 'SELF_ONLY\n');
  assert.equal(keryx(['config', 'get', 'platforms.instagram.user_id'], file).stdout, '17841400000000001\n');
  assert.equal(keryx(['config', 'get', 'platforms.tiktok'], file).stdout, '{"privacy":"SELF_ONLY","enabled":true}\n');
  const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(stored.platforms.linkedin.author_urn, '123');
  assert.equal(stored.offset, -5);
  assert.equal(stored.note, 'http://127.0.0.1:8765/callback');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);

  const list = keryx(['config', 'list'], file);
  assert.equal(list.code, 0);
  assert.equal(
    list.stdout,
    [
      'platforms.tiktok.privacy = "SELF_ONLY"',
      'platforms.tiktok.enabled = true',
      'platforms.instagram.user_id = 17841400000000001',
      'platforms.youtube.scopes = ["a","b"]',
      'platforms.linkedin.author_urn = "123"',
      'offset = -5',
      'note = "http://127.0.0.1:8765/callback"',
      '',
    ].join('\n'),
  );

  assert.match(keryx(['config', 'unset', 'offset'], file).stdout, /^Removed offset from /);
  assert.match(keryx(['config', 'unset', 'offset'], file).stdout, /^offset was not set in /);
  assert.equal(keryx(['config', 'get', 'offset'], file).code, 1);
});

test('--json prints one document per command, with exact large ids', () => {
  const file = freshPath();
  const set = keryx(['--json', 'config', 'set', 'platforms.instagram.user_id', '17841400000000001'], file);
  assert.equal(set.code, 0);
  assert.match(set.stdout, /"value": 17841400000000001/);
  assert.deepEqual(JSON.parse(set.stdout).path, file);
  const get = keryx(['--json', 'config', 'get', 'platforms.instagram.user_id'], file);
  assert.match(get.stdout, /"value": 17841400000000001,\n/);
  assert.equal(JSON.parse(get.stdout).key, 'platforms.instagram.user_id');
  keryx(['config', 'set', 'platforms.tiktok.privacy', 'SELF_ONLY'], file);
  const list = JSON.parse(keryx(['--json', 'config', 'list'], file).stdout);
  assert.deepEqual(list.settings.map((s) => s.key), ['platforms.instagram.user_id', 'platforms.tiktok.privacy']);
  assert.equal(list.settings[1].value, 'SELF_ONLY');
  const unset = JSON.parse(keryx(['--json', 'config', 'unset', 'platforms.tiktok.privacy'], file).stdout);
  assert.deepEqual(unset, { ok: true, key: 'platforms.tiktok.privacy', removed: true, path: file });
  assert.deepEqual(JSON.parse(keryx(['--json', 'config', 'path'], file).stdout), { ok: true, path: file, exists: true });
  for (const r of [set, get]) assert.equal(r.stderr, '');
});

test('a key that is not set: nothing on stdout, exit 1, not_found', () => {
  const file = freshPath();
  const r = keryx(['config', 'get', 'platforms.tiktok.privacy'], file);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\[not_found\] platforms\.tiktok\.privacy is not set in /);
  const j = keryx(['--json', 'config', 'get', 'nope'], file);
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.stdout).error.code, 'not_found');
  assert.ok(!fs.existsSync(file), 'reading never creates the file');
});

test('secret keys are refused with exit 1 and the environment variable to use', () => {
  const file = freshPath();
  const r = keryx(['config', 'set', 'platforms.instagram.app_secret', 'hunter2-secret-value'], file);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[secret_in_config\].*INSTAGRAM_APP_SECRET/);
  assert.ok(!r.stderr.includes('hunter2'));
  const j = keryx(['--json', 'config', 'set', 'platforms.youtube.client_secret', 'x'], file);
  assert.equal(JSON.parse(j.stdout).error.code, 'secret_in_config');
  assert.match(JSON.parse(j.stdout).error.message, /YOUTUBE_CLIENT_SECRET/);
  assert.match(keryx(['config', 'set', 'platforms.tiktok.refresh_token', 'x'], file).stderr, /TIKTOK_REFRESH_TOKEN/);
  assert.equal(keryx(['config', 'set', 'platforms.tiktok.client_key', 'aw123'], file).code, 0);
  assert.equal(keryx(['config', 'set', 'platforms.instagram.app_id', '99'], file).code, 0);
});

test('a secret hand-written into the file is never printed', () => {
  const file = freshPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ platforms: { instagram: { app_id: '1', app_secret: 'hunter2' } } }));
  const get = keryx(['config', 'get', 'platforms.instagram'], file);
  assert.equal(get.code, 1);
  assert.match(get.stderr, /\[secret_in_config\].*INSTAGRAM_APP_SECRET/);
  const list = keryx(['config', 'list'], file);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /platforms\.instagram\.app_secret = \(holds the secret .* not shown; set INSTAGRAM_APP_SECRET/);
  const json = keryx(['--json', 'config', 'list'], file);
  assert.deepEqual(JSON.parse(json.stdout).settings[1], { key: 'platforms.instagram.app_secret', secret: true, env: 'INSTAGRAM_APP_SECRET' });
  for (const r of [get, list, json]) assert.ok(!(r.stdout + r.stderr).includes('hunter2'));
});

test('a malformed file: exit 1 with line and column, and the file untouched', () => {
  const file = freshPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bytes = '{\n  "a": 1,\n    }\n';
  fs.writeFileSync(file, bytes);
  for (const args of [['config', 'set', 'b', '2'], ['config', 'get', 'a'], ['config', 'list'], ['config', 'unset', 'a']]) {
    const r = keryx(args, file);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /\[config_invalid\] .*config\.json: line 3, column 5: Missing a name for object member\./);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), bytes);
  fs.writeFileSync(file, '[1, 2]');
  assert.match(keryx(['config', 'list'], file).stderr, /line 1, column 1: the top level must be a JSON object, not an array/);
});

test('usage: missing arguments exit 2; every subcommand has --help with examples', () => {
  const file = freshPath();
  assert.equal(keryx(['config', 'set', 'a'], file).code, 2);
  assert.equal(keryx(['config', 'get'], file).code, 2);
  for (const sub of ['get', 'set', 'unset', 'list', 'path']) {
    const r = keryx(['config', sub, '--help'], file);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Example/);
  }
  assert.match(keryx(['config', 'get', '--help'], file).stdout, /not_found/);
  assert.match(keryx(['--help'], file).stdout, /config/);
});

test('invalid keys are usage-free invalid_argument errors', () => {
  const r = keryx(['config', 'set', 'a..b', '1'], freshPath());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[invalid_argument\]/);
});

test('JS API: path, set/get/list/unset with { path }, precise validation', async () => {
  const file = freshPath();
  const saved = process.env.KERYX_CONFIG;
  process.env.KERYX_CONFIG = file;
  try {
    assert.equal(config.path(), file);
  } finally {
    if (saved === undefined) delete process.env.KERYX_CONFIG;
    else process.env.KERYX_CONFIG = saved;
  }
  const opts = { path: file };
  assert.equal(await config.get('a.b', opts), undefined);
  await config.set('platforms.tiktok.privacy', 'SELF_ONLY', opts);
  await config.set('platforms.youtube.scopes', ['x', 'y'], opts);
  await config.set('flags', { beta: true, n: 2 }, opts);
  await config.setJson('platforms.instagram.user_id', '17841400000000001', opts);
  assert.equal(await config.get('platforms.tiktok.privacy', opts), 'SELF_ONLY');
  assert.deepEqual(await config.get('platforms.youtube.scopes', opts), ['x', 'y']);
  assert.equal(await config.getJson('platforms.instagram.user_id', opts), '17841400000000001');
  const list = await config.list(opts);
  assert.deepEqual(list.map((l) => l.key), [  // document order: instagram joins the platforms object
    'platforms.tiktok.privacy', 'platforms.youtube.scopes', 'platforms.instagram.user_id', 'flags.beta', 'flags.n',
  ]);
  assert.deepEqual(list.find((l) => l.key === 'flags.n'), { key: 'flags.n', value: 2, json: '2' });
  await config.unset('flags', opts);
  assert.equal(await config.get('flags', opts), undefined);

  const invalid = { name: 'KeryxError', code: 'invalid_argument' };
  await assert.rejects(config.get('', opts), invalid);
  await assert.rejects(config.get('a b', opts), { ...invalid, message: /letters, digits/ });
  await assert.rejects(config.set('a', undefined, opts), { ...invalid, message: /got undefined/ });
  await assert.rejects(config.set('a', Number.NaN, opts), { ...invalid, message: /NaN or Infinity/ });
  await assert.rejects(config.set('a', { n: 1n }, opts), { ...invalid, message: /JSON-serialisable/ });
  await assert.rejects(config.setJson('a', '{nope', opts), { ...invalid, message: /not JSON/ });
  await assert.rejects(config.get('a', { path: '' }), { ...invalid, message: /options\.path/ });
  await assert.rejects(config.set('platforms.tiktok.privacy.x', 1, opts), { ...invalid, message: /holds a string, not an object/ });
  await assert.rejects(config.set('platforms.tiktok.client_secret', 's', opts), (err) => {
    assert.ok(err instanceof KeryxError);
    assert.equal(err.code, 'secret_in_config');
    assert.match(err.message, /TIKTOK_CLIENT_SECRET/);
    assert.match(err.stack, /70-config\.test\.js/); // the stack points at the caller
    return true;
  });
});

test('the JS secret rule matches the native one', async () => {
  const opts = { path: freshPath() };
  const keys = [
    'platforms.instagram.app_secret', 'platforms.youtube.client_secret', 'platforms.tiktok.client_key',
    'platforms.x.access_token', 'platforms.x.Refresh_Token', 'platforms.x.endpoints.token_url',
    'platforms.x.tokens', 'vault_key', 'vault.key', 'passphrase', 'proxy.password', 'password_hint',
    'app_id', 'client_id', 'webhooksecret', 'secret_santa', 'my-token-thing',
  ];
  for (const key of keys) {
    let refused = null;
    try {
      await config.set(key, 'v', opts);
    } catch (err) {
      assert.equal(err.code, 'secret_in_config', key);
      refused = err.message;
    }
    assert.equal(refused !== null, config.isSecretKey(key), key);
    if (refused) assert.ok(refused.includes(`environment variable ${config.secretEnvName(key)} `), `${key}: ${refused}`);
  }
});
