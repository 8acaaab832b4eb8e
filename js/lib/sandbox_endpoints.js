'use strict';
// sandbox_endpoints.js: where each built-in platform lives inside a keryx sandbox (js/sandbox/):
// one server, the platform's own paths under a prefix. `keryx auth <p> --sandbox <url>` points the
// platform record here instead of the real hosts.

const PATHS = {
  instagram: {
    authorizeUrl: '/instagram/oauth/authorize',
    tokenUrl: '/instagram/oauth/access_token',
    longLivedUrl: '/instagram/access_token',
    refreshUrl: '/instagram/refresh_access_token',
    userinfoUrl: '/instagram/v25.0/me',
    revokeUrl: '',
  },
  youtube: {
    authorizeUrl: '/google/o/oauth2/v2/auth',
    tokenUrl: '/google/token',
    revokeUrl: '/google/revoke',
    userinfoUrl: '/google/youtube/v3/channels',
  },
  tiktok: {
    authorizeUrl: '/tiktok/v2/auth/authorize/',
    tokenUrl: '/tiktok/v2/oauth/token/',
    revokeUrl: '/tiktok/v2/oauth/revoke/',
    userinfoUrl: '/tiktok/v2/user/info/',
  },
  linkedin: {
    authorizeUrl: '/linkedin/oauth/v2/authorization',
    tokenUrl: '/linkedin/oauth/v2/accessToken',
    revokeUrl: '/linkedin/oauth/v2/revoke',
    userinfoUrl: '/linkedin/v2/userinfo',
  },
};

/** sandboxEndpoints: the endpoints of `platform` inside the sandbox at `base`, or null when it has none. */
function sandboxEndpoints(base, platform) {
  const paths = PATHS[platform];
  if (!paths) return null;
  const root = String(base).replace(/\/+$/, '');
  const out = {};
  for (const [name, p] of Object.entries(paths)) out[name] = p ? root + p : '';
  return out;
}

module.exports = { sandboxEndpoints, SANDBOX_PLATFORMS: Object.keys(PATHS) };
