'use strict';
// platforms.js: the platform a flow runs against, resolved from the core's built-in record, the
// config file (endpoint overrides, scopes, client ids, generic providers) and the environment
// (client secrets). Missing prerequisites fail fast with the exact key or variable to set.
//
// A generic OAuth 2.0 / OIDC provider is any other name with a config section:
//   platforms.<name>.issuer            https://auth.example.com   (discovery), or
//   platforms.<name>.endpoints.{authorize_url, token_url, revoke_url, userinfo_url}
//   platforms.<name>.client_id         required
//   platforms.<name>.client_auth       basic | post (default) | none (public client, PKCE only)
//   platforms.<name>.scopes            ["openid", "offline_access", ...]
//   platforms.<name>.redirect_uri      optional pinned redirect (default http://127.0.0.1:<any>/callback)
// and its secret in <NAME>_CLIENT_SECRET.
const { load } = require('./native');
const { KeryxError, codes, callNative, awaitNative } = require('./errors');
const config = require('./config');
const { sandboxEndpoints } = require('./sandbox_endpoints');

const ENDPOINT_KEYS = {
  authorize_url: 'authorizeUrl',
  token_url: 'tokenUrl',
  revoke_url: 'revokeUrl',
  userinfo_url: 'userinfoUrl',
  long_lived_url: 'longLivedUrl',
  refresh_url: 'refreshUrl',
};
const NAME = /^[a-z0-9_-]{1,64}$/;
// The sandbox registers Google apps under "google"; keryx calls the platform "youtube".
const SANDBOX_APP_NAME = { youtube: 'google' };

/** builtinIds: the platforms keryx knows without configuration. */
function builtinIds() {
  return callNative(() => load().platformIds());
}

/** howTo: the doc that explains a platform's setup. */
function howTo(id) {
  return builtinIds().includes(id) ? `docs/platforms/${id}.md` : 'docs/platforms/generic.md';
}

function missing(what, id) {
  return new KeryxError(codes.PREREQUISITE_MISSING, `${what} (see ${howTo(id)})`);
}

function envSecretName(id) {
  return `${id.toUpperCase().replace(/-/g, '_')}_CLIENT_SECRET`;
}

/** applyEndpointOverrides: config `platforms.<id>.endpoints.*` onto `record.endpoints`. */
function applyEndpointOverrides(record, section) {
  const overrides = section && typeof section.endpoints === 'object' && section.endpoints ? section.endpoints : {};
  for (const [key, value] of Object.entries(overrides)) {
    const field = ENDPOINT_KEYS[key];
    if (!field) throw new KeryxError(codes.CONFIG_INVALID, `platforms.${record.id}.endpoints.${key} is not a known endpoint (${Object.keys(ENDPOINT_KEYS).join(', ')})`);
    if (typeof value !== 'string') throw new KeryxError(codes.CONFIG_INVALID, `platforms.${record.id}.endpoints.${key} must be a string`);
    record.endpoints[field] = value;
  }
}

async function genericRecord(id, section, { timeoutMs }) {
  const record = {
    id,
    displayName: typeof section.name === 'string' ? section.name : id,
    endpoints: { authorizeUrl: '', tokenUrl: '', revokeUrl: '', userinfoUrl: '', longLivedUrl: '', refreshUrl: '' },
    clientIdParam: 'client_id',
    pkce: 'S256',
    redirectKind: typeof section.redirect_uri === 'string' ? 'pinned' : 'loopback',
    redirectPath: '/callback',
    defaultRedirect: typeof section.redirect_uri === 'string' ? section.redirect_uri : '',
    scopes: Array.isArray(section.scopes) ? section.scopes.map(String) : ['openid'],
    scopeSeparator: ' ',
    extraAuthorizeParams: {},
    clientAuth: section.client_auth || 'post',
    tokenShape: 'non_rotating_refresh',
    dialect: 'standard',
    checkGrantedScopes: false,
    clientIdKey: `platforms.${id}.client_id`,
    clientSecretEnv: section.client_auth === 'none' ? '' : envSecretName(id),
  };
  if (record.scopes.includes('offline_access')) record.extraAuthorizeParams.prompt = 'consent';
  if (typeof section.issuer === 'string' && section.issuer) {
    const meta = await awaitNative(load().discoverIssuer(section.issuer, { timeoutMs }));
    record.endpoints = { ...record.endpoints, ...meta.endpoints };
    if (meta.codeChallengeMethods.length && !meta.codeChallengeMethods.includes('S256')) {
      throw new KeryxError(codes.DISCOVERY_FAILED, `${section.issuer} does not offer PKCE S256, which keryx requires`);
    }
    record.issuer = meta.issuer;
  }
  for (const key of ['long_lived_url', 'refresh_url']) {
    if (section.endpoints && section.endpoints[key] !== undefined) {
      throw new KeryxError(codes.CONFIG_INVALID, `platforms.${id}.endpoints.${key} is Instagram-only; a generic provider refreshes at its token_url`);
    }
  }
  applyEndpointOverrides(record, section);
  if (!record.endpoints.authorizeUrl || !record.endpoints.tokenUrl) {
    throw missing(`platforms.${id} needs an issuer (platforms.${id}.issuer) or endpoints.authorize_url and endpoints.token_url`, id);
  }
  return record;
}

/**
 * resolve: `{ record, clientId, clientSecret, sandbox, builtin }` for platform `id`.
 * Options: `sandbox` (a sandbox base URL: endpoints and credentials become the sandbox's),
 * `env` (default process.env), `configPath`, `timeoutMs` (discovery), `requireSecret` (default true).
 * Errors: prerequisite_missing (naming the config key or env var), not_found (unknown platform),
 * config_invalid, discovery_failed.
 */
async function resolve(id, options = {}) {
  const env = options.env || process.env;
  if (typeof id !== 'string' || !NAME.test(id)) {
    throw new KeryxError(codes.INVALID_ARGUMENT, 'a platform name is 1-64 characters of a-z, 0-9, _ and -');
  }
  const cfgOptions = options.configPath ? { path: options.configPath } : {};
  const section = (await config.get(`platforms.${id}`, cfgOptions)) || {};
  if (typeof section !== 'object' || Array.isArray(section)) {
    throw new KeryxError(codes.CONFIG_INVALID, `platforms.${id} must be an object`);
  }
  const builtin = builtinIds().includes(id);
  let record;
  if (builtin) {
    record = callNative(() => load().platformBuiltin(id));
    applyEndpointOverrides(record, section);
    if (Array.isArray(section.scopes)) record.scopes = section.scopes.map(String);
  } else if (Object.keys(section).length) {
    if (options.sandbox) throw new KeryxError(codes.INVALID_ARGUMENT, `the sandbox emulates instagram, youtube, tiktok and linkedin, not ${id}`);
    record = await genericRecord(id, section, { timeoutMs: options.timeoutMs ?? 15000 });
  } else {
    throw new KeryxError(codes.NOT_FOUND, `unknown platform '${id}': built in are ${builtinIds().join(', ')}; any other OAuth 2.0 / OIDC provider needs platforms.${id}.issuer (see docs/platforms/generic.md)`);
  }

  if (options.sandbox) {
    const { SANDBOX_APPS } = require('../sandbox/apps');
    const app = SANDBOX_APPS[SANDBOX_APP_NAME[id] || id];
    record.endpoints = { ...record.endpoints, ...sandboxEndpoints(options.sandbox, id) };
    const secretVar = `KERYX_SANDBOX_${id.toUpperCase()}_SECRET`;
    return {
      record: callNative(() => load().validateRecord(record)),
      clientId: app.clientId,
      clientSecret: env[secretVar] || app.clientSecret,
      sandbox: options.sandbox,
      builtin,
    };
  }

  const clientIdKey = record.clientIdKey;
  // An all-digit id (Instagram app ids) may be stored as a JSON number: take its exact text.
  const idJson = clientIdKey ? await config.getJson(clientIdKey, cfgOptions) : undefined;
  const clientId = idJson === undefined ? undefined : /^\d+$/.test(idJson) ? idJson : JSON.parse(idJson);
  if (typeof clientId !== 'string' || clientId === '') {
    throw missing(`${record.displayName} needs its client id: keryx config set ${clientIdKey} <id>`, id);
  }
  const clientSecret = record.clientSecretEnv ? env[record.clientSecretEnv] : '';
  if (record.clientSecretEnv && !clientSecret && options.requireSecret !== false) {
    throw missing(`${record.displayName} needs its client secret in the environment variable ${record.clientSecretEnv}`, id);
  }
  return {
    record: callNative(() => load().validateRecord(record)),
    clientId,
    clientSecret: clientSecret || '',
    sandbox: null,
    builtin,
  };
}

module.exports = { resolve, builtinIds, howTo, envSecretName, ENDPOINT_KEYS };
