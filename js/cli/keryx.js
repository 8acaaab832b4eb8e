#!/usr/bin/env node
'use strict';
// keryx: the command line. Each command lives in js/cli/commands/<name>.js and exports `command`,
// its definition for ./framework (util.parseArgs underneath), loaded only when that command runs
// or help lists them all; `run` wraps every action with --json output and error/exit handling.
const { Program } = require('./framework');
const { Output } = require('./output');
const EXIT = require('./exit_codes');

const COMMANDS = ['auth', 'exec', 'demo', 'status', 'logout', 'config', 'sandbox'];

/**
 * run: calls `action({ out, options, args, command })` and returns the exit status: its own (0 when
 * it returns nothing), 130 for a cancelled flow, 2 for a usage error, 1 for any other error (printed
 * as text on stderr, or with --json as one {"ok": false, "error"} document on stdout).
 */
async function run(action, context) {
  const out = new Output({ json: Boolean(context.options.json) });
  try {
    return (await action({ out, ...context })) ?? EXIT.OK;
  } catch (err) {
    out.error(err);
    return err.code === 'cancelled' ? EXIT.INTERRUPTED : err.code === 'usage' ? EXIT.USAGE : EXIT.FAILURE;
  }
}

function buildProgram() {
  const program = new Program({
    name: 'keryx',
    description: 'Get, keep and use OAuth tokens for the platforms people post to.',
    version: () => require('../../package.json').version,
    options: { json: { type: 'boolean', description: 'print one JSON document on stdout instead of human text' } },
    helpAfter: `Exit codes: 0 ok, 1 failure (the error's code says why), 2 usage error, 130 interrupted.
Environment: NO_COLOR disables colour; colour is also off when output is not a terminal.
Docs: docs/ in the package (README.md, docs/errors.md).`,
    run,
  });
  for (const name of COMMANDS) program.command(name, () => require(`./commands/${name}`).command);
  return program;
}

/** main: runs the command line `argv` (as process.argv) and sets process.exitCode. */
async function main(argv) {
  process.exitCode = await buildProgram().parse(argv.slice(2));
}

if (require.main === module) {
  // `keryx status | head`: a reader that closes early is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  main(process.argv);
}

module.exports = { buildProgram, main, run };
