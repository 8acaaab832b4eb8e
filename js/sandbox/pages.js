'use strict';
// pages.js: the HTML the sandbox shows a browser: the consent page and the error page for
// authorize requests that cannot be redirected back (unknown app, unregistered redirect).
// Every interpolated value is HTML-escaped; no page ever contains a code, token or state.

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;background:#f4f4f6;color:#1d1d1f;margin:0}',
  'main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 4px #0002}',
  'h1{font-size:1.3rem;margin-top:0}code{background:#eee;padding:0 .25rem;border-radius:4px}',
  'button{font:inherit;padding:.5rem 1.4rem;margin-right:.6rem;border-radius:8px;border:1px solid #888;cursor:pointer}',
  '#approve{background:#1d6ef5;color:#fff;border-color:#1d6ef5}.note{color:#666;font-size:.85rem}',
].join('');

/** escapeHtml: text made safe for HTML element content and quoted attributes. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function document(title, body) {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body><main>${body}</main></body></html>`,
    '',
  ].join('\n');
}

/**
 * consentPage: the "allow this app?" screen. Approve and Deny post the one-time `transaction`
 * id to `/<platform>/consent` with decision=approve|deny.
 */
function consentPage({ platform, platformTitle, appName, account, scopes, redirectUri, transaction }) {
  const title = `${platformTitle} sandbox — authorize ${appName}`;
  const scopeItems = scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return document(
    title,
    [
      `<h1>${escapeHtml(title)}</h1>`,
      `<p>Signed in as <strong>${escapeHtml(account)}</strong>. <strong>${escapeHtml(appName)}</strong> asks for:</p>`,
      `<ul id="scopes">${scopeItems || '<li>(no scopes)</li>'}</ul>`,
      `<p>You will be sent back to <code>${escapeHtml(redirectUri)}</code>.</p>`,
      `<form method="post" action="/${escapeHtml(platform)}/consent">`,
      `<input type="hidden" name="transaction" value="${escapeHtml(transaction)}">`,
      '<button id="approve" type="submit" name="decision" value="approve">Allow</button>',
      '<button id="deny" type="submit" name="decision" value="deny">Deny</button>',
      '</form>',
      '<p class="note">Local keryx sandbox: no real account is involved.</p>',
    ].join('\n'),
  );
}

/** errorPage: an authorization error shown in the browser instead of a redirect. */
function errorPage({ platformTitle, heading, message }) {
  return document(
    `${platformTitle} sandbox — ${heading}`,
    [
      `<h1 id="error">${escapeHtml(heading)}</h1>`,
      `<p id="message">${escapeHtml(message)}</p>`,
      '<p class="note">Local keryx sandbox: the request was not sent back to the app.</p>',
    ].join('\n'),
  );
}

module.exports = { consentPage, errorPage, escapeHtml };
