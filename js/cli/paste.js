'use strict';
// paste.js: feeds lines typed or pasted on stdin to a capture's offer(), so a code or redirected
// URL copied from a browser races the loopback callback. The pasted text is never printed back.
const readline = require('node:readline');
const { sanitize } = require('./output');

/**
 * wirePaste: reads `input` line by line and offers each non-empty line to `capture`. Refusals are
 * reported on `out` with their code (e.g. state_mismatch) and the flow keeps waiting. Returns
 * `stop()`, which detaches from the stream (call it once the capture has its result).
 */
function wirePaste(capture, { input = process.stdin, out }) {
  const rl = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
  let stopped = false;
  rl.on('line', (line) => {
    if (stopped || line.trim() === '') return;
    const refused = capture.offer(line);
    if (refused && refused.code !== 'already_finished') {
      out.info(`That paste was not accepted [${refused.code}]: ${sanitize(refused.message)}. Still waiting.`);
    }
  });
  rl.on('error', () => {});
  return function stop() {
    stopped = true;
    rl.close();
    if (typeof input.unref === 'function') input.unref();
    if (input !== process.stdin || !input.isTTY) input.destroy?.();
  };
}

module.exports = { wirePaste };
