'use strict';
// platforms/instagram.js: Instagram API with Instagram Login (Business Login), under /instagram.
//   GET  /instagram/oauth/authorize            consent, then ?code=...&state=...#_
//   POST /instagram/oauth/access_token         code -> short-lived token (1 h)
//   GET  /instagram/access_token               ig_exchange_token: short -> long-lived (60 days)
//   GET  /instagram/refresh_access_token       ig_refresh_token: long -> new long (>= 24 h old)
//   GET  /instagram/me, /instagram/v<N>.0/me   the professional account's ids
// Quirks kept: the code comes back with `#_` appended; the token response is flat (default) or
// wrapped in data[] (knob instagramShape); user_id is a raw integer literal beyond 2^53; the
// access_token endpoint answers errors as {error_type, code, error_message} while the Graph
// endpoints use {error:{message,type,code,fbtrace_id}}. No PKCE: a code_challenge is ignored.
// A grant the user removed in Instagram's settings reads as code 190, subcode 458.
const { SANDBOX_APPS, findApp } = require('../apps');
const { SANDBOX_USERS } = require('../users');
const { isRegisteredRedirect } = require('../redirects');
const { platformSetting } = require('../knobs');
const { errorPage } = require('../pages');
const { sameSecret } = require('../compare');
const { randomToken, randomBase64url } = require('../random');
const { splitScopes } = require('../scopes');

const NAME = 'instagram';
const TITLE = 'Instagram';
const REQUIRED_SCOPE = 'instagram_business_basic';
const KNOWN_SCOPES = Object.freeze([
  'instagram_business_basic',
  'instagram_business_content_publish',
  'instagram_business_manage_comments',
  'instagram_business_manage_messages',
  'instagram_business_manage_insights',
]);
const DEFAULT_SCOPES = Object.freeze(['instagram_business_basic', 'instagram_business_content_publish']);
const REFRESH_FLOOR_SEC = 24 * 60 * 60;

const CODE_PROBLEMS = Object.freeze({
  unknown: 'Invalid authorization code.',
  reused: 'This authorization code has been used.',
  expired: 'This authorization code has expired.',
  client: 'The authorization code was issued to another app.',
  redirect: 'redirect_uri does not match the one used in the authorization request.',
});

/**
 * jsonWithIntegerLiteral: JSON text of `value` where `field` (a decimal string) is written as a
 * bare integer literal. Going through a JS Number would round 17841405793187218.
 */
function jsonWithIntegerLiteral(value, field, digits) {
  if (!/^\d+$/.test(digits)) throw new TypeError(`${field} must be decimal digits`);
  const marker = `@@integer:${randomBase64url(9)}@@`;
  return JSON.stringify({ ...value, [field]: marker }).replace(JSON.stringify(marker), digits);
}

/** scopeProblem: why `scopes` cannot be granted, or null. */
function scopeProblem(scopes) {
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.includes(scope));
  if (unknown.length > 0) return `Invalid scope: ${unknown.join(', ')}`;
  if (!scopes.includes(REQUIRED_SCOPE)) return `The ${REQUIRED_SCOPE} scope is required.`;
  return null;
}

function createInstagram({ store, knobs, clock, authorization, directory }) {
  const app = SANDBOX_APPS.instagram;
  const user = SANDBOX_USERS.instagram; // the one who signs in on the consent page

  // ---- error shapes ---------------------------------------------------------------------------

  function tokenEndpointError(message, code = 400) {
    return { error_type: 'OAuthException', code, error_message: message };
  }

  function graphError(message, code = 190, subcode) {
    const error = { message, type: 'OAuthException', code };
    if (subcode !== undefined) error.error_subcode = subcode;
    error.fbtrace_id = randomBase64url(8);
    return { error };
  }

  function errorHtml(heading, message) {
    return errorPage({ platformTitle: TITLE, heading, message });
  }

  /** graphTokenProblem: the Graph error for a token that is not usable, by its state. */
  function graphTokenProblem(record) {
    const state = store.tokenState(record);
    if (state === 'expired') return graphError('Error validating access token: Session has expired.', 190, 463);
    if (state === 'revoked') {
      const grant = store.grant(record.grantId);
      if (grant && grant.revokedBy === 'user') {
        return graphError(`Error validating access token: The user has not authorized application ${app.clientId}.`, 190, 458);
      }
      return graphError('Error validating access token: The session has been invalidated.', 190, 460);
    }
    return graphError('Invalid OAuth access token - Cannot parse access token', 190);
  }

  // ---- authorize --------------------------------------------------------------------------------

  function authorize(ctx) {
    if (ctx.begin('authorize')) return;
    const query = ctx.query;
    const clientId = query.get('client_id');
    if (!findApp(NAME, clientId)) {
      return ctx.html(400, errorHtml('Invalid platform app', 'client_id is not the Instagram app id of an app registered with the sandbox.'));
    }
    const redirectUri = query.get('redirect_uri');
    if (!isRegisteredRedirect(app, redirectUri, knobs)) {
      return ctx.html(
        400,
        errorHtml('Invalid redirect_uri', 'redirect_uri must exactly match one of the app’s registered https OAuth redirect URIs.'),
      );
    }
    const request = { clientId, appName: app.name, redirectUri, state: query.get('state'), scopes: [] };
    if (query.get('response_type') !== 'code') {
      return authorization.redirectError(ctx, request, 'unsupported_response_type', 'response_type must be code.');
    }
    const scopes = splitScopes(query.get('scope'), /[\s,]+/);
    const problem = scopeProblem(scopes);
    if (problem) return authorization.redirectError(ctx, request, 'invalid_scope', problem);
    request.scopes = scopes;
    return authorization.proceed(ctx, platform, request);
  }

  // ---- code exchange ----------------------------------------------------------------------------

  async function accessToken(ctx) {
    const form = await ctx.readForm();
    if (ctx.begin('token')) return undefined;
    const fail = (message) => ctx.json(400, tokenEndpointError(message));
    const repeated = form.repeated();
    if (repeated.length > 0) return fail(`Parameter given more than once: ${repeated.join(', ')}`);
    const clientId = form.get('client_id');
    if (!findApp(NAME, clientId)) return fail('Invalid platform app');
    if (!sameSecret(form.get('client_secret'), app.clientSecret)) return fail('Error validating client secret.');
    if (form.get('grant_type') !== 'authorization_code') return fail('Invalid grant_type: only authorization_code is supported.');
    if (!form.get('redirect_uri')) return fail('Missing redirect_uri parameter.');
    const redeemed = store.redeemCode(NAME, form.get('code'), (code) => {
      if (code.clientId !== clientId) return 'client';
      if (code.redirectUri !== form.get('redirect_uri')) return 'redirect';
      return null;
    });
    if (redeemed.problem) return fail(CODE_PROBLEMS[redeemed.problem] || 'Invalid authorization code.');
    const { code } = redeemed;
    const grant = store.openGrant({ platform: NAME, clientId, userId: code.userId, scopes: code.scopes, code });
    const owner = directory.get(NAME, grant.userId);
    const token = store.addToken({
      value: randomToken('IGAA', 48),
      kind: 'short',
      grant,
      ttlSec: platformSetting(knobs, NAME, 'accessTtlSec'),
    });
    if (knobs.instagramShape === 'data') {
      return ctx.json(200, {
        data: [{ access_token: token.value, user_id: owner.userId, permissions: grant.scopes.join(',') }],
      });
    }
    return ctx.rawJson(
      200,
      jsonWithIntegerLiteral({ access_token: token.value, user_id: null, permissions: grant.scopes }, 'user_id', owner.userId),
    );
  }

  // ---- long-lived tokens ------------------------------------------------------------------------

  function issueLongLived(grant) {
    const ttlSec = platformSetting(knobs, NAME, 'longLivedTtlSec');
    const token = store.addToken({ value: randomToken('IGAA', 48), kind: 'long', grant, ttlSec });
    return { access_token: token.value, token_type: 'bearer', expires_in: ttlSec };
  }

  function exchange(ctx) {
    if (ctx.begin('exchange')) return undefined;
    const query = ctx.query;
    if (query.get('grant_type') !== 'ig_exchange_token') {
      return ctx.json(400, graphError('Unsupported grant_type: expected ig_exchange_token.', 100));
    }
    if (!sameSecret(query.get('client_secret'), app.clientSecret)) {
      return ctx.json(400, graphError('Error validating client secret.', 101));
    }
    const record = store.findToken(NAME, query.get('access_token'));
    if (store.tokenState(record) !== 'valid') return ctx.json(400, graphTokenProblem(record));
    if (record.kind !== 'short') {
      return ctx.json(400, graphError('Only a short-lived access token can be exchanged for a long-lived one.', 100));
    }
    return ctx.json(200, issueLongLived(store.grant(record.grantId)));
  }

  function refresh(ctx) {
    if (ctx.begin('refresh')) return undefined;
    const query = ctx.query;
    if (query.get('grant_type') !== 'ig_refresh_token') {
      return ctx.json(400, graphError('Unsupported grant_type: expected ig_refresh_token.', 100));
    }
    const record = store.findToken(NAME, query.get('access_token'));
    if (store.tokenState(record) !== 'valid') return ctx.json(400, graphTokenProblem(record));
    if (record.kind !== 'long') {
      return ctx.json(400, graphError('Only a long-lived access token can be refreshed.', 100));
    }
    if (clock.now() - record.issuedAt < REFRESH_FLOOR_SEC * 1000) {
      return ctx.json(400, graphError('The access token must be at least 24 hours old to be refreshed.', 100));
    }
    const grant = store.grant(record.grantId);
    if (!grant.scopes.includes(REQUIRED_SCOPE)) {
      return ctx.json(400, graphError(`Refreshing requires the ${REQUIRED_SCOPE} permission.`, 10));
    }
    const answer = issueLongLived(grant);
    if (knobs.instagramRefreshInvalidatesOld) store.revokeToken(record);
    store.noteRefresh(grant, true); // the new long-lived token is now the one that renews
    return ctx.json(200, answer);
  }

  // ---- the account ------------------------------------------------------------------------------

  function me(ctx) {
    if (ctx.begin('me')) return undefined;
    const record = store.findToken(NAME, ctx.query.get('access_token') || ctx.bearer());
    if (store.tokenState(record) !== 'valid' || !['short', 'long'].includes(record.kind)) {
      return ctx.json(400, graphTokenProblem(record));
    }
    const owner = directory.get(NAME, store.grant(record.grantId).userId);
    const available = {
      id: owner.appScopedId,
      user_id: owner.userId,
      username: owner.username,
      name: owner.name,
      account_type: owner.accountType,
      profile_picture_url: owner.profilePictureUrl,
    };
    const fields = splitScopes(ctx.query.get('fields') || 'id', /,/);
    const unknown = fields.find((field) => !Object.prototype.hasOwnProperty.call(available, field));
    if (unknown) return ctx.json(400, graphError(`(#100) Tried accessing nonexisting field (${unknown}) on node type (User)`, 100));
    const answer = {};
    for (const field of fields) answer[field] = available[field];
    answer.id = available.id; // Graph always answers with the node id
    return ctx.json(200, answer);
  }

  // ---- seeding ----------------------------------------------------------------------------------

  /** seedTokens: what a finished authorization leaves: a long-lived token (see seed.js). */
  function seedTokens(grant, owner) {
    const answer = issueLongLived(grant);
    return { accountId: owner.userId, accessToken: answer.access_token, refreshToken: null, expiresIn: answer.expires_in, refreshExpiresIn: null };
  }

  // ---- platform hooks ---------------------------------------------------------------------------

  function forcedError(endpoint, mode, status) {
    if (endpoint === 'authorize') return { html: errorHtml('Sorry, something went wrong', 'Forced failure (sandbox knob).') };
    if (endpoint === 'token') {
      return mode === 'error200'
        ? { json: tokenEndpointError('This authorization code has been used.') }
        : { json: tokenEndpointError('An unexpected error has occurred. Please retry your request later.', status) };
    }
    return mode === 'error200'
      ? { json: graphError('Error validating access token: The session has been invalidated.', 190, 460) }
      : { json: { error: { ...graphError('An unexpected error has occurred. Please retry your request later.', 2).error, is_transient: true } } };
  }

  const platform = {
    name: NAME,
    title: TITLE,
    accountLabel: user.username,
    partialGrant: true,
    routes: [
      { method: 'GET', path: '/oauth/authorize', handle: authorize },
      { method: 'POST', path: '/oauth/access_token', handle: accessToken },
      { method: 'GET', path: '/access_token', handle: exchange },
      { method: 'GET', path: '/refresh_access_token', handle: refresh },
      { method: 'GET', path: '/me', handle: me },
      { method: 'GET', pattern: /^\/v\d+\.0\/me$/, handle: me },
    ],
    newCode: () => `AQB${randomBase64url(96)}`,
    approvedParams: (code, request) => ({ params: { code, state: request.state }, fragment: '_' }),
    deniedParams: (request) => ({
      params: {
        error: 'access_denied',
        error_reason: 'user_denied',
        error_description: 'The user denied your request.',
        state: request.state,
      },
    }),
    forcedError,
    defaultScopes: DEFAULT_SCOPES,
    scopeProblem,
    seedTokens,
  };
  return platform;
}

module.exports = { createInstagram, jsonWithIntegerLiteral, KNOWN_SCOPES };
