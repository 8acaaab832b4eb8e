'use strict';
// config.js: `keryx config get|set|unset|list|path`, the non-secret settings file (docs/config.md).
// Values travel as the exact JSON text the core stores, so a large numeric id prints unchanged.
// The file holds no secrets (the core refuses secret keys); a hand-edited secret is still never
// printed: get refuses it and list shows only where it belongs instead.
const { KeryxError, codes } = require('../../lib/errors');
const { lazy } = require('../../lib/lazy');

const crypto = lazy(require, 'node:crypto');
const fs = lazy(require, 'node:fs');
const config = lazy(require, '../../lib/config');
const { sanitize } = require('../output');

/** valueText: the JSON text for a command-line value: itself when it is JSON, else a JSON string. */
function valueText(value) {
  try {
    JSON.parse(value);
    return value;
  } catch {
    return JSON.stringify(value);
  }
}

/** display: how a stored value reads in human output: strings bare (get) or JSON (set/list). */
function display(json, { bareStrings = false } = {}) {
  if (bareStrings && json.startsWith('"')) return sanitize(JSON.parse(json));
  return sanitize(json);
}

/** RawJson: a value printed in --json output as its exact stored JSON text. */
class RawJson {
  constructor(text) {
    this.text = text;
  }
}

/**
 * printJson: one JSON document on stdout, with RawJson values spliced in as the stored text
 * (JSON.parse would round integers past 2^53, such as Instagram user ids).
 */
function printJson(out, doc) {
  if (!out.json) return;
  const nonce = crypto().randomBytes(8).toString('hex');
  const raws = [];
  const text = JSON.stringify(
    doc,
    (name, value) => {
      if (!(value instanceof RawJson)) return value;
      raws.push(value.text);
      return `@@${nonce}-${raws.length - 1}@@`;
    },
    2,
  );
  const spliced = text.replace(new RegExp(`"@@${nonce}-(\\d+)@@"`, 'g'), (match, i) => raws[Number(i)]);
  out.stdout.write(`${spliced}\n`);
}

function secretError(key) {
  const env = config().secretEnvName(key);
  return new KeryxError(
    codes.SECRET_IN_CONFIG,
    `${key} holds a secret, which keryx does not show or read from the config file: set ${env} instead and run keryx config unset ${key}`,
  );
}

/** firstSecretKey: the first key at or under `key` (holding `value`) that names a secret, or null. */
function firstSecretKey(key, value) {
  if (config().isSecretKey(key)) return key;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstSecretKey(key, item);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      const found = firstSecretKey(`${key}.${name}`, item);
      if (found) return found;
    }
  }
  return null;
}

async function getAction({ out, args: [key] }) {
  const file = config().path();
  const json = await config().getJson(key);
  if (json === undefined) throw new KeryxError(codes.NOT_FOUND, `${key} is not set in ${file}`);
  const secret = firstSecretKey(key, JSON.parse(json));  // parsed only to look at member names
  if (secret) throw secretError(secret);
  out.line(display(json, { bareStrings: true }));
  printJson(out, { ok: true, key, value: new RawJson(json), path: file });
  return 0;
}

async function setAction({ out, args: [key, value] }) {
  const file = config().path();
  const json = valueText(value);
  await config().setJson(key, json);
  out.line(`Set ${key} = ${display(json)} in ${file}`);
  printJson(out, { ok: true, key, value: new RawJson(json), path: file });
  return 0;
}

async function unsetAction({ out, args: [key] }) {
  const file = config().path();
  const removed = (await config().getJson(key)) !== undefined;
  await config().unset(key);
  out.line(removed ? `Removed ${key} from ${file}` : `${key} was not set in ${file}`);
  printJson(out, { ok: true, key, removed, path: file });
  return 0;
}

async function listAction({ out }) {
  const file = config().path();
  const leaves = await config().list();
  const settings = [];
  for (const { key, json } of leaves) {
    const secret = firstSecretKey(key, JSON.parse(json));
    if (secret) {
      const env = config().secretEnvName(secret);
      out.line(`${key} = (holds the secret ${secret}: not shown; set ${env} instead and run keryx config unset ${key})`);
      settings.push({ key, secret: true, env });
    } else {
      out.line(`${key} = ${display(json)}`);
      settings.push({ key, value: new RawJson(json) });
    }
  }
  if (leaves.length === 0) out.info(`No settings in ${file}.`);
  printJson(out, { ok: true, path: file, settings });
  return 0;
}

async function pathAction({ out }) {
  const file = config().path();
  const exists = fs().existsSync(file);
  out.line(file);
  if (!exists) out.info('(the file does not exist yet: keryx config set creates it)');
  printJson(out, { ok: true, path: file, exists });
  return 0;
}

const WHERE = `The file is $KERYX_CONFIG, else $XDG_CONFIG_HOME/keryx/config.json, else ~/.config/keryx/config.json.
Keys are dotted paths into nested JSON objects. Secrets (…secret, …token…, password, passphrase,
vault_key) are refused: they belong in environment variables (docs/config.md lists them).`;

const KEY = { name: 'key', required: true, description: 'a dotted path, such as platforms.tiktok.privacy' };

const command = {
  name: 'config',
  summary: 'read and change keryx settings (non-secret; see docs/config.md)',
  helpAfter: WHERE,
  examples: [
    'keryx config set platforms.tiktok.client_key aw1b2c3d4e',
    'keryx config set platforms.tiktok.privacy SELF_ONLY',
    'keryx config get platforms.tiktok.privacy',
    'keryx config list',
    'keryx --json config list',
  ],
  subcommands: [
    {
      name: 'get',
      summary: 'print the value at <key>: a string as is, anything else as JSON',
      args: [KEY],
      helpAfter: `A key that is not set prints nothing and exits 1 with code not_found (--json: {"ok": false, ...}).
A parent key prints its whole object as JSON. --json prints {"ok", "key", "value", "path"}.`,
      examples: [
        'keryx config get platforms.instagram.app_id',
        'keryx config get platforms.tiktok            # {"client_key":"...","privacy":"SELF_ONLY"}',
        'keryx --json config get platforms.tiktok.enabled',
      ],
      action: getAction,
    },
    {
      name: 'set',
      summary: 'store <value> at <key>, creating parent objects',
      args: [KEY, { name: 'value', required: true, description: 'JSON, or else a plain string' }],
      helpAfter: `<value> is stored as JSON when it is valid JSON (a number, true, false, null, a "quoted string",
an object or an array), else as a plain string. Quote for the shell: '"123"' stores the string "123".
A value starting with "--" goes after a "--": keryx config set note -- --verbose
The file is rewritten atomically (mode 0600) under a lock; other keys and their order are kept.
A malformed file is never overwritten: the error gives its line and column.`,
      examples: [
        'keryx config set platforms.instagram.app_id 1234567890',
        'keryx config set platforms.tiktok.privacy SELF_ONLY',
        'keryx config set platforms.youtube.enabled true',
        'keryx config set platforms.linkedin.redirect_uri http://127.0.0.1:8765/callback',
        `keryx config set platforms.youtube.scopes '["https://www.googleapis.com/auth/youtube.upload"]'`,
      ],
      action: setAction,
    },
    {
      name: 'unset',
      summary: 'remove <key> (succeeds when it is not set; empty parent objects are kept)',
      args: [KEY],
      examples: ['keryx config unset platforms.tiktok.privacy'],
      action: unsetAction,
    },
    {
      name: 'list',
      summary: 'print every setting as <key> = <JSON value>, in file order',
      helpAfter: 'Arrays and empty objects are listed as values. --json prints {"ok", "path", "settings": [{"key", "value"}]}.',
      examples: ['keryx config list', 'keryx --json config list'],
      action: listAction,
    },
    {
      name: 'path',
      summary: 'print the path of the config file (it may not exist yet)',
      helpAfter: WHERE,
      examples: ['KERYX_CONFIG=./keryx.json keryx config path'],
      action: pathAction,
    },
  ],
};

module.exports = { command, valueText };
