'use strict';
// platforms/google.js: Google OAuth for a Desktop ("installed") client plus the two APIs keryx
// calls, under /google.
//   GET  /google/o/oauth2/v2/auth            consent, then ?state=...&code=...&scope=...
//   POST /google/token                       authorization_code and refresh_token grants
//   POST /google/revoke                      token=<access or refresh>: the whole grant dies
//   GET  /google/youtube/v3/channels         part=id,snippet&mine=true
//   GET  /google/oauth2/v3/userinfo          the signed-in user
// Quirks kept: loopback redirects on any port (RFC 8252 §7.3); PKCE required unless the
// googleRequirePkce knob is off; a refresh_token only with access_type=offline and either
// prompt=consent or the user's first consent to this client; no refresh-token rotation;
// googleTestingMode kills refresh tokens 7 days after issue; client auth in the body or Basic.
const { SANDBOX_APPS, findApp } = require('../apps');
const { SANDBOX_USERS } = require('../users');
const { isRegisteredRedirect } = require('../redirects');
const { platformSetting } = require('../knobs');
const { errorPage } = require('../pages');
const { sameSecret } = require('../compare');
const { randomToken, randomBase64url } = require('../random');
const { isChallenge, verifierProblem } = require('../pkce');
const { splitScopes } = require('../scopes');

const NAME = 'google';
const TITLE = 'Google';
const TESTING_REFRESH_LIFETIME_SEC = 7 * 24 * 60 * 60;
const SCOPE_SHAPE = /^(openid|email|profile|https:\/\/www\.googleapis\.com\/auth\/[A-Za-z0-9._\-/]+)$/;
const PROMPTS = Object.freeze(['none', 'consent', 'select_account']);
const EXPIRED_OR_REVOKED = 'Token has been expired or revoked.';
const DEFAULT_SCOPES = Object.freeze(['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly']);

/** scopeProblem: why `scopes` cannot be granted, or null. */
function scopeProblem(scopes) {
  if (scopes.length === 0) return 'Missing required parameter: scope';
  const badScope = scopes.find((scope) => !SCOPE_SHAPE.test(scope));
  return badScope ? `Some requested scopes were invalid: ${badScope}` : null;
}

function createGoogle({ store, knobs, clock, authorization, directory }) {
  const app = SANDBOX_APPS.google;
  const user = SANDBOX_USERS.google; // the one who signs in on the consent page

  // ---- error shapes ---------------------------------------------------------------------------

  function oauthError(error, description) {
    return { error, error_description: description };
  }

  function apiError(code, message, status, reason) {
    return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } };
  }

  function unauthenticated() {
    return apiError(
      401,
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      'UNAUTHENTICATED',
      'authError',
    );
  }

  function errorHtml(heading, message) {
    return errorPage({ platformTitle: TITLE, heading, message });
  }

  // ---- authorize --------------------------------------------------------------------------------

  function authorize(ctx) {
    if (ctx.begin('authorize')) return undefined;
    const query = ctx.query;
    const clientId = query.get('client_id');
    if (!findApp(NAME, clientId)) {
      return ctx.html(401, errorHtml('Error 401: invalid_client', 'The OAuth client was not found.'));
    }
    const redirectUri = query.get('redirect_uri');
    if (!isRegisteredRedirect(app, redirectUri, knobs)) {
      return ctx.html(
        400,
        errorHtml('Error 400: redirect_uri_mismatch', 'Desktop clients may only redirect to http://127.0.0.1, http://[::1] or http://localhost on any port.'),
      );
    }
    const request = { clientId, appName: app.name, redirectUri, state: query.get('state'), scopes: [] };
    const refuse = (error, description) => authorization.redirectError(ctx, request, error, description);
    if (query.get('response_type') !== 'code') return refuse('unsupported_response_type', 'response_type must be code.');

    const scopes = splitScopes(query.get('scope'), /\s+/);
    const problem = scopeProblem(scopes);
    if (problem) return refuse(scopes.length === 0 ? 'invalid_request' : 'invalid_scope', problem);

    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method');
    if (challenge === undefined || challenge === '') {
      if (method) return refuse('invalid_request', 'code_challenge_method was sent without a code_challenge.');
      if (knobs.googleRequirePkce !== false) return refuse('invalid_request', 'Missing required parameter: code_challenge');
    } else {
      if (method !== undefined && method !== 'S256' && method !== 'plain') {
        return refuse('invalid_request', 'Invalid code_challenge_method: use S256 or plain.');
      }
      if (!isChallenge(challenge)) return refuse('invalid_request', 'Invalid code_challenge.');
    }

    const accessType = query.get('access_type') || 'online';
    if (accessType !== 'online' && accessType !== 'offline') return refuse('invalid_request', 'Invalid access_type: use online or offline.');
    const prompts = splitScopes(query.get('prompt'), /\s+/);
    if (prompts.some((prompt) => !PROMPTS.includes(prompt)) || (prompts.includes('none') && prompts.length > 1)) {
      return refuse('invalid_request', 'Invalid prompt value.');
    }
    if (prompts.includes('none') && !store.hasConsent(NAME, clientId, user.id)) {
      return refuse('consent_required', 'The user has not consented to this app yet.');
    }

    Object.assign(request, {
      scopes,
      challenge: challenge || undefined,
      challengeMethod: challenge ? method || 'plain' : undefined,
      includeGrantedScopes: query.get('include_granted_scopes') === 'true',
      silent: prompts.includes('none'),
      details: { accessType, promptConsent: prompts.includes('consent') },
    });
    return authorization.proceed(ctx, platform, request);
  }

  // ---- token endpoint ---------------------------------------------------------------------------

  /** authenticateClient: the client id if the request proves it, else answers and returns null. */
  function authenticateClient(ctx, form) {
    const basic = ctx.basicCredentials();
    const challengeHeader = basic ? { 'www-authenticate': 'Basic realm="sandbox"' } : {};
    if (ctx.hasBasicAuth() && !basic) {
      ctx.json(401, oauthError('invalid_client', 'Malformed Basic credentials.'), { 'www-authenticate': 'Basic realm="sandbox"' });
      return null;
    }
    const clientId = basic ? basic.clientId : form.get('client_id');
    const secret = basic ? basic.clientSecret : form.get('client_secret');
    if (!clientId) {
      ctx.json(400, oauthError('invalid_request', 'Could not determine client ID from request.'));
      return null;
    }
    if (!findApp(NAME, clientId)) {
      ctx.json(401, oauthError('invalid_client', 'The OAuth client was not found.'), challengeHeader);
      return null;
    }
    if (secret === undefined || secret === '') {
      ctx.json(400, oauthError('invalid_request', 'client_secret is missing.'));
      return null;
    }
    if (!sameSecret(secret, app.clientSecret)) {
      ctx.json(401, oauthError('invalid_client', 'Unauthorized'), challengeHeader);
      return null;
    }
    return clientId;
  }

  function issueAccess(grant) {
    const ttlSec = platformSetting(knobs, NAME, 'accessTtlSec');
    const token = store.addToken({ value: randomToken('ya29.a0', 96), kind: 'access', grant, ttlSec });
    return { access_token: token.value, expires_in: ttlSec };
  }

  /** issueRefresh: a refresh token for `grant`; in testing mode it dies within 7 days. */
  function issueRefresh(grant) {
    let ttlSec = platformSetting(knobs, NAME, 'refreshTtlSec');
    if (knobs.googleTestingMode) ttlSec = ttlSec === null ? TESTING_REFRESH_LIFETIME_SEC : Math.min(ttlSec, TESTING_REFRESH_LIFETIME_SEC);
    return { value: store.addToken({ value: randomToken('1//0', 72), kind: 'refresh', grant, ttlSec }).value, ttlSec };
  }

  function exchangeCode(ctx, form, clientId) {
    const redeemed = store.redeemCode(NAME, form.get('code'), (code) => {
      if (code.clientId !== clientId) return 'client';
      if (code.redirectUri !== form.get('redirect_uri')) return 'redirect';
      const encoding = code.challengeMethod === 'plain' ? 'plain' : 'base64url';
      return verifierProblem({ challenge: code.challenge, verifier: form.get('code_verifier'), encoding });
    });
    const problems = {
      redirect: ['redirect_uri_mismatch', 'Bad Request'],
      missing: ['invalid_grant', 'Missing code verifier.'],
      malformed: ['invalid_grant', 'Invalid code verifier.'],
      mismatch: ['invalid_grant', 'Invalid code verifier.'],
      unexpected: ['invalid_grant', 'code_verifier was sent but the authorization request had no code_challenge.'],
      expired: ['invalid_grant', 'Bad Request'],
      reused: ['invalid_grant', 'Bad Request'],
    };
    if (redeemed.problem) {
      const [error, description] = problems[redeemed.problem] || ['invalid_grant', 'Malformed auth code.'];
      return ctx.json(400, oauthError(error, description));
    }
    const { code } = redeemed;
    const grant = store.openGrant({ platform: NAME, clientId, userId: code.userId, scopes: code.scopes, code });
    const answer = issueAccess(grant);
    const { accessType, promptConsent, firstConsent } = code.details;
    if (accessType === 'offline' && (promptConsent || firstConsent)) answer.refresh_token = issueRefresh(grant).value;
    answer.scope = grant.scopes.join(' ');
    answer.token_type = 'Bearer';
    return ctx.json(200, answer);
  }

  function refreshGrant(ctx, form, clientId) {
    const record = store.findToken(NAME, form.get('refresh_token'));
    if (!record || record.kind !== 'refresh' || store.grant(record.grantId).clientId !== clientId) {
      return ctx.json(400, oauthError('invalid_grant', record ? 'Unauthorized' : 'Bad Request'));
    }
    const testingDeath = knobs.googleTestingMode && clock.now() - record.issuedAt >= TESTING_REFRESH_LIFETIME_SEC * 1000;
    if (store.tokenState(record) !== 'valid' || testingDeath) {
      return ctx.json(400, oauthError('invalid_grant', EXPIRED_OR_REVOKED));
    }
    const grant = store.grant(record.grantId);
    const answer = issueAccess(grant);
    answer.scope = grant.scopes.join(' ');
    answer.token_type = 'Bearer';
    store.noteRefresh(grant, false); // Google keeps the refresh token
    return ctx.json(200, answer);
  }

  async function token(ctx) {
    const form = await ctx.readForm();
    const grantType = form.get('grant_type');
    if (ctx.begin(grantType === 'refresh_token' ? 'refresh' : 'token')) return undefined;
    const repeated = form.repeated();
    if (repeated.length > 0) return ctx.json(400, oauthError('invalid_request', `Parameter given more than once: ${repeated.join(', ')}`));
    const clientId = authenticateClient(ctx, form);
    if (!clientId) return undefined;
    if (grantType === 'authorization_code') return exchangeCode(ctx, form, clientId);
    if (grantType === 'refresh_token') return refreshGrant(ctx, form, clientId);
    if (!grantType) return ctx.json(400, oauthError('invalid_request', 'Missing required parameter: grant_type'));
    return ctx.json(400, oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType}`));
  }

  // ---- revocation -------------------------------------------------------------------------------

  async function revoke(ctx) {
    const form = await ctx.readForm();
    if (ctx.begin('revoke')) return undefined;
    const record = store.findToken(NAME, form.get('token') || ctx.query.get('token'));
    const grant = record ? store.grant(record.grantId) : null;
    if (!record || !grant || grant.revoked || record.revoked) {
      return ctx.json(400, oauthError('invalid_token', 'Token expired or revoked'));
    }
    store.revokeGrant(grant.id);
    store.forgetConsent(NAME, grant.clientId, grant.userId);
    return ctx.json(200, {});
  }

  // ---- APIs -------------------------------------------------------------------------------------

  function liveAccess(ctx) {
    return store.liveToken(NAME, ctx.bearer() || ctx.query.get('access_token'), ['access']);
  }

  function channels(ctx) {
    if (ctx.begin('channels')) return undefined;
    const record = liveAccess(ctx);
    if (!record) return ctx.json(401, unauthenticated());
    const parts = splitScopes(ctx.query.get('part'), /,/);
    if (parts.length === 0) return ctx.json(400, apiError(400, 'Required parameter: part', 'INVALID_ARGUMENT', 'required'));
    const unknownPart = parts.find((part) => !['id', 'snippet'].includes(part));
    if (unknownPart) {
      return ctx.json(400, apiError(400, `'${unknownPart}' is not a part the sandbox knows (id, snippet).`, 'INVALID_ARGUMENT', 'unknownPart'));
    }
    if (ctx.query.get('mine') !== 'true') {
      return ctx.json(400, apiError(400, 'No filter selected. The sandbox supports mine=true only.', 'INVALID_ARGUMENT', 'missingRequiredParameter'));
    }
    const owner = directory.get(NAME, store.grant(record.grantId).userId);
    const items = [];
    if (!knobs.googleNoChannel) {
      const item = { kind: 'youtube#channel', etag: 'sandbox-channel-etag', id: owner.channelId };
      if (parts.includes('snippet')) item.snippet = { title: owner.channelTitle, description: '', customUrl: owner.customUrl || '@sandboxchannel' };
      items.push(item);
    }
    return ctx.json(200, {
      kind: 'youtube#channelListResponse',
      etag: 'sandbox-list-etag',
      pageInfo: { totalResults: items.length, resultsPerPage: 5 },
      items,
    });
  }

  function userinfo(ctx) {
    if (ctx.begin('userinfo')) return undefined;
    const record = liveAccess(ctx);
    if (!record) return ctx.json(401, oauthError('invalid_request', 'Invalid Credentials'));
    const grant = store.grant(record.grantId);
    const owner = directory.get(NAME, grant.userId);
    const scopes = grant.scopes;
    const answer = { sub: owner.sub };
    if (scopes.some((s) => s === 'profile' || s.endsWith('/userinfo.profile'))) answer.name = owner.name;
    if (scopes.some((s) => s === 'email' || s.endsWith('/userinfo.email'))) {
      answer.email = owner.email;
      answer.email_verified = true;
    }
    return ctx.json(200, answer);
  }

  // ---- seeding ----------------------------------------------------------------------------------

  /**
   * seedTokens: what an offline authorization leaves: access and refresh token (see seed.js).
   * The account is the channel keryx files the token under ("default" without a channel).
   */
  function seedTokens(grant, owner) {
    const access = issueAccess(grant);
    const refresh = issueRefresh(grant);
    return {
      accountId: knobs.googleNoChannel ? 'default' : owner.channelId,
      accessToken: access.access_token,
      refreshToken: refresh.value,
      expiresIn: access.expires_in,
      refreshExpiresIn: refresh.ttlSec,
    };
  }

  // ---- platform hooks ---------------------------------------------------------------------------

  function forcedError(endpoint, mode, status) {
    if (endpoint === 'authorize') return { html: errorHtml('Something went wrong', 'Forced failure (sandbox knob).') };
    if (endpoint === 'channels') {
      return mode === 'error200' ? { json: unauthenticated() } : { json: apiError(status, 'Backend Error', 'UNAVAILABLE', 'backendError') };
    }
    if (endpoint === 'userinfo') {
      return mode === 'error200' ? { json: oauthError('invalid_request', 'Invalid Credentials') } : { json: oauthError('server_error', 'Backend Error') };
    }
    if (mode === 'error200') {
      return { json: endpoint === 'revoke' ? oauthError('invalid_token', 'Token expired or revoked') : oauthError('invalid_grant', EXPIRED_OR_REVOKED) };
    }
    return { json: oauthError('temporarily_unavailable', 'The service is temporarily unavailable (forced failure).') };
  }

  const platform = {
    name: NAME,
    title: TITLE,
    accountLabel: user.email,
    partialGrant: true,
    routes: [
      { method: 'GET', path: '/o/oauth2/v2/auth', handle: authorize },
      { method: 'POST', path: '/token', handle: token },
      { method: 'POST', path: '/revoke', handle: revoke },
      { method: 'GET', path: '/youtube/v3/channels', handle: channels },
      { method: 'GET', path: '/oauth2/v3/userinfo', handle: userinfo },
    ],
    newCode: () => `4/0${randomBase64url(60)}`,
    approvedParams: (code, request, scopes) => ({ params: { state: request.state, code, scope: scopes.join(' ') } }),
    deniedParams: (request) => ({
      params: { error: 'access_denied', error_description: 'The user denied access to the app.', state: request.state },
    }),
    forcedError,
    defaultScopes: DEFAULT_SCOPES,
    scopeProblem,
    seedTokens,
  };
  return platform;
}

module.exports = { createGoogle };
