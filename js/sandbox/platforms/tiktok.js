'use strict';
// platforms/tiktok.js: TikTok Login Kit v2 for desktop apps, under /tiktok.
//   GET  /tiktok/v2/auth/authorize/     client_key (not client_id), PKCE S256 required
//   POST /tiktok/v2/oauth/token/        authorization_code and refresh_token grants
//   POST /tiktok/v2/oauth/revoke/       token=<access token>: the grant dies
//   GET  /tiktok/v2/user/info/          fields=open_id,union_id,avatar_url,display_name
// Quirks kept: the desktop PKCE challenge is the lowercase hex SHA-256 of the verifier (knob
// tiktokPkce switches the token endpoint to base64url); the code holds `*` and `!`, sent
// percent-encoded, so clients must decode it; the callback carries `scopes`; refresh tokens
// rotate on every use and the old one dies at once; OAuth errors carry log_id and their HTTP
// status follows the tiktokErrorStatus knob (some clients see errors in 200 bodies).
const { SANDBOX_APPS, findApp } = require('../apps');
const { SANDBOX_USERS } = require('../users');
const { isRegisteredRedirect } = require('../redirects');
const { platformSetting } = require('../knobs');
const { errorPage } = require('../pages');
const { sameSecret } = require('../compare');
const { randomToken, randomBase64url, randomHex } = require('../random');
const { isChallenge, verifierProblem } = require('../pkce');
const { splitScopes } = require('../scopes');

const NAME = 'tiktok';
const TITLE = 'TikTok';
const KNOWN_SCOPES = Object.freeze(['user.info.basic', 'user.info.profile', 'user.info.stats', 'video.publish', 'video.upload', 'video.list']);
const DEFAULT_SCOPES = Object.freeze(['user.info.basic', 'video.publish', 'video.upload']);
const PKCE_INVALID = 'Code verifier or code challenge is invalid.';

// The user fields the sandbox knows, with the scope each needs.
const USER_FIELDS = Object.freeze({
  open_id: 'user.info.basic',
  union_id: 'user.info.basic',
  avatar_url: 'user.info.basic',
  avatar_url_100: 'user.info.basic',
  avatar_large_url: 'user.info.basic',
  display_name: 'user.info.basic',
  username: 'user.info.profile',
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
});

function logId() {
  return `2026${randomHex(14).toUpperCase()}`;
}

/** scopeProblem: why `scopes` cannot be granted, or null. */
function scopeProblem(scopes) {
  if (scopes.length === 0) return 'scope is required.';
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.includes(scope));
  return unknown.length > 0 ? `Unknown scope: ${unknown.join(',')}` : null;
}

/** profileOf: the user/info fields of a sandbox user. */
function profileOf(owner) {
  const handle = owner.seeded ? owner.openId : 'sandbox_creator';
  return {
    open_id: owner.openId,
    union_id: owner.unionId,
    avatar_url: owner.avatarUrl,
    avatar_url_100: owner.avatarUrl,
    avatar_large_url: owner.avatarUrl,
    display_name: owner.displayName,
    username: handle,
    bio_description: '',
    profile_deep_link: `https://sandbox.invalid/tiktok/@${handle}`,
    is_verified: false,
    follower_count: 0,
    following_count: 0,
    likes_count: 0,
    video_count: 0,
  };
}

function createTikTok({ store, knobs, authorization, directory }) {
  const app = SANDBOX_APPS.tiktok;
  const user = SANDBOX_USERS.tiktok; // the one who signs in on the consent page

  // ---- error shapes ---------------------------------------------------------------------------

  function oauthError(error, description) {
    return { error, error_description: description, log_id: logId() };
  }

  function errorStatus() {
    const status = Number(knobs.tiktokErrorStatus);
    return Number.isInteger(status) && status >= 200 && status <= 599 ? status : 400;
  }

  function failOAuth(ctx, error, description) {
    return ctx.json(errorStatus(), oauthError(error, description));
  }

  function apiError(code, message) {
    return { data: {}, error: { code, message, log_id: logId() } };
  }

  function errorHtml(heading, message) {
    return errorPage({ platformTitle: TITLE, heading, message });
  }

  // ---- authorize --------------------------------------------------------------------------------

  function authorize(ctx) {
    if (ctx.begin('authorize')) return undefined;
    const query = ctx.query;
    const clientKey = query.get('client_key');
    if (!clientKey) {
      const hint = query.has('client_id') ? ' TikTok calls the app id client_key, not client_id.' : '';
      return ctx.html(400, errorHtml('client_key missing', `The request has no client_key parameter.${hint}`));
    }
    if (!findApp(NAME, clientKey)) return ctx.html(400, errorHtml('client_key invalid', 'No app registered with the sandbox has this client_key.'));
    const redirectUri = query.get('redirect_uri');
    if (!isRegisteredRedirect(app, redirectUri, knobs)) {
      return ctx.html(400, errorHtml('redirect_uri mismatch', 'redirect_uri does not match any redirect URI registered for this app.'));
    }
    const request = { clientId: clientKey, appName: app.name, redirectUri, state: query.get('state'), scopes: [] };
    const refuse = (error, description) => authorization.redirectError(ctx, request, error, description);
    if (query.get('response_type') !== 'code') return refuse('unsupported_response_type', 'response_type must be code.');
    const scopes = splitScopes(query.get('scope'), /,/);
    const problem = scopeProblem(scopes);
    if (problem) return refuse('invalid_scope', problem);
    const challenge = query.get('code_challenge');
    if (!challenge) return refuse('invalid_request', 'code_challenge is required.');
    if (query.get('code_challenge_method') !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256.');
    if (!isChallenge(challenge)) return refuse('invalid_request', PKCE_INVALID);
    Object.assign(request, { scopes, challenge, challengeMethod: 'S256' });
    return authorization.proceed(ctx, platform, request);
  }

  // ---- token endpoint ---------------------------------------------------------------------------

  // Every pair is fresh: the new refresh token gets the full refresh lifetime.
  function issuePair(grant) {
    const accessTtlSec = platformSetting(knobs, NAME, 'accessTtlSec');
    const refreshTtlSec = platformSetting(knobs, NAME, 'refreshTtlSec');
    const access = store.addToken({ value: randomToken('act.', 48), kind: 'access', grant, ttlSec: accessTtlSec });
    const refresh = store.addToken({ value: randomToken('rft.', 48), kind: 'refresh', grant, ttlSec: refreshTtlSec });
    return {
      open_id: directory.get(NAME, grant.userId).openId,
      scope: grant.scopes.join(','),
      access_token: access.value,
      expires_in: accessTtlSec,
      refresh_token: refresh.value,
      refresh_expires_in: refreshTtlSec,
      token_type: 'Bearer',
    };
  }

  function exchangeCode(ctx, form, clientKey) {
    const redeemed = store.redeemCode(NAME, form.get('code'), (code) => {
      if (code.clientId !== clientKey) return 'client';
      if (code.redirectUri !== form.get('redirect_uri')) return 'redirect';
      const encoding = knobs.tiktokPkce === 'base64url' ? 'base64url' : 'hex';
      const problem = verifierProblem({ challenge: code.challenge, verifier: form.get('code_verifier'), encoding });
      return problem ? 'pkce' : null;
    });
    const problems = {
      pkce: ['invalid_request', PKCE_INVALID],
      expired: ['invalid_grant', 'Authorization code is expired.'],
      reused: ['invalid_grant', 'Authorization code has been used.'],
      redirect: ['invalid_grant', 'redirect_uri does not match the authorization request.'],
    };
    if (redeemed.problem) {
      const [error, description] = problems[redeemed.problem] || ['invalid_grant', 'Authorization code is invalid.'];
      return failOAuth(ctx, error, description);
    }
    const { code } = redeemed;
    const grant = store.openGrant({ platform: NAME, clientId: clientKey, userId: code.userId, scopes: code.scopes, code });
    return ctx.json(200, issuePair(grant));
  }

  // Check and rotation happen in one synchronous step: of many concurrent requests presenting
  // the same refresh token, the first one processed wins and every other one sees it dead.
  function refreshGrant(ctx, form, clientKey) {
    const record = store.findToken(NAME, form.get('refresh_token'));
    const usable =
      record && record.kind === 'refresh' && store.tokenState(record) === 'valid' && store.grant(record.grantId).clientId === clientKey;
    if (!usable) return failOAuth(ctx, 'invalid_grant', 'Refresh token is invalid or expired.');
    store.revokeToken(record);
    const grant = store.grant(record.grantId);
    const answer = issuePair(grant);
    store.noteRefresh(grant, true);
    return ctx.json(200, answer);
  }

  /** authenticateClient: the client key if client_key/client_secret check out, else answers. */
  function authenticateClient(ctx, form) {
    const clientKey = form.get('client_key');
    if (!clientKey) {
      failOAuth(ctx, 'invalid_request', form.has('client_id') ? 'client_key is required (not client_id).' : 'client_key is required.');
      return null;
    }
    if (!findApp(NAME, clientKey) || !sameSecret(form.get('client_secret'), app.clientSecret)) {
      failOAuth(ctx, 'invalid_client', 'Client key or client secret is invalid.');
      return null;
    }
    return clientKey;
  }

  async function token(ctx) {
    const form = await ctx.readForm();
    const grantType = form.get('grant_type');
    if (ctx.begin(grantType === 'refresh_token' ? 'refresh' : 'token')) return undefined;
    const repeated = form.repeated();
    if (repeated.length > 0) return failOAuth(ctx, 'invalid_request', `Parameter given more than once: ${repeated.join(', ')}`);
    const clientKey = authenticateClient(ctx, form);
    if (!clientKey) return undefined;
    if (grantType === 'authorization_code') return exchangeCode(ctx, form, clientKey);
    if (grantType === 'refresh_token') return refreshGrant(ctx, form, clientKey);
    return failOAuth(ctx, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
  }

  async function revoke(ctx) {
    const form = await ctx.readForm();
    if (ctx.begin('revoke')) return undefined;
    if (!authenticateClient(ctx, form)) return undefined;
    const record = store.findToken(NAME, form.get('token'));
    if (record && store.grant(record.grantId).clientId === form.get('client_key')) store.revokeGrant(record.grantId);
    return ctx.json(200, {});
  }

  // ---- API --------------------------------------------------------------------------------------

  function userInfo(ctx) {
    if (ctx.begin('userinfo')) return undefined;
    const record = store.liveToken(NAME, ctx.bearer(), ['access']);
    if (!record) return ctx.json(401, apiError('access_token_invalid', 'The access token is invalid or not found in the request.'));
    const fields = splitScopes(ctx.query.get('fields'), /,/);
    if (fields.length === 0) return ctx.json(400, apiError('invalid_params', 'fields is required.'));
    const unknown = fields.find((field) => !USER_FIELDS[field]);
    if (unknown) return ctx.json(400, apiError('invalid_params', `Unknown field: ${unknown}`));
    const grant = store.grant(record.grantId);
    const scopes = grant.scopes;
    const missing = fields.find((field) => !scopes.includes(USER_FIELDS[field]));
    if (missing) {
      return ctx.json(401, apiError('scope_not_authorized', `The user did not authorize the scope required for field ${missing}.`));
    }
    const profile = profileOf(directory.get(NAME, grant.userId));
    const answer = {};
    for (const field of fields) answer[field] = profile[field];
    return ctx.json(200, { data: { user: answer }, error: { code: 'ok', message: '', log_id: logId() } });
  }

  // ---- seeding ----------------------------------------------------------------------------------

  /** seedTokens: what an authorization leaves: access and rotating refresh token (see seed.js). */
  function seedTokens(grant) {
    const pair = issuePair(grant);
    return {
      accountId: pair.open_id,
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expiresIn: pair.expires_in,
      refreshExpiresIn: pair.refresh_expires_in,
    };
  }

  // ---- platform hooks ---------------------------------------------------------------------------

  function forcedError(endpoint, mode) {
    if (endpoint === 'authorize') return { html: errorHtml('Something went wrong', 'Forced failure (sandbox knob).') };
    if (endpoint === 'userinfo') {
      return mode === 'error200'
        ? { json: apiError('access_token_invalid', 'The access token is invalid or not found in the request.') }
        : { json: apiError('internal_error', 'Something went wrong. Please try again later.') };
    }
    return mode === 'error200'
      ? { json: oauthError('invalid_grant', 'Authorization code is expired.') }
      : { json: oauthError('temporarily_unavailable', 'The server is temporarily unavailable (forced failure).') };
  }

  const platform = {
    name: NAME,
    title: TITLE,
    accountLabel: user.displayName,
    partialGrant: true,
    routes: [
      { method: 'GET', path: '/v2/auth/authorize/', handle: authorize },
      { method: 'POST', path: '/v2/oauth/token/', handle: token },
      { method: 'POST', path: '/v2/oauth/revoke/', handle: revoke },
      { method: 'GET', path: '/v2/user/info/', handle: userInfo },
    ],
    // A base64url body with `*!` in the middle: both must be percent-encoded on the way back.
    newCode: () => `${randomBase64url(30)}*!${randomBase64url(12)}`,
    approvedParams: (code, request, scopes) => ({ params: { code, scopes: scopes.join(','), state: request.state } }),
    deniedParams: (request) => ({
      params: { error: 'access_denied', error_description: 'The user denied the authorization request.', state: request.state },
    }),
    forcedError,
    defaultScopes: DEFAULT_SCOPES,
    scopeProblem,
    seedTokens,
  };
  return platform;
}

module.exports = { createTikTok };
