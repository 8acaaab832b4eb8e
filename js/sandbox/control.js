'use strict';
// control.js: the HTTP control API under /sandbox, so a separate process (a CLI under test, a
// browser test) can steer the sandbox it did not start:
//   GET  /sandbox/health        {ok:true}
//   GET  /sandbox/knobs         the current knobs
//   POST /sandbox/knobs         JSON object merged into the knobs (null resets one); -> knobs
//   POST /sandbox/knobs/reset   back to the knobs the sandbox started with; -> knobs
//   GET  /sandbox/clock         {now, clockOffsetSec}
//   POST /sandbox/clock         {advance: seconds} -> {now, clockOffsetSec}
//   GET  /sandbox/apps          client ids and redirect rules (never the secrets)
//   GET  /sandbox/requests      the request log (platform, endpoint, method, status, at, error?),
//                               newest last, capped; header x-sandbox-requests-total
//   GET  /sandbox/requests/summary  {total, kept, limit, errors: {'<platform>.<endpoint>': {<error>: n}}}
//   POST /sandbox/seed          {platform, count?, scopes?, userIds?} -> {accounts: [...]} (seed.js)
//   POST /sandbox/revoke        {platform, userId?}: the user removes the app -> {revokedGrants}
//   GET  /sandbox/refresh-state ?platform=&userId= -> {userId, currentRefreshSha256, rotations, refreshes}
// Seed answers carry tokens (that is their point); no other control answer does, and the
// refresh state gives only a hash.
const { SANDBOX_APPS } = require('./apps');
const { applyKnobs, KnobError } = require('./knobs');
const { describeRedirects } = require('./redirects');
const { SandboxUsageError } = require('./usage_error');

function createControl({ knobs, clock, log, resetKnobs, seeder, revocation, refreshState }) {
  function clockState() {
    return { now: clock.now(), clockOffsetSec: knobs.clockOffsetSec };
  }

  async function readObject(ctx) {
    const value = await ctx.readJson();
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.json(400, { error: 'invalid_json', error_description: 'The body must be a JSON object.' });
      return null;
    }
    return value;
  }

  async function setKnobs(ctx) {
    const partial = await readObject(ctx);
    if (!partial) return;
    try {
      applyKnobs(knobs, partial);
    } catch (err) {
      if (!(err instanceof KnobError)) throw err;
      ctx.json(400, { error: 'invalid_knob', error_description: err.message });
      return;
    }
    ctx.json(200, knobs);
  }

  async function moveClock(ctx) {
    const body = await readObject(ctx);
    if (!body) return;
    if (typeof body.advance !== 'number' || !Number.isFinite(body.advance)) {
      ctx.json(400, { error: 'invalid_request', error_description: 'Send {"advance": <seconds>}.' });
      return;
    }
    clock.advance(body.advance);
    ctx.json(200, clockState());
  }

  /** usage: runs `action`; a SandboxUsageError becomes a 400 or 404 answer. */
  function usage(ctx, action) {
    let result;
    try {
      result = action();
    } catch (err) {
      if (!(err instanceof SandboxUsageError)) throw err;
      ctx.json(err.status, { error: err.status === 404 ? 'unknown_user' : 'invalid_request', error_description: err.message });
      return;
    }
    ctx.json(200, result);
  }

  async function seed(ctx) {
    const body = await readObject(ctx);
    if (!body) return;
    const { platform, ...options } = body;
    usage(ctx, () => seeder.seed(platform, options));
  }

  async function revokeUser(ctx) {
    const body = await readObject(ctx);
    if (!body) return;
    const { platform, userId, ...rest } = body;
    if (Object.keys(rest).length > 0) {
      ctx.json(400, { error: 'invalid_request', error_description: 'Send {"platform": ..., "userId"?: ...}.' });
      return;
    }
    usage(ctx, () => revocation.revokeUser(platform, userId));
  }

  function currentRefreshState(ctx) {
    usage(ctx, () => refreshState.refreshState(ctx.query.get('platform'), ctx.query.get('userId')));
  }

  function apps(ctx) {
    const listing = {};
    for (const [platform, app] of Object.entries(SANDBOX_APPS)) {
      listing[platform] = { [app.idParam]: app.clientId, redirect: describeRedirects(app, knobs) };
    }
    ctx.json(200, listing);
  }

  const routes = {
    'GET /sandbox/health': ['health', (ctx) => ctx.json(200, { ok: true })],
    'GET /sandbox/knobs': ['knobs', (ctx) => ctx.json(200, knobs)],
    'POST /sandbox/knobs': ['knobs', setKnobs],
    'POST /sandbox/knobs/reset': ['knobs', (ctx) => ctx.json(200, resetKnobs())],
    'GET /sandbox/clock': ['clock', (ctx) => ctx.json(200, clockState())],
    'POST /sandbox/clock': ['clock', moveClock],
    'GET /sandbox/apps': ['apps', apps],
    'GET /sandbox/requests': ['requests', (ctx) => ctx.json(200, log.entries, { 'x-sandbox-requests-total': String(log.total) })],
    'GET /sandbox/requests/summary': ['requests', (ctx) => ctx.json(200, log.summary())],
    'POST /sandbox/seed': ['seed', seed],
    'POST /sandbox/revoke': ['revoke-user', revokeUser],
    'GET /sandbox/refresh-state': ['refresh-state', currentRefreshState],
  };

  /** handle: serves `ctx` if it is a control request; returns false when the path is not one. */
  async function handle(ctx) {
    const wanted = `${ctx.method} ${ctx.path}`;
    const route = Object.prototype.hasOwnProperty.call(routes, wanted) ? routes[wanted] : null;
    if (!route) {
      const known = Object.keys(routes).some((entry) => entry.endsWith(` ${ctx.path}`));
      if (!known) return false;
      ctx.json(405, { error: 'method_not_allowed', error_description: `${ctx.method} is not allowed on ${ctx.path}.` });
      return true;
    }
    ctx.endpoint = route[0];
    await route[1](ctx);
    return true;
  }

  return { name: 'sandbox', handle };
}

module.exports = { createControl };
