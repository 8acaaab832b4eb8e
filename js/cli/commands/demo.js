'use strict';
// demo.js: `keryx demo`, a complete capture round trip on this machine with nothing to set up:
// keryx binds its callback (https with the in-memory certificate by default), creates the PKCE pair
// and state, then plays the platform's part by following the redirect itself, over TLS verified
// against the run's own certificate. `--paste` waits for a pasted code instead. It needs no browser
// and no terminal input, and prints what a user would see — never the code, verifier or state.
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');

const crypto = lazy(require, 'node:crypto');
const capture = lazy(require, '../../lib/capture');
const pkce = lazy(require, '../../lib/pkce');
const paste = lazy(require, '../paste');
const follow = lazy(require, '../follow');

/** mintDemoCode: the authorization code the demo's stand-in platform issues. */
function mintDemoCode() {
  return `demo.${crypto().randomBytes(24).toString('base64url')}`;
}

function parseTimeout(value) {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new KeryxError(codes.USAGE, '--timeout takes a number of seconds');
  return Math.round(seconds * 1000);
}

async function demo({ out, options }) {
  const started = process.hrtime.bigint();
  const mode = options.http ? 'http' : 'https-range';
  const pair = pkce().create({ method: 'S256' });
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const cap = await capture().start({
    mode,
    path: options.http ? '/callback/' : '/',
    listen: options.listen,
    timeoutMs: parseTimeout(options.timeout),
    signal: ac.signal,
    appName: 'keryx demo',
  });
  let stopPaste = () => {};
  try {
    const where = cap.boundAddresses.includes('::') ? 'all interfaces' : cap.boundAddresses.join(' and ');
    out.info(out.style('bold', 'keryx demo') + ': a full callback capture on this machine; no platform is contacted.');
    if (cap.skippedPorts.length) {
      const n = cap.skippedPorts.length;
      out.info(`Port${n > 1 ? 's' : ''} ${cap.skippedPorts.join(', ')} ${n > 1 ? 'are' : 'is'} busy; using ${cap.port}.`);
    }
    out.info(`Using OAuth callback ${cap.redirectUri} (${cap.tls ? 'https, in-memory certificate' : 'http'}, listening on ${where})`);
    out.info(`PKCE ${pair.method}: challenge made, verifier kept secret (${pair.verifier.length} characters).`);

    if (options.paste) {
      out.info('Paste a code, or a redirected URL, and press Enter:');
      stopPaste = paste().wirePaste(cap, { out });
    } else {
      out.info('Following the redirect as the browser would...');
      const url = `${cap.redirectUri}?code=${encodeURIComponent(mintDemoCode())}&state=${encodeURIComponent(cap.state)}`;
      const status = await follow().follow(url, cap.certPem);
      out.info(`The callback answered HTTP ${status} with the success page.`);
    }
    const result = await cap.result;
    await cap.close();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    out.line(`${out.style('green', '✓')} Authorization code captured from the ${result.source} (${result.code.length} characters, not shown) in ${ms.toFixed(1)} ms.`);
    out.line(`Port ${cap.port} released. Next: keryx auth <platform> does the same against a real platform.`);
    out.result({
      ok: true,
      redirectUri: cap.redirectUri,
      port: cap.port,
      tls: cap.tls,
      boundAddresses: cap.boundAddresses,
      skippedPorts: cap.skippedPorts,
      source: result.source,
      codeLength: result.code.length,
      pkceMethod: pair.method,
      elapsedMs: Math.round(ms * 10) / 10,
    });
    return 0;
  } finally {
    stopPaste();
    process.removeListener('SIGINT', onSigint);
    await cap.close();
  }
}

const command = {
  name: 'demo',
  summary: 'run a complete callback capture on this machine (no browser, no platform, no input needed)',
  options: {
    http: { type: 'boolean', description: 'use a plain http loopback callback instead of https on 3764-3769' },
    listen: { type: 'string', valueName: 'where', default: 'all', description: "https: 'all' interfaces (default) or 'loopback' only" },
    paste: { type: 'boolean', description: 'wait for a pasted code or redirected URL instead of following the redirect' },
    timeout: { type: 'string', valueName: 'seconds', default: '300', description: 'give up after this many seconds' },
  },
  examples: ['npx keryx demo            # https callback, followed automatically', 'echo abc123 | npx keryx demo --paste'],
  action: demo,
};

module.exports = { command, mintDemoCode };
