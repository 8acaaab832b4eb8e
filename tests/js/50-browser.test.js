'use strict';
// 50-browser: the browser opener runs no shell, honours $BROWSER, and never fails the flow.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const browser = require('../../js/lib/browser');

const URL_WITH_AMPS = 'http://127.0.0.1:5555/?a=1&b=$(touch /tmp/pwned)&c=`id`;d';

test('commandsFor: platform defaults, no cmd /c start on Windows', () => {
  assert.deepEqual(browser.commandsFor('http://x/?a&b', { platform: 'darwin', env: {} }), [['open', ['http://x/?a&b']]]);
  assert.deepEqual(browser.commandsFor('http://x/?a&b', { platform: 'win32', env: {} }), [
    ['rundll32', ['url.dll,FileProtocolHandler', 'http://x/?a&b']],
  ]);
  assert.deepEqual(browser.commandsFor('u', { platform: 'linux', env: {} }).map((c) => c[0]), ['xdg-open', 'wslview']);
  assert.deepEqual(browser.commandsFor('u', { platform: 'linux', env: { BROWSER: 'firefox --new-tab %s:lynx' } }).slice(0, 2), [
    ['firefox', ['--new-tab', 'u']],
    ['lynx', ['u']],
  ]);
});

test('$BROWSER receives the URL as one argument, untouched by any shell', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-browser-'));
  const record = path.join(dir, 'argv.json');
  const fake = path.join(dir, 'fake-browser');
  fs.writeFileSync(fake, `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)))\n`, { mode: 0o755 });
  try {
    const r = await browser.open(URL_WITH_AMPS, { env: { BROWSER: fake }, platform: 'linux' });
    assert.deepEqual(r, { opened: true, via: fake });
    for (let i = 0; i < 100 && !fs.existsSync(record); i++) await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(JSON.parse(fs.readFileSync(record, 'utf8')), [URL_WITH_AMPS]);
    assert.ok(!fs.existsSync('/tmp/pwned'), 'no shell expansion happened');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no usable opener: resolves opened:false with what was tried, never throws', async () => {
  const r = await browser.open('http://127.0.0.1/', { env: { PATH: '/nonexistent', BROWSER: '/nonexistent/browser-a:/nonexistent/browser-b' }, platform: 'linux' });
  assert.equal(r.opened, false);
  assert.deepEqual(r.tried.map((t) => t.command), ['/nonexistent/browser-a', '/nonexistent/browser-b', 'xdg-open', 'wslview']);
  assert.equal(r.tried[0].reason, 'ENOENT');
});
