'use strict';
// errors.js: KeryxError, the one error class keryx throws, and the frozen list of its codes.
// Native codes come from native/src/status.cc; the JS-only ones are marked. docs/errors.md explains
// each with what the user should do.

/** codes: every stable error code, as `codes.STATE_MISMATCH === 'state_mismatch'`. */
const codes = Object.freeze({
  INVALID_ARGUMENT: 'invalid_argument',
  INTERNAL: 'internal',
  IO_ERROR: 'io_error',
  NETWORK_ERROR: 'network_error',
  TIMEOUT: 'timeout',
  TLS_ERROR: 'tls_error',
  HTTP_STATUS: 'http_status',
  RESPONSE_TOO_LARGE: 'response_too_large',
  JSON_INVALID: 'json_invalid',
  PLATFORM_REJECTED: 'platform_rejected',
  STATE_MISMATCH: 'state_mismatch',
  MISSING_CODE: 'missing_code',
  PORT_RANGE_BUSY: 'port_range_busy',
  PORT_IN_USE: 'port_in_use',
  BIND_FAILED: 'bind_failed',
  REDIRECT_INVALID: 'redirect_invalid',
  CAPTURE_TIMEOUT: 'capture_timeout',
  CANCELLED: 'cancelled',
  PASTE_INVALID: 'paste_invalid',
  ALREADY_FINISHED: 'already_finished',
  TOKEN_EXPIRED: 'token_expired',
  TOKEN_REVOKED: 'token_revoked',
  VAULT_CORRUPT: 'vault_corrupt',
  CRYPTO_ERROR: 'crypto_error',
  NOT_FOUND: 'not_found',
  INSECURE_PERMISSIONS: 'insecure_permissions',
  LOCK_TIMEOUT: 'lock_timeout',
  VAULT_WRONG_KEY: 'vault_wrong_key',
  VAULT_TRUNCATED: 'vault_truncated',
  VAULT_ROLLBACK: 'vault_rollback',
  VAULT_FORMAT_UNSUPPORTED: 'vault_format_unsupported',
  KEYCHAIN_UNAVAILABLE: 'keychain_unavailable',
  KEYCHAIN_LOCKED: 'keychain_locked',
  CONFIG_INVALID: 'config_invalid',
  SECRET_IN_CONFIG: 'secret_in_config',
  VAULT_KEY_MISSING: 'vault_key_missing',
  PREREQUISITE_MISSING: 'prerequisite_missing',
  PENDING_AUTH_MISSING: 'pending_auth_missing',
  SCOPE_MISSING: 'scope_missing',
  DISCOVERY_FAILED: 'discovery_failed',
  ROTATION_LOST: 'rotation_lost',
  HOLDER_MISMATCH: 'holder_mismatch',
  REFRESH_TOO_EARLY: 'refresh_too_early',
  // JS-only codes
  ADDON_MISSING: 'addon_missing',
  USAGE: 'usage',
});

const known = new Set(Object.values(codes));

/**
 * KeryxError: an error with a stable `code` (one of `codes`), a secret-free message, optional
 * `details` (plain, secret-free data such as a port or a path) and an optional `cause`.
 */
class KeryxError extends Error {
  constructor(code, message, options = {}) {
    super(message, options.cause ? { cause: options.cause } : undefined);
    this.name = 'KeryxError';
    this.code = known.has(code) ? code : codes.INTERNAL;
    if (options.details) this.details = options.details;
  }
}

/**
 * fromNative: turns an error thrown or rejected by the addon into a KeryxError, keeping the stack
 * captured in JS (`callerStack`) so the trace points at the user's call, not at the binding.
 */
function fromNative(err, callerStack) {
  if (err instanceof KeryxError) return err;
  const code = err && err.keryxCode ? err.code : codes.INTERNAL;
  const out = new KeryxError(code, (err && err.message) || String(err), { details: err && err.details });
  if (callerStack) out.stack = `${out.name} [${out.code}]: ${out.message}\n${callerStack.split('\n').slice(1).join('\n')}`;
  return out;
}

/** callNative: runs a synchronous addon call, converting its errors to KeryxError. */
function callNative(fn) {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err, new Error().stack);
  }
}

/** awaitNative: awaits an addon Promise, converting its rejection to KeryxError with the caller's stack. */
async function awaitNative(promise) {
  const callerStack = new Error().stack;
  try {
    return await promise;
  } catch (err) {
    throw fromNative(err, callerStack);
  }
}

module.exports = { KeryxError, codes, fromNative, callNative, awaitNative };
