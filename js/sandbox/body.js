'use strict';
// body.js: reading request bodies (capped) and parsing the three formats the sandbox accepts:
// application/x-www-form-urlencoded, multipart/form-data (text fields only) and JSON (control API).
// Nothing here throws on malformed input except the two typed errors below.

const MAX_BODY_BYTES = 64 * 1024;
// Past the cap the rest of the body is read and dropped so the client still gets its 413; a
// client that keeps sending beyond this much is cut off.
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

class BodyTooLarge extends Error {}
class ClientGone extends Error {}

/** readBody: the whole body as a Buffer; rejects with BodyTooLarge past `limit` bytes. */
function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let received = 0;
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      fn(value);
    };
    req.on('data', (chunk) => {
      received += chunk.length;
      if (received > MAX_DRAIN_BYTES) {
        req.destroy();
        settle(reject, new ClientGone('request body far beyond the cap'));
      } else if (received <= limit) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (received > limit) settle(reject, new BodyTooLarge(`request body over ${limit} bytes`));
      else settle(resolve, Buffer.concat(chunks));
    });
    req.on('aborted', () => settle(reject, new ClientGone('client went away')));
    req.on('error', () => settle(reject, new ClientGone('request stream failed')));
    req.on('close', () => settle(reject, new ClientGone('request closed early')));
  });
}

/**
 * Fields: the parameters of a form or a query string. `get` returns the first value; `repeated`
 * lists names that came more than once (RFC 6749 §3.1 forbids repeating a parameter).
 */
class Fields {
  constructor(pairs = []) {
    this.values = new Map();
    for (const [name, value] of pairs) {
      if (!this.values.has(name)) this.values.set(name, []);
      this.values.get(name).push(value);
    }
  }

  static fromSearchParams(params) {
    return new Fields([...params.entries()]);
  }

  get(name) {
    const list = this.values.get(name);
    return list ? list[0] : undefined;
  }

  has(name) {
    return this.values.has(name);
  }

  repeated() {
    return [...this.values].filter(([, list]) => list.length > 1).map(([name]) => name);
  }
}

function mediaType(contentType) {
  return String(contentType || '').split(';')[0].trim().toLowerCase();
}

function boundaryOf(contentType) {
  const found = /;\s*boundary=(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(String(contentType || ''));
  return found ? found[1] || found[2] : null;
}

/** parseMultipart: the text fields of a multipart/form-data body; file parts are skipped. */
function parseMultipart(buffer, boundary) {
  const text = buffer.toString('latin1');
  const pairs = [];
  for (const part of text.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers);
    if (!disposition || /filename\*?=/i.test(disposition[1])) continue;
    const name = /\bname="([^"]*)"/i.exec(disposition[1]);
    if (!name) continue;
    let content = part.slice(headerEnd + 4);
    if (content.endsWith('\r\n')) content = content.slice(0, -2);
    pairs.push([Buffer.from(name[1], 'latin1').toString('utf8'), Buffer.from(content, 'latin1').toString('utf8')]);
  }
  return pairs;
}

/**
 * parseForm: Fields from a urlencoded or multipart body. A body with another (or no) content
 * type is read as urlencoded when it has no content type at all, otherwise gives no fields.
 */
function parseForm(buffer, contentType) {
  const type = mediaType(contentType);
  if (type === 'multipart/form-data') {
    const boundary = boundaryOf(contentType);
    return new Fields(boundary ? parseMultipart(buffer, boundary) : []);
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    return Fields.fromSearchParams(new URLSearchParams(buffer.toString('utf8')));
  }
  return new Fields();
}

/** parseJson: the parsed body, or undefined when it is not JSON. */
function parseJson(buffer) {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
}

module.exports = { readBody, parseForm, parseJson, Fields, BodyTooLarge, ClientGone, MAX_BODY_BYTES };
