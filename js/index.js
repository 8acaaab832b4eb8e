'use strict';
// keryx: OAuth tokens for the platforms people post to.
//   const keryx = require('keryx');
//   const account = await keryx.auth('tiktok', { onAuthorize: ({ url }) => console.log('Open', url) });
//   const token = await keryx.getAccessToken('tiktok');               // env first, then the vault, kept fresh
// Lower layers stay available: keryx.capture (callback server + paste race), keryx.pkce,
// keryx.platforms (records), keryx.store (vault), keryx.config, keryx.sandbox (the emulator).
const { KeryxError, codes } = require('./lib/errors');
const { lazy } = require('./lib/lazy');
const pkce = require('./lib/pkce');
const capture = require('./lib/capture');
const browser = require('./lib/browser');
const http = require('./lib/http');
const store = require('./lib/store');
const config = require('./lib/config');
const { paths } = require('./lib/paths');
const { version } = require('../package.json');

const authLib = lazy(require, './lib/auth');
const refreshLib = lazy(require, './lib/refresh');
const platformsLib = lazy(require, './lib/platforms');
const tokenSourceLib = lazy(require, './lib/token_source');
const upkeepLib = lazy(require, './lib/upkeep');
const eventsLib = lazy(require, './lib/events');

module.exports = {
  version,
  KeryxError,
  codes,
  /** auth: the interactive authorization-code flow for a platform (see js/lib/auth.js). */
  auth: (platform, options) => authLib().auth(platform, options),
  /** authWithCode: finishes a pending authorization with a pasted code or redirected URL. */
  authWithCode: (platform, text, options) => authLib().authWithCode(platform, text, options),
  /** refresh: one refresh of a stored account, persisted before it resolves. */
  refresh: (platform, options) => refreshLib().refreshStored(platform, options),
  /** tokenSource: `getToken()` / `getAccessToken()` for code that posts: env first, else the vault, kept fresh. */
  tokenSource: (platform, options) => tokenSourceLib().tokenSource(platform, options),
  /** getAccessToken: a usable access token for `platform` (refreshed, rotated and stored as needed). */
  getAccessToken: (platform, options) => tokenSourceLib().getAccessToken(platform, options),
  /** refreshDue: upkeep of every stored account (what `keryx auth refresh` runs). */
  refreshDue: (options) => upkeepLib().refreshDue(options),
  /** events: token.refreshed, token.expiring, token.revoked, token.refresh_failed, rotation_lost, token.persist_failed. */
  get events() {
    return eventsLib().events;
  },
  get platforms() {
    return platformsLib();
  },
  get sandbox() {
    return require('./sandbox');
  },
  pkce,
  capture,
  browser,
  http,
  store,
  config,
  paths,
};
