'use strict';
// keryx: OAuth tokens for the platforms people post to.
//   const keryx = require('keryx');
//   const account = await keryx.auth('tiktok', { onAuthorize: ({ url }) => console.log('Open', url) });
//   const { accessToken } = await keryx.store.resolve('tiktok');      // env first, then the vault
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
