'use strict';
// output.js: everything the CLI writes goes through here, so --json, NO_COLOR and non-TTY rules
// hold everywhere. Human text goes to stdout (results) or stderr (progress and errors); --json
// prints exactly one JSON document on stdout.

function colorEnabled(stream) {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const STYLES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] };

/** style: wraps `text` in ANSI codes when `stream` may show colour. */
function style(stream, name, text) {
  if (!colorEnabled(stream)) return text;
  const [on, off] = STYLES[name];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/**
 * sanitize: removes control characters (including ESC, so no terminal escape sequence) from text
 * that came from outside (a provider's error description, a pasted line) before it is printed.
 */
function sanitize(text) {
  return String(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
}

class Output {
  constructor({ json = false, stdout = process.stdout, stderr = process.stderr } = {}) {
    this.json = json;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** info: a progress line on stderr (suppressed in --json mode). */
  info(text) {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** line: a result line on stdout (suppressed in --json mode). */
  line(text) {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** result: the --json document (only in --json mode). */
  result(value) {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** error: reports a KeryxError (or any error) without a stack, on stderr or as JSON. */
  error(err) {
    const code = err.code || 'internal';
    if (this.json) {
      this.stdout.write(`${JSON.stringify({ ok: false, error: { code, message: sanitize(err.message) } }, null, 2)}\n`);
      return;
    }
    this.stderr.write(`${style(this.stderr, 'red', 'error')} [${code}] ${sanitize(err.message)}\n`);
  }

  style(name, text, stream = this.stdout) {
    return style(stream, name, text);
  }
}

module.exports = { Output, sanitize, colorEnabled };
