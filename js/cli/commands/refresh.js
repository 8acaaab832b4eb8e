'use strict';
// refresh.js: `keryx auth refresh [platform] [--all]`: the scheduled upkeep of stored tokens
// (js/lib/upkeep.js refreshDue): each account is refreshed when it is due (or now with --force, as
// far as its platform allows), skipped when not, and alerted on when no refresh can save it. One
// line per account on stdout; alerts on stderr, to an --alert-cmd and to a --webhook; --json gives
// one document. Exit 1 when an account failed (expired, revoked, rotation lost, failed), for cron
// and CI. --watch keeps running, one round every --interval seconds, until SIGINT or SIGTERM.
// Never prints a token: results and events are token-free by construction.
const { EventEmitter } = require('node:events');
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');
const { sanitize } = require('../output');
const { columns, duration } = require('../table');
const EXIT = require('../exit_codes');

const store = lazy(require, '../../lib/store');
const upkeep = lazy(require, '../../lib/upkeep');
const alerts = lazy(require, '../alerts');

const PLATFORM = /^[a-z0-9_-]{1,64}$/;
const DEFAULT_INTERVAL = 3600;
const REPEAT_MS = 24 * 3600 * 1000; // --watch: the same alert goes to --alert-cmd / --webhook at most once a day
// Codes of failures the next run may well not meet again (the platform or network was unwell).
const PASSING = new Set(['network_error', 'timeout', 'http_status', 'tls_error', 'lock_timeout', 'response_too_large', 'json_invalid']);

const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** when: `t` (Unix s) relative to `now`: "in 6 days", "3 h ago", "now". */
function when(t, now) {
  const left = t - now;
  if (Math.abs(left) < 1) return 'now';
  return left > 0 ? `in ${duration(left)}` : `${duration(left)} ago`;
}

/** fixFor: the command (or advice) that repairs a failed or expiring result; '' when none. */
function fixFor(r, sandboxFlag) {
  const reauth = `keryx auth ${r.platform}${sandboxFlag}`;
  if (r.status === 'expiring' || r.status === 'expired' || r.status === 'revoked' || r.status === 'rotation_lost') return `re-run: ${reauth}`;
  if (r.status !== 'failed') return '';
  const account = r.account ? ` --account ${r.account}` : '';
  if (r.code === codes.HOLDER_MISMATCH) return `refresh on the install that holds it, or take it over (the other copy stops working): keryx auth refresh ${r.platform}${account} --take-over${sandboxFlag}`;
  if (r.code === codes.TOKEN_EXPIRED || r.code === codes.PLATFORM_REJECTED) return `re-run: ${reauth}`;
  if (PASSING.has(r.code)) return `temporary: the next run tries again (or now: keryx auth refresh ${r.platform}${account}${sandboxFlag})`;
  return `see docs/errors.md (${r.code})`;
}

/** details: the human part of one result line, after platform, account and status. */
function details(r, fix, sandboxFlag = '') {
  const now = r.now || Math.floor(Date.now() / 1000);
  const expires = r.expiresAt ? `expires ${iso(r.expiresAt)} (${when(r.expiresAt, now)})` : 'no expiry given';
  const next = r.refreshAt ? `next refresh ${when(r.refreshAt, now)}` : 'no further refresh possible: re-authorize before it expires';
  switch (r.status) {
    case 'refreshed': {
      const parts = [`${r.rotated ? 'new refresh token stored; ' : ''}${expires}`, next];
      if (r.persisted === false) parts.push('NOT STORED: the vault write failed, so this token lives only in this process');
      if (r.expiring) parts.push(`the refresh token runs out ${r.expiringAt ? `${iso(r.expiringAt)} (${when(r.expiringAt, now)})` : 'soon'}: re-run keryx auth ${r.platform}${sandboxFlag} before then`);
      return parts.join('; ');
    }
    case 'ok':
      if (r.refreshAt) return `${expires}; ${next}`;
      if (r.expiresAt) return `${expires}; it cannot be refreshed: re-run keryx auth ${r.platform}${sandboxFlag} before then`;
      return 'no expiry given; nothing to refresh';
    case 'too_early':
      return r.notBefore
        ? `the platform refuses a refresh before ${iso(r.notBefore)} (${when(r.notBefore, now)}); ${expires}`
        : sanitize(r.message || 'the platform refuses a refresh this early');
    case 'expiring': {
      const at = r.expiringAt || r.expiresAt;
      return `${at ? `runs out ${iso(at)} (${when(at, now)})` : 'runs out soon'} and no refresh can extend it; ${fix}`;
    }
    default: {
      // The core's message often ends with the re-auth command; the fix says it (with --sandbox).
      const message = sanitize(r.message || '')
        .replace(/[.\s]+$/, '')
        .replace(new RegExp(`[;,.]?\\s*(re-run|run|retry): keryx auth ${r.platform}$`), '');
      return `[${r.code}] ${message}${fix ? `; ${fix}` : ''}`;
    }
  }
}

const STATUS_TEXT = { too_early: 'too early', rotation_lost: 'rotation lost' };
const STATUS_STYLE = { refreshed: 'green', ok: 'green', too_early: 'dim', expiring: 'yellow' };

/** alertLine: one stderr line for an alert event. */
function alertLine(e, sandboxFlag = '') {
  const who = `${e.platform}${e.account ? ` ${e.account}` : ''}`;
  const fix = e.command ? `; re-run: ${e.command}${sandboxFlag}` : '';
  switch (e.event) {
    case 'token.expiring':
      return `alert: ${who} runs out ${e.expiresAt ? e.expiresAt.replace(/\.\d+Z$/, 'Z') : 'soon'} and no refresh can extend it${fix}`;
    case 'token.revoked':
      return `alert: ${who} was revoked at the platform [${e.code}]; the account is marked as needing re-authorization${fix}`;
    case 'rotation_lost':
      return `alert: ${who} lost its rotated refresh token [${e.code}]; the account is marked as needing re-authorization${fix}`;
    case 'token.persist_failed':
      return `alert: CRITICAL ${who}: ${sanitize(e.message || 'a refreshed token could not be stored')}`;
    case 'token.refresh_failed':
      return `alert: ${who} could not be refreshed [${e.code}]${fix}`;
    default:
      return null;
  }
}

function parseInterval(value) {
  if (value === undefined) return DEFAULT_INTERVAL;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1) throw new KeryxError(codes.USAGE, '--interval takes a number of seconds, at least 1');
  return seconds;
}

/** checkOptions: every usage rule, before anything is opened; returns the parsed extras. */
function checkOptions(platform, options) {
  if (!platform && !options.all) {
    throw new KeryxError(codes.USAGE, 'name a platform (keryx auth refresh tiktok) or use --all for every stored account');
  }
  if (platform && options.all) throw new KeryxError(codes.USAGE, 'give either a platform or --all, not both');
  if (platform && !PLATFORM.test(platform)) throw new KeryxError(codes.USAGE, 'a platform name is 1-64 characters of a-z, 0-9, _ and -');
  if (options.takeOver && !platform) {
    throw new KeryxError(codes.USAGE, '--take-over needs a platform (it makes this install the holder of that account\'s rotating refresh token)');
  }
  if (options.interval !== undefined && !options.watch) throw new KeryxError(codes.USAGE, '--interval goes with --watch');
  const extra = { interval: parseInterval(options.interval), alertCmd: null, webhook: null };
  if (options.alertCmd !== undefined) {
    try {
      extra.alertCmd = alerts().parseAlertCommand(options.alertCmd);
    } catch (err) {
      throw new KeryxError(codes.USAGE, `--alert-cmd cannot be split into words: ${err.message} (quote with ' or ", no shell is involved)`);
    }
  }
  if (options.webhook !== undefined) {
    try {
      extra.webhook = alerts().parseWebhook(options.webhook);
    } catch (err) {
      throw new KeryxError(codes.USAGE, `--webhook: ${err.message}`);
    }
  }
  return extra;
}

async function refresh({ out, options, args }) {
  const [platform] = args;
  const extra = checkOptions(platform, options);
  if (options.sandbox) require('../sandbox_profile').useSandboxProfile();
  const sandboxFlag = options.sandbox ? ' --sandbox' : '';
  const storeOptions = await require('../passphrase').vaultOptions(store());
  const warn = (text) => out.stderr.write(`${text}\n`);
  // --watch: an alert already sent to --alert-cmd / --webhook is sent again only after REPEAT_MS
  // (it is still printed every round), so a revoked account does not page someone every interval.
  const sent = new Map();
  const fresh = (e) => {
    if (!options.watch) return true;
    const key = [e.event, e.platform, e.account, e.code, e.expiresAt].join('\u0000');
    const last = sent.get(key);
    if (last !== undefined && Date.now() - last < REPEAT_MS) return false;
    sent.set(key, Date.now());
    return true;
  };

  /** round: one upkeep pass; resolves the JSON document of the round (results with their fix). */
  async function round() {
    const emitter = new EventEmitter();
    const problems = [];
    const sink = alerts().alerter({
      alertCmd: extra.alertCmd,
      webhook: extra.webhook,
      report: (text) => {
        problems.push(text);
        warn(`keryx: ${text}`);
      },
    });
    emitter.on('event', (e) => {
      const line = alertLine(e, sandboxFlag);
      if (line) warn(line);
      if (fresh(e)) sink.deliver(e);
    });
    const { results, failed } = await upkeep().refreshDue({
      platform,
      account: options.account,
      force: Boolean(options.force),
      takeOver: Boolean(options.takeOver),
      storeOptions,
      emitter,
    });
    await sink.settle();
    const unstored = results.filter((r) => r.status === 'refreshed' && r.persisted === false).length;
    const withFix = results.map((r) => {
      const fix = fixFor(r, sandboxFlag);
      return fix ? { ...r, fix } : r;
    });
    return { ok: failed === 0 && unstored === 0, results: withFix, failed: failed + unstored, alertProblems: problems };
  }

  function print(doc) {
    if (!doc.results.length) {
      const what = platform ? `${platform} account${options.account ? ` ${options.account}` : ''}` : `account${options.account ? ` ${options.account}` : ''}`;
      out.line(`No stored ${what}. Run: keryx auth ${platform || '<platform>'}${sandboxFlag}`);
      return;
    }
    const rows = doc.results.map((r) => [
      r.platform,
      r.account || '-',
      out.style(upkeep().FAILURES.has(r.status) || (r.status === 'refreshed' && r.persisted === false) ? 'red' : STATUS_STYLE[r.status] || 'red', STATUS_TEXT[r.status] || r.status),
      details(r, r.fix || '', sandboxFlag),
    ]);
    for (const line of columns(rows)) out.line(line);
  }

  if (!options.watch) {
    // Ctrl-C or SIGTERM during the round lets the refreshes in flight finish and be stored (a
    // rotating token killed mid-refresh would be lost); a second signal stops at once.
    let interrupted = null;
    const defer = (signal) => () => {
      if (interrupted) process.exit(signal === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.FAILURE);
      interrupted = signal;
      warn(`keryx: ${signal}: finishing the refreshes in flight, then stopping (again to stop now)`);
    };
    const handlers = [['SIGINT', defer('SIGINT')], ['SIGTERM', defer('SIGTERM')]];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    let doc;
    try {
      doc = await round();
    } finally {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    }
    if (!doc.results.length && (platform || options.account)) {
      const who = `${platform || 'any platform'}${options.account ? ` account ${options.account}` : ''}`;
      throw new KeryxError(codes.NOT_FOUND, `nothing is stored for ${who}; run: keryx auth ${platform || '<platform>'}${sandboxFlag} (keryx status${options.sandbox ? ' --sandbox' : ''} lists what is)`);
    }
    print(doc);
    out.result(doc);
    if (interrupted === 'SIGINT') return EXIT.INTERRUPTED;
    return doc.ok ? EXIT.OK : EXIT.FAILURE;
  }
  return watch(out, extra.interval, round, print);
}

/** watch: `round()` every `interval` seconds until SIGINT (exit 130) or SIGTERM (exit 0). */
async function watch(out, interval, round, print) {
  let stopping = null;
  let wake = () => {};
  const onSignal = (signal) => {
    if (stopping) process.exit(signal === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.OK); // a second signal: now
    stopping = signal;
    wake();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  out.info(`Watching: a round every ${duration(interval)}; stop with Ctrl-C or SIGTERM.`);
  try {
    for (let n = 1; !stopping; n++) {
      const started = Date.now();
      const at = new Date(started).toISOString().replace(/\.\d+Z$/, 'Z');
      try {
        const doc = await round();
        if (out.json) out.stdout.write(`${JSON.stringify({ round: n, at, ...doc })}\n`);
        else {
          out.info(`Round ${n} at ${at}: ${doc.results.length} account${doc.results.length === 1 ? '' : 's'}, ${doc.failed} failed.`);
          print(doc);
        }
      } catch (err) {
        // A failing round (vault unreadable, key missing, ...) is reported; the next one still runs.
        const error = { code: err.code || 'internal', message: sanitize(err.message) };
        if (out.json) out.stdout.write(`${JSON.stringify({ round: n, at, ok: false, error })}\n`);
        out.stderr.write(`keryx: round ${n} failed [${error.code}] ${error.message}; next round in ${duration(interval)}\n`);
      }
      if (stopping) break;
      const wait = Math.max(0, interval * 1000 - (Date.now() - started));
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  }
  out.info(`Stopped (${stopping}).`);
  return stopping === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.OK;
}

const command = {
  name: 'refresh',
  summary: 'keep stored tokens alive: refresh what is due, alert on what no refresh can save (cron, CI, --watch)',
  description:
    'Refresh the stored tokens that are due (or all of them now with --force, as far as each platform allows), skip the rest, and alert on tokens no refresh can save: expiring without a refresh token (LinkedIn), revoked at the platform, or a rotated refresh token that was lost. Prints one line per account; alerts go to stderr and, with --alert-cmd / --webhook, to your own receiver.',
  args: [{ name: 'platform', description: 'only this platform (instagram, youtube, tiktok, linkedin, or a generic provider); or use --all' }],
  options: {
    all: { type: 'boolean', description: 'every stored account' },
    account: { type: 'string', valueName: 'id', description: 'only this account' },
    force: { type: 'boolean', description: 'refresh now even when not due (a token the platform refuses to refresh yet, e.g. Instagram under 24 h, is reported as too early)' },
    'take-over': { type: 'boolean', description: "refresh a rotating token another install holds, making this install its holder (the other copy stops working); needs a platform" },
    watch: { type: 'boolean', description: 'keep running: one round now and one every --interval seconds, until Ctrl-C or SIGTERM' },
    interval: { type: 'string', valueName: 'seconds', description: `seconds between --watch rounds, at least 1 (default: ${DEFAULT_INTERVAL})` },
    'alert-cmd': { type: 'string', valueName: 'cmd', description: 'run this command for each alert, the event JSON on its stdin (split into words like a shell would, but no shell runs it); 10 s timeout' },
    webhook: { type: 'string', valueName: 'url', description: 'POST each alert event as JSON to this URL (10 s timeout, one retry)' },
    sandbox: { type: 'boolean', description: 'act on the sandbox profile (tokens from keryx auth --sandbox)' },
  },
  helpAfter: `Statuses: refreshed, ok (not due), too early, expiring, expired, revoked, rotation lost, failed.
Exit codes: 1 when an account is expired, revoked, rotation lost or failed (or a refreshed token
could not be stored), else 0; --watch exits 0 on SIGTERM and 130 on Ctrl-C and never stops for a
failing round. Alerts (expiring, revoked, rotation_lost, refresh_failed, persist_failed) are
printed on stderr; a failing --alert-cmd or --webhook is reported there and never changes the exit
code (with --watch, the same alert reaches them at most once a day). With --json: one document {ok, results, failed} (with --watch: one JSON line per round).
No token is ever printed or sent. Guide: docs/lifecycle.md.`,
  examples: [
    'keryx auth refresh --all                       # from cron: 17 * * * *',
    'keryx auth refresh tiktok --force --json',
    "keryx auth refresh --all --alert-cmd 'notify-send \"keryx alert\"'",
    'keryx auth refresh --all --watch --interval 1800 --webhook https://hooks.example.com/keryx',
    'keryx auth refresh tiktok --take-over          # after copying the vault to this machine',
  ],
  action: refresh,
};

module.exports = { command, fixFor, details, alertLine };
