'use strict';
// paths.js: where keryx keeps its files. KERYX_HOME puts everything in one folder (tests,
// containers); otherwise the XDG base directories:
//   config file  $KERYX_CONFIG         else $XDG_CONFIG_HOME/keryx/config.json (~/.config/keryx/config.json)
//   vault        $KERYX_VAULT          else $XDG_DATA_HOME/keryx/vault        (~/.local/share/keryx/vault)
//   key file     $KERYX_VAULT_KEY_FILE else <config dir>/vault.key (only when no better key provider exists)
//   install id   <config dir>/install-id
const os = require('node:os');
const path = require('node:path');

function base(env, xdgVar, fallback) {
  if (env.KERYX_HOME) return path.resolve(env.KERYX_HOME);
  const root = env[xdgVar] && path.isAbsolute(env[xdgVar]) ? env[xdgVar] : path.join(env.HOME || os.homedir(), fallback);
  return path.join(root, 'keryx');
}

/** paths: every keryx file location for `env` (default process.env). */
function paths(env = process.env) {
  const configDir = base(env, 'XDG_CONFIG_HOME', '.config');
  const dataDir = base(env, 'XDG_DATA_HOME', path.join('.local', 'share'));
  return {
    configDir,
    dataDir,
    configFile: env.KERYX_CONFIG ? path.resolve(env.KERYX_CONFIG) : path.join(configDir, 'config.json'),
    vault: env.KERYX_VAULT ? path.resolve(env.KERYX_VAULT) : path.join(dataDir, 'vault'),
    keyFile: env.KERYX_VAULT_KEY_FILE ? path.resolve(env.KERYX_VAULT_KEY_FILE) : path.join(configDir, 'vault.key'),
    installId: path.join(configDir, 'install-id'),
  };
}

/** tildify: `p` with the home directory shown as ~ (for human output). */
function tildify(p, env = process.env) {
  const home = env.HOME || os.homedir();
  return home && (p === home || p.startsWith(home + path.sep)) ? `~${p.slice(home.length)}` : p;
}

module.exports = { paths, tildify };
