'use strict';
// authorize.js: the part of the authorization step every platform shares, once the platform has
// validated its own parameters: show the consent page (or approve/deny at once when a knob says
// so), turn an approval into a single-use code, and send the browser back to the redirect URI.
//
// A platform module supplies the platform-specific parts:
//   name, title, accountLabel     who is asking and who is signed in (consent page)
//   partialGrant                  false when the user cannot deselect scopes (LinkedIn)
//   newCode()                     a fresh authorization code value
//   approvedParams(code, request, scopes) -> { params, fragment? }
//   deniedParams(request)         -> { params, fragment? }
// An authorize `request` is { clientId, appName, redirectUri, state, scopes, challenge?,
// challengeMethod?, includeGrantedScopes?, silent?, details? }.
const { callbackLocation } = require('./callback');
const { consentPage, errorPage } = require('./pages');
const { platformSetting } = require('./knobs');
const { SANDBOX_USERS } = require('./users');

function createAuthorization({ store, knobs }) {
  /** The scopes the user grants: all requested, or those the grantScopes knob lets through. */
  function grantedScopes(platform, request) {
    if (platform.partialGrant === false) return request.scopes.slice();
    const allowed = knobs.grantScopes && knobs.grantScopes[platform.name];
    if (!Array.isArray(allowed)) return request.scopes.slice();
    return request.scopes.filter((scope) => allowed.includes(scope));
  }

  function approve(ctx, platform, request) {
    const user = SANDBOX_USERS[platform.name];
    let scopes = grantedScopes(platform, request);
    const consent = store.recordConsent(platform.name, request.clientId, user.id, scopes);
    if (request.includeGrantedScopes) scopes = [...new Set([...scopes, ...consent.previous])];
    const code = store.issueCode(
      {
        value: platform.newCode(),
        platform: platform.name,
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        scopes,
        challenge: request.challenge,
        challengeMethod: request.challengeMethod,
        userId: user.id,
        details: { ...(request.details || {}), firstConsent: consent.first },
      },
      platformSetting(knobs, platform.name, 'codeTtlSec'),
    );
    const { params, fragment } = platform.approvedParams(code.value, request, scopes);
    ctx.redirect(callbackLocation(request.redirectUri, params, fragment));
  }

  function deny(ctx, platform, request) {
    const { params, fragment } = platform.deniedParams(request);
    ctx.redirect(callbackLocation(request.redirectUri, params, fragment));
  }

  /**
   * proceed: a validated authorize request. autoDeny answers with the denial, autoApprove (or a
   * silent request such as Google prompt=none) with the code; otherwise the consent page.
   */
  function proceed(ctx, platform, request) {
    if (knobs.autoDeny) return deny(ctx, platform, request);
    if (knobs.autoApprove || request.silent) return approve(ctx, platform, request);
    const transaction = store.openTransaction(platform.name, request, platformSetting(knobs, platform.name, 'codeTtlSec'));
    return ctx.html(
      200,
      consentPage({
        platform: platform.name,
        platformTitle: platform.title,
        appName: request.appName,
        account: platform.accountLabel,
        scopes: request.scopes,
        redirectUri: request.redirectUri,
        transaction,
      }),
    );
  }

  /** redirectError: an authorize error sent back to the (already validated) redirect URI. */
  function redirectError(ctx, request, error, description, extra = {}) {
    const params = { error, error_description: description, ...extra, state: request.state };
    ctx.redirect(callbackLocation(request.redirectUri, params));
  }

  /** consent: POST /<platform>/consent, the Allow/Deny buttons of the consent page. */
  async function consent(ctx, platform) {
    ctx.endpoint = 'consent';
    const form = await ctx.readForm();
    const request = store.takeTransaction(platform.name, form.get('transaction'));
    if (!request) {
      return ctx.html(
        400,
        errorPage({
          platformTitle: platform.title,
          heading: 'Authorization request expired',
          message: 'This consent page is unknown, was already answered, or expired. Start again from the app.',
        }),
      );
    }
    const decision = form.get('decision');
    if (decision === 'approve') return approve(ctx, platform, request);
    if (decision === 'deny') return deny(ctx, platform, request);
    return ctx.html(
      400,
      errorPage({ platformTitle: platform.title, heading: 'No decision', message: 'Choose Allow or Deny on the consent page.' }),
    );
  }

  return { proceed, redirectError, consent };
}

module.exports = { createAuthorization };
