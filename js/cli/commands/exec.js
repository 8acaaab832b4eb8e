'use strict';
// exec.js: `keryx exec <platform> [--account <id>] -- <command> [args...]`: runs a command with a
// fresh access token in its environment (<PLATFORM>_ACCESS_TOKEN, plus KERYX_PLATFORM and
// KERYX_ACCOUNT), so a script that posts never handles the vault or a refresh itself. The token
// comes from tokenSource(platform).getToken() (js/lib/token_source.js: the environment first, else
// the vault, refreshed, rotated and stored as needed). The command runs without a shell, with
// keryx's stdin, stdout and stderr; keryx exits with its exit status (128+n when a signal n ended
// it) and forwards SIGINT, SIGTERM and SIGHUP to it. keryx itself never prints the token.
const os = require('node:os');
const { spawn } = require('node:child_process');
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');
const { sanitize } = require('../output');

const store = lazy(require, '../../lib/store');

const PLATFORM = /^[a-z0-9_-]{1,64}$/;
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
// Exit statuses for a command that could not be started, as shells use them.
const NOT_FOUND_STATUS = 127;
const NOT_RUNNABLE_STATUS = 126;

/** runChild: spawns `argv` (no shell, stdio inherited) with `env`; resolves its exit status. */
function runChild(argv, env, out) {
  return new Promise((resolve) => {
    let child;
    const handlers = FORWARDED.map((signal) => [signal, () => child && child.exitCode === null && child.kill(signal)]);
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    };
    try {
      child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env, shell: false });
    } catch (err) {
      out.error(new KeryxError(codes.INVALID_ARGUMENT, `cannot run ${sanitize(argv[0])}: ${err.code || err.message}`));
      resolve(NOT_RUNNABLE_STATUS);
      return;
    }
    for (const [signal, handler] of handlers) process.on(signal, handler);
    child.once('error', (err) => {
      cleanup();
      if (err.code === 'ENOENT') {
        out.error(new KeryxError(codes.NOT_FOUND, `command not found: ${sanitize(argv[0])}`));
        resolve(NOT_FOUND_STATUS);
      } else {
        out.error(new KeryxError(codes.IO_ERROR, `cannot run ${sanitize(argv[0])}: ${err.code || err.message}`));
        resolve(NOT_RUNNABLE_STATUS);
      }
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(signal ? 128 + (os.constants.signals[signal] || 0) : code);
    });
  });
}

async function exec({ out, options, args }) {
  const [platform, ...argv] = args;
  if (!PLATFORM.test(platform)) throw new KeryxError(codes.USAGE, 'a platform name is 1-64 characters of a-z, 0-9, _ and -');
  if (!argv.length) throw new KeryxError(codes.USAGE, `give the command to run after --, e.g. keryx exec ${platform} -- ./post.sh`);
  if (options.sandbox) require('../sandbox_profile').useSandboxProfile();
  const storeOptions = await require('../passphrase').vaultOptions(store());
  const source = require('../../lib/token_source').tokenSource(platform, { account: options.account, storeOptions });
  source.on('token.expiring', (e) => {
    out.info(`keryx: ${platform}${e.account ? ` ${e.account}` : ''} runs out ${e.expiresAt || 'soon'} and no refresh can extend it; re-run: keryx auth ${platform}${options.sandbox ? ' --sandbox' : ''}`);
  });
  source.on('token.persist_failed', (e) => out.stderr.write(`keryx: CRITICAL ${sanitize(e.message || 'a refreshed token could not be stored')}\n`));
  // A signal while the token is fetched waits for the refresh to be stored (a rotating token killed
  // mid-refresh would be lost), then ends keryx before the command starts.
  let interrupted = null;
  const hold = FORWARDED.map((signal) => [signal, () => (interrupted ??= signal)]);
  for (const [signal, handler] of hold) process.on(signal, handler);
  let token;
  try {
    token = await source.getToken();
  } catch (err) {
    if (options.sandbox && [codes.NOT_FOUND, codes.TOKEN_REVOKED, codes.ROTATION_LOST, codes.TOKEN_EXPIRED].includes(err.code)) {
      err.message = `${String(err.message).replace(/[.\s]+$/, '')} (this is the sandbox profile: keryx auth ${platform} --sandbox)`;
    }
    throw err;
  } finally {
    for (const [signal, handler] of hold) process.removeListener(signal, handler);
  }
  if (interrupted) throw new KeryxError(codes.CANCELLED, `interrupted (${interrupted}) before the command started; the token is stored`);
  const vars = store().envVarsFor(platform);
  const env = { ...process.env, [vars.access]: token.accessToken, KERYX_PLATFORM: platform, KERYX_ACCOUNT: token.account || '' };
  token = null;
  return runChild(argv, env, out);
}

const command = {
  name: 'exec',
  summary: 'run a command with a fresh access token in its environment (<PLATFORM>_ACCESS_TOKEN)',
  description:
    "Run a command with a fresh access token for the platform in its environment: <PLATFORM>_ACCESS_TOKEN (e.g. TIKTOK_ACCESS_TOKEN; a generic provider's name upper-cased, - as _), KERYX_PLATFORM and KERYX_ACCOUNT. The token is refreshed first when due (a rotating TikTok token is minted and stored before the command starts). The command runs without a shell, with your terminal; keryx exits with its exit status.",
  args: [
    { name: 'platform', required: true, description: 'instagram, youtube, tiktok, linkedin, or a generic provider name' },
    { name: 'command', required: true, variadic: true, description: 'the command and its arguments, after -- (not run by a shell: use sh -c \'...\' for pipes or $VARIABLES)' },
  ],
  options: {
    account: { type: 'string', valueName: 'id', description: 'which account (default: the platform default)' },
    sandbox: { type: 'boolean', description: 'use the sandbox profile (tokens from keryx auth --sandbox)' },
  },
  helpAfter: `Exit status: the command's own; 128+n when signal n ended it (SIGINT, SIGTERM and SIGHUP sent to
keryx are passed on); 127 when the command is not found; 1 with the error code when no token could
be had (nothing stored, revoked, rotation_lost, ...: the message says what to run). The token is
never printed by keryx; <PLATFORM>_ACCESS_TOKEN already set in your environment is used as is.`,
  examples: [
    'keryx exec tiktok -- ./post-video.sh clip.mp4',
    'keryx exec linkedin --account sandboxSub001 -- node post.js',
    "keryx exec youtube -- sh -c 'curl -sH \"Authorization: Bearer $YOUTUBE_ACCESS_TOKEN\" https://www.googleapis.com/youtube/v3/channels?part=id\\&mine=true'",
  ],
  action: exec,
};

module.exports = { command, runChild };
