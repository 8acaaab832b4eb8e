'use strict';
// sandbox.js: `keryx sandbox`: runs the built-in emulator of Instagram, Google (YouTube), TikTok and
// LinkedIn on this machine until interrupted, for trying keryx and for integration tests. Point
// runs at it with `keryx auth <platform> --sandbox <url>`. See docs/sandbox.md.
const { KeryxError, codes } = require('../../lib/errors');

async function sandbox({ out, options }) {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KeryxError(codes.USAGE, '--port takes a port number (0-65535)');
  const { startSandbox, SANDBOX_APPS } = require('../../sandbox');
  let sb;
  try {
    sb = await startSandbox({ port, autoApprove: Boolean(options.autoApprove) });
  } catch (err) {
    if (err.code === 'EADDRINUSE') throw new KeryxError(codes.PORT_IN_USE, `port ${port} is already in use (try --port 0 for any free port)`);
    throw err;
  }
  out.info(`keryx sandbox listening on ${sb.url}${options.autoApprove ? ' (approves every request by itself)' : ''}`);
  out.info('Emulates: instagram, youtube (Google), tiktok, linkedin. Its apps and credentials are public and sandbox-only.');
  out.info(`Try:  keryx auth tiktok --sandbox ${sb.url}`);
  out.info('Press Ctrl-C to stop.');
  out.result({ ok: true, url: sb.url, port: sb.port, apps: Object.fromEntries(Object.entries(SANDBOX_APPS).map(([k, a]) => [k, a.clientId])) });
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sb.close();
  out.info('Sandbox stopped.');
  return 0;
}

const command = {
  name: 'sandbox',
  summary: 'run the local emulator of Instagram, Google, TikTok and LinkedIn (until Ctrl-C)',
  options: {
    port: { type: 'string', valueName: 'n', description: 'listen on this port of 127.0.0.1 (default: any free port)' },
    'auto-approve': { type: 'boolean', description: 'approve every authorization without showing the consent page' },
  },
  helpAfter: 'The sandbox enforces each platform\'s rules (registered redirects, PKCE variants, single-use codes, rotation). Knobs and endpoints: docs/sandbox.md.',
  examples: ['keryx sandbox --port 8700', 'keryx auth youtube --sandbox http://127.0.0.1:8700'],
  action: sandbox,
};

module.exports = { command };
