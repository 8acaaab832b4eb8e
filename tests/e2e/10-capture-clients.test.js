'use strict';
// 10-capture-clients: real clients (curl, headless Chromium) reach the capture server and the
// authorization code is captured; the browser pages render and keep the code out of sight.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const capture = require('../../js/lib/capture');
const { codes } = require('../../js/lib/errors');
const { withTimeout, isPending, callbackUrl, randomCode, httpsRangeOptions } = require('./helpers');

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const DEADLINE = { timeout: 30000 };

/** curl: runs /usr/bin/curl; resolves { status, body } (status from -w '%{http_code}'). */
function curl(args) {
  return new Promise((resolve, reject) => {
    const marker = '\n--keryx-status:';
    execFile(
      '/usr/bin/curl',
      ['-sS', '--noproxy', '*', '--max-time', '10', '-w', `${marker}%{http_code}`, ...args],
      { timeout: 15000 },
      (err, stdout, stderr) => {
        if (err) return reject(Object.assign(err, { stderr }));
        const at = stdout.lastIndexOf(marker);
        resolve({ status: Number(stdout.slice(at + marker.length)), body: stdout.slice(0, at) });
      },
    );
  });
}

function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], timeout: 20000 });
}

/** assertNoSecrets: the page text never echoes the code or the state. */
function assertNoSecrets(body, code, state) {
  assert.ok(!body.includes(code), 'the page must not echo the code');
  assert.ok(!body.includes(state), 'the page must not echo the state');
}

test('curl reaches the http capture server and the code is captured', DEADLINE, async () => {
  const cap = await capture.start({ mode: 'http', path: '/callback', timeoutMs: 20000 });
  try {
    assert.match(cap.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(cap.tls, false);
    const code = randomCode();
    const res = await curl([callbackUrl(cap.redirectUri, { code, state: cap.state })]);
    assert.equal(res.status, 200);
    assert.match(res.body, /id="keryx-result" data-result="success"/);
    assertNoSecrets(res.body, code, cap.state);
    const got = await withTimeout(cap.result, 5000, 'capture result');
    assert.deepEqual({ ...got }, { code, state: cap.state, source: 'callback' });
  } finally {
    await cap.close();
  }
});

test('curl -k reaches the https-range capture server and the code is captured', DEADLINE, async () => {
  const cap = await capture.start(await httpsRangeOptions({ timeoutMs: 20000 }));
  try {
    assert.equal(cap.tls, true);
    assert.equal(cap.redirectUri, `https://localhost:${cap.port}/`);
    const code = randomCode();
    const res = await curl(['-k', callbackUrl(cap.redirectUri, { code, state: cap.state })]);
    assert.equal(res.status, 200);
    assert.match(res.body, /data-result="success"/);
    assertNoSecrets(res.body, code, cap.state);
    const got = await withTimeout(cap.result, 5000, 'capture result');
    assert.equal(got.code, code);
    assert.equal(got.source, 'callback');
  } finally {
    await cap.close();
  }
});

test('Chromium: the https callback is captured, the success page renders, the code leaves the address bar', DEADLINE, async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const cap = await capture.start(await httpsRangeOptions({ timeoutMs: 25000, appName: 'keryx e2e' }));
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    const code = randomCode();
    const response = await page.goto(callbackUrl(cap.redirectUri, { code, state: cap.state }), { timeout: 15000 });
    assert.equal(response.status(), 200);
    const got = await withTimeout(cap.result, 5000, 'capture result');
    assert.equal(got.code, code);
    assert.equal(got.source, 'callback');

    const result = page.locator('#keryx-result');
    assert.equal(await result.getAttribute('data-result'), 'success');
    assert.match(await result.innerText(), /keryx e2e received the authorization/);
    await page.waitForFunction(() => location.search === '', null, { timeout: 5000 });
    const shown = new URL(page.url());
    assert.equal(shown.search, '');
    assert.ok(!page.url().includes(code), 'the address bar must not keep the code');
    assert.equal(shown.origin + shown.pathname, cap.redirectUri);
    assertNoSecrets(await page.content(), code, cap.state);
    await page.screenshot({ path: path.join(ARTIFACTS, 'capture-success.png') });
    assert.ok(fs.statSync(path.join(ARTIFACTS, 'capture-success.png')).size > 1000);
  } finally {
    await browser.close();
    await cap.close();
  }
});

test('Chromium: an error callback ends the flow with platform_rejected and the failure page', DEADLINE, async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const cap = await capture.start(await httpsRangeOptions({ timeoutMs: 25000 }));
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    const url = callbackUrl(cap.redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied the request',
      state: cap.state,
    });
    const response = await page.goto(url, { timeout: 15000 });
    assert.equal(response.status(), 200);
    await assert.rejects(withTimeout(cap.result, 5000, 'capture result'), (err) => {
      assert.equal(err.name, 'KeryxError');
      assert.equal(err.code, codes.PLATFORM_REJECTED);
      assert.match(err.message, /access_denied/);
      assert.ok(!err.message.includes(cap.state), 'the error must not carry the state');
      return true;
    });
    const result = page.locator('#keryx-result');
    assert.equal(await result.getAttribute('data-result'), 'failure');
    assert.match(await result.innerText(), /did not grant keryx access: access_denied/);
    assert.match(await page.locator('main').innerText(), /The user denied the request/);
    await page.waitForFunction(() => location.search === '', null, { timeout: 5000 });
    assert.equal(new URL(page.url()).search, '');
    assert.ok(!(await page.content()).includes(cap.state), 'the page must not echo the state');
    await page.screenshot({ path: path.join(ARTIFACTS, 'capture-failure.png') });
  } finally {
    await browser.close();
    await cap.close();
  }
});

test('Chromium: favicon, preconnects and a wrong path (404) do not end the flow; the real callback wins', DEADLINE, async () => {
  const cap = await capture.start(await httpsRangeOptions({ path: '/callback', timeoutMs: 25000 }));
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    const origin = new URL(cap.redirectUri).origin;

    const wrong = await page.goto(`${origin}/not-the-callback?code=${randomCode()}&state=${cap.state}`, { timeout: 15000 });
    assert.equal(wrong.status(), 404);
    const favicon = await page.goto(`${origin}/favicon.ico`, { timeout: 15000 });
    assert.equal(favicon.status(), 404);
    assert.equal(await isPending(cap.result, 200), true, 'nothing so far may end the flow');

    const code = randomCode();
    const response = await page.goto(callbackUrl(cap.redirectUri, { code, state: cap.state }), { timeout: 15000 });
    assert.equal(response.status(), 200);
    const got = await withTimeout(cap.result, 5000, 'capture result');
    assert.equal(got.code, code);
    assert.equal(got.source, 'callback');
    assert.equal(await page.locator('#keryx-result').getAttribute('data-result'), 'success');
  } finally {
    await browser.close();
    await cap.close();
  }
});
