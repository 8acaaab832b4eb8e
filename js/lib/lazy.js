'use strict';
// lazy.js: lazy(id) returns a function that requires `id` on first call. The CLI registers every
// command at start-up; their dependencies (https, the capture server, ...) load only when a
// command actually runs, which keeps `keryx status` close to a bare Node start.

/** lazy: `() => require(id)`, cached; `id` resolves against the caller's `req` (pass `require`). */
function lazy(req, id) {
  let mod;
  return () => (mod ??= req(id));
}

module.exports = { lazy };
