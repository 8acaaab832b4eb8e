'use strict';
// scopes.js: reading scope lists. Platforms differ in the separator they document (Google and
// LinkedIn: spaces; TikTok: commas; Instagram: either), so the caller passes the pattern.

/** splitScopes: the distinct, non-empty scopes of `text`, in request order. */
function splitScopes(text, separator) {
  if (typeof text !== 'string') return [];
  return [...new Set(text.split(separator).map((s) => s.trim()).filter(Boolean))];
}

module.exports = { splitScopes };
