#!/usr/bin/env node
'use strict';
// keryx: the command line. Each command lives in js/cli/commands/<name>.js and exports
// `register(program, run)`; `run` wraps its action with --json output and error/exit handling.
const { Command, CommanderError } = require('commander');
const { Output } = require('./output');
const EXIT = require('./exit_codes');
const { version } = require('../../package.json');

const COMMANDS = ['demo', 'status', 'logout', 'config'];

function buildProgram() {
  const program = new Command();
  program
    .name('keryx')
    .description('Get, keep and use OAuth tokens for the platforms people post to.')
    .version(version, '-V, --version', 'print the keryx version')
    .option('--json', 'print one JSON document on stdout instead of human text')
    .showHelpAfterError('(run keryx --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure (the error's code says why), 2 usage error, 130 interrupted.
Environment: NO_COLOR disables colour; colour is also off when output is not a terminal.
Docs: docs/ in the package (README.md, docs/errors.md).`,
    )
    .exitOverride();

  const run = (action) =>
    async function runAction(...args) {
      const command = args[args.length - 1];
      const globals = command.optsWithGlobals();
      const out = new Output({ json: Boolean(globals.json) });
      try {
        const code = await action({ out, options: globals, args: args.slice(0, -2), command });
        process.exitCode = code ?? EXIT.OK;
      } catch (err) {
        out.error(err);
        process.exitCode = err.code === 'cancelled' ? EXIT.INTERRUPTED : err.code === 'usage' ? EXIT.USAGE : EXIT.FAILURE;
      }
    };

  for (const name of COMMANDS) require(`./commands/${name}`).register(program, run);
  return program;
}

async function main(argv) {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; real usage errors with 2.
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    throw err;
  }
}

if (require.main === module) main(process.argv);

module.exports = { buildProgram, main };
