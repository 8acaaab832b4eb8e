'use strict';
// keryx: OAuth tokens for the platforms people post to.
//   const keryx = require('keryx');
//   const { verifier, challenge } = keryx.pkce.create({ method: 'S256-hex' });
const { KeryxError, codes } = require('./lib/errors');
const pkce = require('./lib/pkce');
const { version } = require('../package.json');

module.exports = {
  version,
  KeryxError,
  codes,
  pkce,
};
