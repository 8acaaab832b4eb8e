'use strict';
// follow.js: plays the browser's part when nobody is there to (keryx demo, and keryx auth against
// an auto-approving sandbox): GETs a URL and follows its redirects, over http or https; https to
// the capture server is verified against the run's own in-memory certificate only.
const http = require('node:http');
const https = require('node:https');
const { KeryxError, codes } = require('../lib/errors');

const MAX_HOPS = 5;

function get(url, certPem) {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { ca: certPem || undefined, agent: false, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location }));
    });
    req.on('timeout', () => req.destroy(new KeryxError(codes.TIMEOUT, 'following the redirect timed out')));
    req.on('error', reject);
  });
}

/**
 * follow: GETs `url`, then each Location (at most 5 hops), and resolves to the final HTTP status.
 * Only http(s) URLs are followed; `certPem` is the only trust anchor for https hops.
 */
async function follow(url, certPem) {
  let current = url;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const { status, location } = await get(current, certPem);
    if (status < 300 || status >= 400 || !location) return status;
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new KeryxError(codes.INVALID_ARGUMENT, 'a redirect left http(s)');
    current = next.href;
  }
  throw new KeryxError(codes.NETWORK_ERROR, `more than ${MAX_HOPS} redirects`);
}

module.exports = { follow };
