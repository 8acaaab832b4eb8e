'use strict';
// passphrase.js: asks for the vault passphrase on the terminal, without echo, when the vault was
// sealed with a passphrase and KERYX_VAULT_PASSPHRASE is not set. Never prompts without a TTY (a
// script gets vault_key_missing, whose message names the variable to set).
const { KeryxError, codes } = require('../lib/errors');

/** readHidden: one line from a TTY `input` in raw mode, echoing nothing; Ctrl-C cancels. */
function readHidden({ input = process.stdin, output = process.stderr, prompt }) {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    const chars = [];
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    const done = (err, value) => {
      input.removeListener('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null, chars.join(''));
        if (ch === '\u0003') return done(new KeryxError(codes.CANCELLED, 'the passphrase prompt was cancelled'));
        if (ch === '\u0004' && chars.length === 0) return done(null, '');
        if (ch === '\u007f' || ch === '\b') chars.pop();
        else if (ch >= ' ') chars.push(ch);
      }
      return undefined;
    };
    input.on('data', onData);
  });
}

/**
 * vaultOptions: extra keryx.store options for this run: `{ passphrase }` after a prompt when the
 * vault needs one and none is set, otherwise `{}`.
 */
async function vaultOptions(store, { input = process.stdin, output = process.stderr } = {}) {
  if (process.env.KERYX_VAULT_PASSPHRASE || !input.isTTY) return {};
  const info = await store.info();
  if (!info.vaultExists || info.keyProvider !== 'passphrase' || !info.problem || info.problem.code !== 'vault_key_missing') return {};
  const passphrase = await readHidden({ input, output, prompt: 'Vault passphrase: ' });
  return passphrase ? { passphrase } : {};
}

module.exports = { vaultOptions, readHidden };
