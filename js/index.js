'use strict';
// keryx: OAuth tokens for the platforms people post to.
//   const keryx = require('keryx');
//   const cap = await keryx.capture.start({ mode: 'https-range' });   // Meta: https on 3764-3769
//   console.log('Open', authorizeUrl(cap.redirectUri, cap.state));
//   const { code } = await cap.result;                                 // callback or paste, first wins
const { KeryxError, codes } = require('./lib/errors');
const pkce = require('./lib/pkce');
const capture = require('./lib/capture');
const browser = require('./lib/browser');
const http = require('./lib/http');
const store = require('./lib/store');
const config = require('./lib/config');
const { paths } = require('./lib/paths');
const { version } = require('../package.json');

module.exports = {
  version,
  KeryxError,
  codes,
  pkce,
  capture,
  browser,
  http,
  store,
  config,
  paths,
};
