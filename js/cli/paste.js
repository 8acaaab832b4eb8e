'use strict';
// paste.js: feeds lines typed or pasted on stdin to a capture's offer(), so a code or redirected
// URL copied from a browser races the loopback callback. The pasted text is never printed back:
// on a terminal, echo is off while keryx waits (the code would otherwise sit in the scrollback and
// in any recording of the session); keryx acknowledges each paste by its length only.
const { sanitize } = require('./output');

const MAX_LINE = 16384; // longer lines are cut here; offer() then refuses them as too long

/** offerLine: offers one line and reports a refusal (never the text). */
function offerLine(capture, line, out) {
  if (line.trim() === '') return;
  const refused = capture.offer(line);
  if (refused && refused.code !== 'already_finished') {
    out.info(`That paste was not accepted [${refused.code}]: ${sanitize(refused.message)}. Still waiting.`);
  }
}

/** rawTerminal: reads lines from a TTY in raw mode without echo; Ctrl-C raises SIGINT. */
function rawTerminal(input, onLine, out) {
  const wasRaw = input.isRaw;
  let chars = [];
  input.setRawMode(true);
  input.resume();
  const onData = (buf) => {
    for (const ch of buf.toString('utf8')) {
      if (ch === '\r' || ch === '\n') {
        const line = chars.join('');
        chars = [];
        if (line.trim() !== '') {
          out.info(`\r\x1b[2KPaste received (${line.length} characters, not shown).`);
          onLine(line);
        }
      } else if (ch === '\u0003') {
        process.kill(process.pid, 'SIGINT');
      } else if (ch === '\u007f' || ch === '\b') {
        chars.pop();
      } else if (ch >= ' ' && chars.length < MAX_LINE) {
        chars.push(ch);
      }
    }
  };
  input.on('data', onData);
  return () => {
    input.removeListener('data', onData);
    if (input.isTTY) input.setRawMode(wasRaw);
    input.pause();
  };
}

/**
 * wirePaste: reads `input` line by line and offers each non-empty line to `capture`. Refusals are
 * reported on `out` with their code (e.g. state_mismatch) and the flow keeps waiting. Returns
 * `stop()`, which detaches from the stream (call it once the capture has its result).
 */
function wirePaste(capture, { input = process.stdin, out }) {
  let stopped = false;
  if (input.isTTY && typeof input.setRawMode === 'function') {
    const detach = rawTerminal(input, (line) => !stopped && offerLine(capture, line, out), out);
    return function stop() {
      if (stopped) return;
      stopped = true;
      detach();
      if (typeof input.unref === 'function') input.unref();
    };
  }
  // Pipes and files: split lines ourselves so a line longer than MAX_LINE is cut as it streams in
  // (readline would hold a whole multi-megabyte line before anyone could cut it).
  // A line ends at LF, CR or CRLF (as readline splits them).
  let line = [];
  let size = 0;
  let afterCr = false;
  const onData = (chunk) => {
    let start = 0;
    for (let i = 0; i <= chunk.length; i++) {
      const end = i < chunk.length && (chunk[i] === 0x0a || chunk[i] === 0x0d);
      if (i < chunk.length && !end) continue;
      const piece = chunk.subarray(start, i);
      if (size < MAX_LINE && piece.length) {
        const keep = Buffer.from(piece.subarray(0, MAX_LINE - size)); // a copy: the chunk itself can go
        line.push(keep);
        size += keep.length;
      }
      if (end) {
        const crlf = afterCr && chunk[i] === 0x0a && piece.length === 0;
        afterCr = chunk[i] === 0x0d;
        if (!crlf) {
          const text = Buffer.concat(line).toString('utf8');
          line = [];
          size = 0;
          if (!stopped) offerLine(capture, text, out);
        }
      } else if (piece.length) {
        afterCr = false;
      }
      start = i + 1;
    }
  };
  input.on('data', onData);
  input.on('error', () => {});
  input.on('end', () => {
    if (size > 0 && !stopped) offerLine(capture, Buffer.concat(line).toString('utf8'), out);
    line = [];
  });
  return function stop() {
    stopped = true;
    input.removeListener('data', onData);
    if (typeof input.unref === 'function') input.unref();
    if (input !== process.stdin || !input.isTTY) input.destroy?.();
  };
}

module.exports = { wirePaste };
