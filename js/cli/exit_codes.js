'use strict';
// exit_codes.js: the CLI's documented exit statuses (README "Exit codes").
module.exports = Object.freeze({
  OK: 0, // the command did what was asked
  FAILURE: 1, // a KeryxError: the message and code say what went wrong
  USAGE: 2, // unknown command or option, missing argument
  INTERRUPTED: 130, // SIGINT (Ctrl-C): the flow was cancelled, its port released
});
