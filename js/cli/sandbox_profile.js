'use strict';
// sandbox_profile.js: `--sandbox` runs keep their tokens and config apart from real ones, in a
// `sandbox` folder under keryx's data folder (or under $KERYX_HOME), so trying keryx against the
// emulator never overwrites a real account.
const path = require('node:path');
const { paths } = require('../lib/paths');

/** sandboxHome: the folder sandbox runs use for `env` (default process.env). */
function sandboxHome(env = process.env) {
  return path.join(env.KERYX_HOME ? path.resolve(env.KERYX_HOME) : paths(env).dataDir, 'sandbox');
}

/** useSandboxProfile: points this process's keryx paths at the sandbox folder; returns it. */
function useSandboxProfile(env = process.env) {
  const home = sandboxHome(env);
  env.KERYX_HOME = home;
  for (const name of ['KERYX_CONFIG', 'KERYX_VAULT', 'KERYX_VAULT_KEY_FILE']) delete env[name];
  return home;
}

module.exports = { sandboxHome, useSandboxProfile };
