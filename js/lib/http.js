'use strict';
// http.js: one HTTP(S) request through the native libcurl client (TLS verification always on,
// http/https only, size-capped, deadline-bound), off the event loop.
//   const { status, headers, body } = await keryx.http.request({ method: 'POST', url, form: { ... } });
//   const { status, data } = await keryx.http.json({ url });
const { load } = require('./native');
const { awaitNative, KeryxError, codes } = require('./errors');

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_REDIRECTS = 20;

function fail(message) {
  return new KeryxError(codes.INVALID_ARGUMENT, message);
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkUrl(url) {
  if (typeof url !== 'string' || url === '') throw fail('url must be a non-empty string');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw fail('url must be an absolute URL'); // never echo the URL: its query may hold a secret
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw fail('url must use http: or https:');
  }
}

function checkStringMap(value, name, { tokenKeys = false } = {}) {
  if (!isPlainObject(value)) throw fail(`${name} must be a plain object of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (tokenKeys && !TOKEN.test(key)) {
      throw fail(`${name} has an invalid header name: ${JSON.stringify(key)}`);
    }
    if (typeof item !== 'string') throw fail(`${name}.${key} must be a string`);
    if (tokenKeys && /[\r\n\0]/.test(item)) throw fail(`${name}.${key} must not contain CR, LF or NUL`);
  }
}

function checkPositiveInteger(value, name) {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value <= 0) throw fail(`${name} must be a positive integer`);
}

/** toNativeOptions: validates `options` and returns the object the addon's httpRequest takes. */
function toNativeOptions(options) {
  if (!isPlainObject(options)) throw fail('options must be an object');
  const { method = 'GET', url, headers, form, json, body } = options;
  const { connectTimeoutMs, timeoutMs, maxBytes, caFile } = options;
  const followRedirects = options.followRedirects ?? false;
  checkUrl(url);
  if (typeof method !== 'string' || !TOKEN.test(method)) {
    throw fail('method must be an HTTP method such as GET or POST');
  }
  const out = { method, url };
  if (headers !== undefined) {
    checkStringMap(headers, 'headers', { tokenKeys: true });
    out.headers = headers;
  }
  const given = ['form', 'json', 'body'].filter((k) => options[k] !== undefined);
  if (given.length > 1) throw fail(`only one of form, json and body may be given (got ${given.join(', ')})`);
  if (form !== undefined) {
    checkStringMap(form, 'form');
    out.form = form;
  } else if (json !== undefined) {
    if (typeof json === 'string') out.json = json;
    else if (isPlainObject(json) || Array.isArray(json)) out.json = JSON.stringify(json);
    else throw fail('json must be a string of JSON text, a plain object or an array');
  } else if (body !== undefined) {
    if (typeof body === 'string' || Buffer.isBuffer(body)) out.body = body;
    else if (body instanceof Uint8Array) out.body = Buffer.from(body.buffer, body.byteOffset, body.length);
    else throw fail('body must be a string, a Buffer or a Uint8Array');
  }
  if (method === 'HEAD' && given.length > 0) throw fail('a HEAD request cannot have a body');
  checkPositiveInteger(connectTimeoutMs, 'connectTimeoutMs');
  checkPositiveInteger(timeoutMs, 'timeoutMs');
  checkPositiveInteger(maxBytes, 'maxBytes');
  Object.assign(out, { connectTimeoutMs, timeoutMs, maxBytes });
  if (caFile !== undefined) {
    if (typeof caFile !== 'string' || caFile === '') throw fail('caFile must be a non-empty path string');
    out.caFile = caFile;
  }
  if (typeof followRedirects === 'boolean') {
    out.followRedirects = followRedirects;
  } else if (Number.isInteger(followRedirects) && followRedirects >= 0 && followRedirects <= MAX_REDIRECTS) {
    out.followRedirects = followRedirects;
  } else {
    throw fail(`followRedirects must be a boolean or an integer from 0 to ${MAX_REDIRECTS}`);
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/**
 * request: sends one HTTP request and resolves `{ status, headers, body }` for any status (a 4xx is
 * a response, not an error). `headers` has lowercased names; repeats are joined with ", " except
 * `set-cookie`, an array. `body` is the response decoded as UTF-8.
 *
 * Options: `url` (http/https, required); `method` ('GET'); `headers` (object of strings); at most
 * one body: `form` (object of strings, sent as application/x-www-form-urlencoded, RFC 6749 §4.1.3),
 * `json` (JSON text, or an object/array to stringify) or `body` (string/Buffer/Uint8Array, default
 * type application/octet-stream); `connectTimeoutMs` (10000); `timeoutMs` (30000, whole request);
 * `maxBytes` (1048576, body cap); `followRedirects` (false; true = 5; or a count up to 20; never
 * https -> http); `caFile` (tests: a PEM trust-anchor file; TLS verification cannot be turned off).
 *
 * Rejects with a KeryxError: invalid_argument, timeout, tls_error, network_error,
 * response_too_large. Messages name at most scheme://host:port/path of the URL.
 */
async function request(options) {
  const nativeOptions = toNativeOptions(options);
  return awaitNative(load().httpRequest(nativeOptions));
}

/**
 * json: `request(options)` plus `data`, the body parsed with JSON.parse; resolves
 * `{ status, headers, body, data }` for any status (OAuth errors arrive as 4xx JSON, RFC 6749 §5.2).
 * Sends `Accept: application/json` unless `headers` has an Accept. Rejects with json_invalid when
 * the body is not JSON; the message gives the status and size, never the body.
 */
async function json(options) {
  let withAccept = options;
  if (isPlainObject(options) && (options.headers === undefined || isPlainObject(options.headers))) {
    const headers = options.headers || {};
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept')) {
      withAccept = { ...options, headers: { ...headers, Accept: 'application/json' } };
    }
  }
  const response = await request(withAccept);
  let data;
  try {
    data = JSON.parse(response.body);
  } catch {
    // JSON.parse's own message quotes the text, which may be a token: keep it out of the error.
    throw new KeryxError(
      codes.JSON_INVALID,
      `response body is not valid JSON (HTTP ${response.status}, ${Buffer.byteLength(response.body)} bytes)`,
      { details: { status: response.status } },
    );
  }
  return { ...response, data };
}

module.exports = { request, json };
