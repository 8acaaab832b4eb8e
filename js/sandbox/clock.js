'use strict';
// clock.js: the sandbox's notion of "now". Every expiry decision reads this clock, never
// Date.now() directly, so tests can jump forward in time. The offset lives in the knobs
// (`clockOffsetSec`) so a separate process can move it through the control API as well.

/** createClock: a clock reading real time plus `knobs.clockOffsetSec` seconds. */
function createClock(knobs) {
  return {
    /** now: milliseconds since the epoch, offset included. */
    now() {
      const offset = Number(knobs.clockOffsetSec) || 0;
      return Date.now() + offset * 1000;
    },
    /** advance: moves the clock `seconds` forward (negative goes back). Returns the new offset. */
    advance(seconds) {
      const step = Number(seconds);
      if (!Number.isFinite(step)) throw new TypeError('clock.advance expects a number of seconds');
      knobs.clockOffsetSec = (Number(knobs.clockOffsetSec) || 0) + step;
      return knobs.clockOffsetSec;
    },
  };
}

module.exports = { createClock };
