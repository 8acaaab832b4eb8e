'use strict';
// auth.js: `keryx auth <platform>`: the interactive OAuth flow from nothing to a stored token.
// Prints the callback and the authorize URL, opens the browser once the callback is bound, shows a
// countdown on a terminal, races the callback against a code or URL pasted on stdin, then exchanges,
// stores and reports. `--code` finishes a pending authorization non-interactively; `--sandbox`
// runs against the built-in emulator (with no URL: one started here that approves by itself, and
// keryx follows the redirect as a browser would). `keryx auth refresh` is a subcommand (./refresh.js):
// the framework runs it when the first word is `refresh`. Never prints a token, code, verifier or secret.
const os = require('node:os');
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');
const { sanitize } = require('../output');

const authLib = lazy(require, '../../lib/auth');
const browser = lazy(require, '../../lib/browser');
const paste = lazy(require, '../paste');
const follow = lazy(require, '../follow');
const profile = lazy(require, '../sandbox_profile');
const paths = lazy(require, '../../lib/paths');

function parseTimeout(value) {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new KeryxError(codes.USAGE, '--timeout takes a number of seconds');
  return Math.round(seconds * 1000);
}

function formatExpiry(seconds) {
  if (!seconds) return 'no expiry given';
  const days = (seconds - Date.now() / 1000) / 86400;
  const when = new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const hours = days * 24;
  const left = days >= 2 ? `${Math.round(days)} days` : hours >= 2 ? `${Math.round(hours)} hours` : `${Math.max(1, Math.round(hours * 60))} minutes`;
  return `expires ${when} (in ${left})`;
}

/** countdown: a live "time left" line on a terminal's stderr; returns stop(). */
function countdown(expiresAt, stream = process.stderr) {
  if (!stream.isTTY) return () => {};
  const draw = () => {
    const left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    stream.write(`\r\x1b[2KWaiting for the callback, or paste the code or redirected URL here: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left `);
  };
  draw();
  const timer = setInterval(draw, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}

function sshHint(port) {
  if (!(process.env.SSH_CONNECTION || process.env.SSH_CLIENT || process.env.SSH_TTY)) return null;
  const user = process.env.USER || os.userInfo().username;
  return `On a remote box? Forward the callback from your desktop first: ssh -L ${port}:localhost:${port} ${user}@${os.hostname()}`;
}

function summaryLines(out, s) {
  const who = s.fields.username || s.fields.display_name || s.fields.channel_title || s.fields.name || '';
  out.line(`${out.style('green', '✓')} ${s.platform} authorized${s.sandbox ? ' (sandbox)' : ''}: account ${s.account}${who ? ` (${sanitize(who)})` : ''}.`);
  const key = { env: 'KERYX_VAULT_KEY', keychain: 'the OS keychain', passphrase: 'your passphrase', key_file: 'a 0600 key file, as no keychain is reachable here; see keryx status' }[s.keyProvider] || s.keyProvider;
  out.line(`  Access token stored in the encrypted vault (key: ${key}), ${formatExpiry(s.expiresAt)}${s.hasRefreshToken ? '; refresh token stored too' : '; no refresh token'}.`);
  const facts = Object.entries(s.config).filter(([k]) => k !== 'enabled').map(([k, v]) => `platforms.${s.platform}.${k} = ${sanitize(v)}`);
  if (facts.length) out.line(`  Config: ${facts.join(', ')}`);
  if (s.scopes && s.scopes.length) out.line(`  Granted: ${s.scopes.join(' ')}`);
}

function jsonSummary(s) {
  return { ok: true, ...s };
}

async function auth({ out, options, args }) {
  const [platform] = args;
  const sandboxOption = options.sandbox;
  let sandbox = null;
  let ownSandbox = null;
  if (options.listen !== undefined && !['all', 'loopback'].includes(options.listen)) {
    throw new KeryxError(codes.USAGE, "--listen takes 'all' or 'loopback'");
  }
  if (sandboxOption === '' && options.code !== undefined) {
    throw new KeryxError(codes.USAGE, '--code with --sandbox needs the URL of the sandbox that issued the code (--sandbox <url>)');
  }
  if (sandboxOption !== undefined && !require('../../lib/platforms').builtinIds().includes(platform)) {
    throw new KeryxError(codes.USAGE, `the sandbox emulates instagram, youtube, tiktok and linkedin, not ${platform}`);
  }
  if (sandboxOption !== undefined) {
    const home = profile().useSandboxProfile();
    out.info(`Sandbox run: tokens and config go to ${paths().tildify(home)}, apart from real accounts.`);
    if (sandboxOption === '') {
      ownSandbox = await require('../../sandbox').startSandbox({ autoApprove: !options.code });
      sandbox = ownSandbox.url;
      out.info(`Started the keryx sandbox at ${sandbox} (it approves by itself; keryx follows the redirect as a browser would).`);
    } else {
      sandbox = sandboxOption.replace(/\/+$/, '');
    }
  }
  const extra = await require('../passphrase').vaultOptions(require('../../lib/store'));
  const common = {
    sandbox,
    account: options.account,
    listen: options.listen,
    storeOptions: extra,
    scopes: options.scope && options.scope.length ? options.scope.flatMap((s) => s.split(/[ ,]+/)).filter(Boolean) : undefined,
  };
  try {
    if (options.code !== undefined) {
      const s = await authLib().authWithCode(platform, options.code, { ...common, redirect: options.redirect });
      summaryLines(out, s);
      out.result(jsonSummary(s));
      return 0;
    }
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    let stopPaste = () => {};
    let stopCountdown = () => {};
    try {
      const s = await authLib().auth(platform, {
        ...common,
        redirect: options.redirect,
        timeoutMs: parseTimeout(options.timeout),
        signal: ac.signal,
        onAuthorize: async (ctx) => {
          const err = out.stderr;
          // Listen for a paste before the URL is shown: on a terminal this also turns echo off,
          // so a code pasted right away never lands in the scrollback.
          if (!ownSandbox) stopPaste = paste().wirePaste({ offer: ctx.offer }, { out });
          if (ctx.skippedPorts.length) {
            const n = ctx.skippedPorts.length;
            err.write(`Port${n > 1 ? 's' : ''} ${ctx.skippedPorts.join(', ')} ${n > 1 ? 'are' : 'is'} busy; using ${ctx.port}.\n`);
          }
          if (ctx.pasteOnly) {
            err.write(`Using OAuth callback ${ctx.redirectUri} (a public host: keryx cannot listen there, paste the URL you land on)\n`);
          } else {
            const where = ctx.boundAddresses.includes('::') || ctx.boundAddresses.includes('0.0.0.0') ? 'all interfaces' : ctx.boundAddresses.join(' and ');
            err.write(`Using OAuth callback ${ctx.redirectUri} (${ctx.tls ? 'https, in-memory certificate' : 'http'}, listening on ${where})\n`);
          }
          err.write(`Open this URL to authorize keryx with ${ctx.displayName}:\n\n  ${ctx.url}\n\n`);
          if (ownSandbox) {
            out.info('Following the redirect as the browser would...');
            follow().follow(ctx.url, ctx.certPem).catch((e) => {
              out.info(`Following the redirect failed [${e.code || 'network_error'}]; paste the redirected URL instead.`);
            });
            return;
          }
          if (ctx.tls && !ctx.pasteOnly) out.info('Your browser will warn about the callback\'s self-signed certificate once: accept it to finish (it exists only for this run).');
          const hint = !ctx.pasteOnly && sshHint(ctx.port);
          if (hint) out.info(hint);
          if (!options.noBrowser && !ctx.pasteOnly) {
            const opened = await browser().open(ctx.url).catch(() => ({ opened: false }));
            if (opened.opened) out.info(`Opened your browser (${opened.via}).`);
            else out.info('(No browser could be opened here: open the URL above yourself.)');
          }
          stopCountdown = countdown(ctx.expiresAt, out.json ? { isTTY: false } : out.stderr);
        },
      });
      stopCountdown();
      stopPaste();
      out.info(`Authorization code received from the ${s.source}; exchanged and stored.`);
      summaryLines(out, s);
      out.result(jsonSummary(s));
      return 0;
    } finally {
      stopCountdown();
      stopPaste();
      process.removeListener('SIGINT', onSigint);
    }
  } catch (err) {
    const base = String(err.message).replace(/[.\s]+$/, '');
    if (err.code === 'capture_timeout' || err.code === 'platform_rejected' || err.code === 'state_mismatch') {
      err.message = `${base}. Nothing was stored. Retry: keryx auth ${platform}${sandbox ? ' --sandbox' : ''}`;
    } else if (['prerequisite_missing', 'scope_missing', 'token_revoked', 'http_status', 'timeout', 'network_error', 'json_invalid', 'response_too_large', 'tls_error'].includes(err.code)) {
      err.message = `${base}. Nothing was stored.`;
    }
    throw err;
  } finally {
    if (ownSandbox) await ownSandbox.close();
  }
}

const command = {
  name: 'auth',
  summary: 'authorize keryx with a platform and store the token (instagram, youtube, tiktok, linkedin, or a configured provider); keryx auth refresh keeps stored tokens alive',
  args: [{ name: 'platform', required: true, description: 'instagram, youtube, tiktok, linkedin, or a generic provider configured under platforms.<name>' }],
  options: {
    redirect: { type: 'string', valueName: 'uri', description: "use exactly this redirect URI (one registered with the platform); a public https URI means the code comes by paste" },
    code: { type: 'string', valueName: 'code|url', description: 'finish the pending authorization with a code, or the URL the browser landed on, without waiting' },
    'no-browser': { type: 'boolean', description: 'print the URL but do not open a browser' },
    listen: { type: 'string', valueName: 'where', description: "https callbacks (Instagram): 'all' interfaces (default) or 'loopback' only" },
    timeout: { type: 'string', valueName: 'seconds', default: '300', description: 'give up waiting after this many seconds' },
    account: { type: 'string', valueName: 'name', description: "file the token under this name instead of the platform's account id" },
    scope: { type: 'string', multiple: true, valueName: 'scope', description: "request these scopes instead of the platform's defaults (repeatable)" },
    sandbox: { type: 'string', valueName: 'url', optionalValue: /^https?:\/\//i, description: 'run against the keryx sandbox: its URL (see keryx sandbox), or none to start one here that approves by itself' },
  },
  subcommands: [{ name: 'refresh', load: () => require('./refresh').command }],
  helpAfter: `Keeping tokens alive: keryx auth refresh [platform] [--all] refreshes what is due and alerts on
what no refresh can save (see keryx auth refresh --help and docs/lifecycle.md).
Prerequisites (see docs/platforms/<platform>.md):
  instagram  keryx config set platforms.instagram.app_id <id>;  INSTAGRAM_APP_SECRET
  youtube    keryx config set platforms.youtube.client_id <id>; YOUTUBE_CLIENT_SECRET
  tiktok     keryx config set platforms.tiktok.client_key <key>; TIKTOK_CLIENT_SECRET
  linkedin   keryx config set platforms.linkedin.client_id <id>; LINKEDIN_CLIENT_SECRET
The code may arrive at the callback or be pasted (the code, or the whole URL the browser shows);
the first wins. Tokens go to the encrypted vault; nothing secret is printed.`,
  examples: [
    'keryx auth tiktok --sandbox          # a full run against the built-in emulator',
    'keryx auth instagram',
    'keryx auth youtube --no-browser      # over SSH: open the URL on your desktop',
    "keryx auth linkedin --code 'http://127.0.0.1:3770/?code=...&state=...'",
    'keryx auth refresh --all             # refresh what is due (cron, CI)',
  ],
  action: auth,
};

module.exports = { command };
