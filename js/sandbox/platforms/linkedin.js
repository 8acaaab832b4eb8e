'use strict';
// platforms/linkedin.js: LinkedIn's standard 3-legged OAuth (no PKCE), under /linkedin.
//   GET  /linkedin/oauth/v2/authorization     exact redirect match, all-or-nothing consent
//   POST /linkedin/oauth/v2/accessToken       authorization_code (and refresh_token when enabled)
//   POST /linkedin/oauth/v2/revoke            client_id, client_secret, token
//   GET  /linkedin/v2/userinfo                OpenID userinfo (needs the openid scope)
// Quirks kept: client credentials only in the form body (HTTP Basic alone is refused); the
// granted scope comes back comma-separated; no refresh_token unless the linkedinRefresh knob is
// on, and then its lifetime is fixed at the first authorization and never extended; code errors
// are all the one long invalid_request message; a revoked token reads 65601 on the API.
const { SANDBOX_APPS, findApp } = require('../apps');
const { SANDBOX_USERS } = require('../users');
const { isRegisteredRedirect } = require('../redirects');
const { platformSetting } = require('../knobs');
const { errorPage } = require('../pages');
const { sameSecret } = require('../compare');
const { randomToken, randomBase64url } = require('../random');
const { splitScopes } = require('../scopes');

const NAME = 'linkedin';
const TITLE = 'LinkedIn';
const KNOWN_SCOPES = Object.freeze([
  'openid',
  'profile',
  'email',
  'w_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
]);
const DEFAULT_SCOPES = Object.freeze(['openid', 'profile', 'w_member_social']);
const CODE_MISMATCH =
  'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists';

/** scopeProblem: why `scopes` cannot be granted, or null. */
function scopeProblem(scopes) {
  if (scopes.length === 0) return 'scope is required.';
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.includes(scope));
  return unknown.length > 0 ? `Scope "${unknown[0]}" is not authorized for your application` : null;
}

function createLinkedIn({ store, knobs, clock, authorization, directory }) {
  const app = SANDBOX_APPS.linkedin;
  const user = SANDBOX_USERS.linkedin; // the one who signs in on the consent page

  // ---- error shapes ---------------------------------------------------------------------------

  function oauthError(error, description) {
    return { error, error_description: description };
  }

  function invalidToken() {
    return { serviceErrorCode: 65600, message: 'Invalid access token', status: 401 };
  }

  function revokedToken() {
    return { status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'The token used in the request has been revoked by the user' };
  }

  function errorHtml(heading, message) {
    return errorPage({ platformTitle: TITLE, heading, message });
  }

  // ---- authorize --------------------------------------------------------------------------------

  function authorize(ctx) {
    if (ctx.begin('authorize')) return undefined;
    const query = ctx.query;
    const clientId = query.get('client_id');
    if (!findApp(NAME, clientId)) return ctx.html(400, errorHtml('Invalid client_id', 'No app registered with the sandbox has this client_id.'));
    const redirectUri = query.get('redirect_uri');
    if (!isRegisteredRedirect(app, redirectUri, knobs)) {
      return ctx.html(400, errorHtml('Invalid redirect_uri', 'The redirect_uri does not match the registered value.'));
    }
    const request = { clientId, appName: app.name, redirectUri, state: query.get('state'), scopes: [] };
    const refuse = (error, description) => authorization.redirectError(ctx, request, error, description);
    if (query.get('response_type') !== 'code') return refuse('unsupported_response_type', 'response_type must be code.');
    const scopes = splitScopes(query.get('scope'), /[\s,]+/);
    const problem = scopeProblem(scopes);
    if (problem) return refuse(scopes.length === 0 ? 'invalid_scope' : 'unauthorized_scope_error', problem);
    request.scopes = scopes;
    return authorization.proceed(ctx, platform, request);
  }

  // ---- token endpoint ---------------------------------------------------------------------------

  /** authenticateClient: checks body credentials; answers and returns null when they fail. */
  function authenticateClient(ctx, form) {
    const clientId = form.get('client_id');
    const secret = form.get('client_secret');
    if (!clientId && !secret && ctx.hasBasicAuth()) {
      ctx.json(401, oauthError('invalid_client', 'Client authentication failed: send client_id and client_secret in the request body.'));
      return null;
    }
    if (!clientId) {
      ctx.json(400, oauthError('invalid_request', 'A required parameter "client_id" is missing'));
      return null;
    }
    if (!secret) {
      ctx.json(400, oauthError('invalid_request', 'A required parameter "client_secret" is missing'));
      return null;
    }
    if (!findApp(NAME, clientId) || !sameSecret(secret, app.clientSecret)) {
      ctx.json(401, oauthError('invalid_client', 'Client authentication failed'));
      return null;
    }
    return clientId;
  }

  function issueAccess(grant) {
    const ttlSec = platformSetting(knobs, NAME, 'accessTtlSec');
    const token = store.addToken({ value: randomToken('AQV', 96), kind: 'access', grant, ttlSec });
    return { access_token: token.value, expires_in: ttlSec };
  }

  /** issueRefresh: a programmatic refresh token (apps approved for them: the linkedinRefresh knob). */
  function issueRefresh(grant) {
    const ttlSec = platformSetting(knobs, NAME, 'refreshTtlSec');
    return { value: store.addToken({ value: randomToken('AQX', 96), kind: 'refresh', grant, ttlSec }).value, ttlSec };
  }

  function secondsUntil(at) {
    return Math.max(0, Math.floor((at - clock.now()) / 1000));
  }

  function exchangeCode(ctx, form, clientId) {
    const redeemed = store.redeemCode(NAME, form.get('code'), (code) => {
      if (code.clientId !== clientId) return 'client';
      if (code.redirectUri !== form.get('redirect_uri')) return 'redirect';
      return null;
    });
    if (redeemed.problem) return ctx.json(400, oauthError('invalid_request', CODE_MISMATCH));
    const { code } = redeemed;
    const grant = store.openGrant({ platform: NAME, clientId, userId: code.userId, scopes: code.scopes, code });
    const answer = issueAccess(grant);
    if (knobs.linkedinRefresh) {
      const refresh = issueRefresh(grant);
      answer.refresh_token = refresh.value;
      answer.refresh_token_expires_in = refresh.ttlSec;
    }
    answer.scope = grant.scopes.join(',');
    answer.token_type = 'Bearer';
    return ctx.json(200, answer);
  }

  // The refresh token keeps its string and its original expiry: refreshing never extends it.
  function refreshGrant(ctx, form, clientId) {
    const record = store.findToken(NAME, form.get('refresh_token'));
    const usable =
      record && record.kind === 'refresh' && store.tokenState(record) === 'valid' && store.grant(record.grantId).clientId === clientId;
    // A dead refresh token (expired, revoked, or the member removed the app) is invalid_grant,
    // as RFC 6749 §5.2 asks and as integrators report from LinkedIn.
    if (!usable) return ctx.json(400, oauthError('invalid_grant', 'The provided refresh token is invalid, expired or revoked.'));
    const grant = store.grant(record.grantId);
    const answer = issueAccess(grant);
    answer.refresh_token = record.value;
    answer.refresh_token_expires_in = record.expiresAt === null ? null : secondsUntil(record.expiresAt);
    answer.scope = grant.scopes.join(',');
    answer.token_type = 'Bearer';
    store.noteRefresh(grant, false); // the refresh token keeps its string
    return ctx.json(200, answer);
  }

  async function accessToken(ctx) {
    const form = await ctx.readForm();
    const grantType = form.get('grant_type');
    if (ctx.begin(grantType === 'refresh_token' ? 'refresh' : 'token')) return undefined;
    const repeated = form.repeated();
    if (repeated.length > 0) return ctx.json(400, oauthError('invalid_request', `Parameter given more than once: ${repeated.join(', ')}`));
    const clientId = authenticateClient(ctx, form);
    if (!clientId) return undefined;
    if (grantType === 'authorization_code') return exchangeCode(ctx, form, clientId);
    if (grantType === 'refresh_token') return refreshGrant(ctx, form, clientId);
    return ctx.json(400, oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.'));
  }

  async function revoke(ctx) {
    const form = await ctx.readForm();
    if (ctx.begin('revoke')) return undefined;
    const clientId = authenticateClient(ctx, form);
    if (!clientId) return undefined;
    const record = store.findToken(NAME, form.get('token'));
    if (record && store.grant(record.grantId).clientId === clientId) store.revokeGrant(record.grantId);
    return ctx.json(200, {});
  }

  // ---- API --------------------------------------------------------------------------------------

  function userinfo(ctx) {
    if (ctx.begin('userinfo')) return undefined;
    const record = store.findToken(NAME, ctx.bearer());
    const state = record && record.kind === 'access' ? store.tokenState(record) : 'unknown';
    if (state === 'revoked') return ctx.json(401, revokedToken());
    if (state !== 'valid') return ctx.json(401, invalidToken());
    const propagationMs = (Number(knobs.linkedinPropagationSec) || 0) * 1000;
    if (clock.now() - record.issuedAt < propagationMs) return ctx.json(401, revokedToken());
    const grant = store.grant(record.grantId);
    const owner = directory.get(NAME, grant.userId);
    const scopes = grant.scopes;
    if (!scopes.includes('openid')) {
      return ctx.json(403, { status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions to access: userinfo.GET.NO_VERSION' });
    }
    const answer = { sub: owner.sub };
    if (scopes.includes('profile')) {
      Object.assign(answer, {
        name: owner.name,
        given_name: owner.givenName,
        family_name: owner.familyName,
        picture: owner.picture,
        locale: { country: 'US', language: 'en' },
      });
    }
    if (scopes.includes('email')) Object.assign(answer, { email: owner.email, email_verified: true });
    return ctx.json(200, answer);
  }

  // ---- seeding ----------------------------------------------------------------------------------

  /**
   * seedTokens: what an authorization leaves: an access token, and a refresh token only when the
   * linkedinRefresh knob is on (see seed.js). keryx files LinkedIn accounts under the sub.
   */
  function seedTokens(grant, owner) {
    const access = issueAccess(grant);
    const refresh = knobs.linkedinRefresh ? issueRefresh(grant) : null;
    return {
      accountId: owner.sub,
      accessToken: access.access_token,
      refreshToken: refresh ? refresh.value : null,
      expiresIn: access.expires_in,
      refreshExpiresIn: refresh ? refresh.ttlSec : null,
    };
  }

  // ---- platform hooks ---------------------------------------------------------------------------

  function forcedError(endpoint, mode, status) {
    if (endpoint === 'authorize') return { html: errorHtml('Something went wrong', 'Forced failure (sandbox knob).') };
    if (endpoint === 'userinfo') {
      return mode === 'error200' ? { json: invalidToken() } : { json: { status, serviceErrorCode: 0, message: 'Internal Server Error' } };
    }
    return mode === 'error200'
      ? { json: oauthError('invalid_request', CODE_MISMATCH) }
      : { json: oauthError('server_error', 'The server is temporarily unavailable (forced failure).') };
  }

  const platform = {
    name: NAME,
    title: TITLE,
    accountLabel: user.name,
    partialGrant: false, // LinkedIn members accept every requested scope or none
    routes: [
      { method: 'GET', path: '/oauth/v2/authorization', handle: authorize },
      { method: 'POST', path: '/oauth/v2/accessToken', handle: accessToken },
      { method: 'POST', path: '/oauth/v2/revoke', handle: revoke },
      { method: 'GET', path: '/v2/userinfo', handle: userinfo },
    ],
    newCode: () => `AQT${randomBase64url(90)}`,
    approvedParams: (code, request) => ({ params: { code, state: request.state } }),
    deniedParams: (request) => ({
      params: { error: 'user_cancelled_authorize', error_description: 'The user cancelled the authorization', state: request.state },
    }),
    forcedError,
    defaultScopes: DEFAULT_SCOPES,
    scopeProblem,
    seedTokens,
  };
  return platform;
}

module.exports = { createLinkedIn };
