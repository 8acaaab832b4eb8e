'use strict';
// server.js: the one plain-http server behind all four platforms. It routes by path prefix
// (/instagram, /google, /tiktok, /linkedin, /sandbox) and makes sure no input can take it down:
// every handler runs inside try/catch, oversized bodies get 413, unknown paths 404, and parser
// errors on the socket a bare 400.
const http = require('node:http');
const { RequestContext } = require('./context');
const { BodyTooLarge, ClientGone } = require('./body');

const BASE = 'http://sandbox.invalid';

function plainReply(res, status, body) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' });
  res.end(JSON.stringify(body));
}

/** routesFor: the routes of `platform` serving `rest` (the path after the prefix), any method. */
function routesFor(platform, rest) {
  return platform.routes.filter((route) => (route.pattern ? route.pattern.test(rest) : route.path === rest));
}

function createSandboxServer({ platforms, control, authorization, knobs, clock, log }) {
  async function dispatch(ctx) {
    const [, prefix] = ctx.path.split('/');
    if (prefix === 'sandbox') {
      ctx.platform = control;
      if (await control.handle(ctx)) return;
    }
    const platform = Object.prototype.hasOwnProperty.call(platforms, prefix) ? platforms[prefix] : null;
    if (platform) {
      ctx.platform = platform;
      const rest = ctx.path.slice(prefix.length + 1);
      if (rest === '/consent') {
        if (ctx.method === 'POST') return authorization.consent(ctx, platform);
        ctx.endpoint = 'consent';
        return ctx.json(405, { error: 'method_not_allowed', error_description: 'The consent form is answered with POST.' }, { allow: 'POST' });
      }
      const candidates = routesFor(platform, rest);
      const route = candidates.find((entry) => entry.method === ctx.method);
      if (route) return route.handle(ctx);
      if (candidates.length > 0) {
        const allow = [...new Set(candidates.map((entry) => entry.method))].join(', ');
        return ctx.json(405, { error: 'method_not_allowed', error_description: `Use ${allow} here.` }, { allow });
      }
    }
    return ctx.json(404, { error: 'not_found', error_description: 'No sandbox endpoint at this path.' });
  }

  async function onRequest(req, res) {
    req.on('error', () => {});
    res.on('error', () => {});
    let url;
    try {
      url = new URL(req.url, BASE);
    } catch {
      plainReply(res, 400, { error: 'invalid_request', error_description: 'Unparseable request target.' });
      return;
    }
    const ctx = new RequestContext(req, res, { clock, log, knobs, url });
    try {
      await dispatch(ctx);
      if (!ctx.answered) ctx.json(500, { error: 'server_error', error_description: 'The sandbox produced no answer.' });
    } catch (err) {
      if (err instanceof ClientGone) {
        res.destroy();
      } else if (err instanceof BodyTooLarge) {
        ctx.json(413, { error: 'payload_too_large', error_description: 'Request bodies are limited to 64 KiB.' });
      } else {
        ctx.json(500, { error: 'server_error', error_description: 'The sandbox hit an internal error.' });
      }
    }
  }

  const server = http.createServer({ requestTimeout: 30000, headersTimeout: 20000 }, (req, res) => {
    onRequest(req, res).catch(() => {
      try {
        res.destroy();
      } catch {
        // nothing left to clean up
      }
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else {
      socket.destroy();
    }
  });
  return server;
}

module.exports = { createSandboxServer };
