'use strict';
// apps.js: the OAuth apps registered with the sandbox, one per platform. These credentials are
// public and only ever accepted by the sandbox; they are not secrets of any real platform.
//
// `redirect` says how the platform checks a redirect_uri (see redirects.js):
//   exact         the URI must equal one of `uris` character for character
//   loopback      any http loopback URI, any port (RFC 8252 §7.3, Google Desktop clients)
//   wildcardPort  the URI must match one of `patterns`, where `*` stands for a required port

const SANDBOX_APPS = Object.freeze({
  instagram: Object.freeze({
    platform: 'instagram',
    name: 'keryx sandbox app',
    idParam: 'client_id',
    clientId: 'sandbox-instagram-app',
    clientSecret: 'sandbox-instagram-secret',
    redirect: Object.freeze({
      kind: 'exact',
      httpsOnly: true,
      uris: Object.freeze([3764, 3765, 3766, 3767, 3768, 3769].map((port) => `https://localhost:${port}/`)),
    }),
  }),
  google: Object.freeze({
    platform: 'google',
    name: 'keryx sandbox app',
    idParam: 'client_id',
    clientId: 'sandbox-google-client.apps.googleusercontent.com',
    clientSecret: 'sandbox-google-secret',
    redirect: Object.freeze({ kind: 'loopback' }),
  }),
  tiktok: Object.freeze({
    platform: 'tiktok',
    name: 'keryx sandbox app',
    idParam: 'client_key',
    clientId: 'sandbox-tiktok-key',
    clientSecret: 'sandbox-tiktok-secret',
    redirect: Object.freeze({
      kind: 'wildcardPort',
      patterns: Object.freeze(['http://127.0.0.1:*/callback/', 'http://localhost:*/callback/']),
    }),
  }),
  linkedin: Object.freeze({
    platform: 'linkedin',
    name: 'keryx sandbox app',
    idParam: 'client_id',
    clientId: 'sandbox-linkedin-client',
    clientSecret: 'sandbox-linkedin-secret',
    redirect: Object.freeze({
      kind: 'exact',
      uris: Object.freeze(['http://127.0.0.1:3770/', 'https://localhost:3770/']),
    }),
  }),
});

const PLATFORMS = Object.freeze(Object.keys(SANDBOX_APPS));

/** findApp: the app of `platform` whose client id (or TikTok client key) is `clientId`, or null. */
function findApp(platform, clientId) {
  const app = SANDBOX_APPS[platform];
  return app && typeof clientId === 'string' && clientId === app.clientId ? app : null;
}

module.exports = { SANDBOX_APPS, PLATFORMS, findApp };
