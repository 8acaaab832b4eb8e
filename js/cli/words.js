'use strict';
// words.js: splits a command line such as `--alert-cmd 'notify-send "keryx alert"'` into argv
// words, the way a POSIX shell splits words, without running a shell: no expansion of variables,
// globs, `~`, command substitution, pipes or redirections ever happens. What it understands:
//   - words are separated by unquoted spaces, tabs and newlines;
//   - 'single quotes' keep everything inside literally (no escapes);
//   - "double quotes" keep everything literally except \" \\ \$ \` and backslash-newline;
//   - outside quotes a backslash keeps the next character literally (backslash-newline: nothing);
//   - quotes may join parts of one word: a'b'"c" is abc; '' is an empty word.
// An unclosed quote or a trailing backslash is an error (the caller reports a usage error).

const SPACE = new Set([' ', '\t', '\n', '\r']);
const DOUBLE_ESCAPES = new Set(['"', '\\', '$', '`', '\n']);

/** splitWords: `text` as an array of words; throws Error on an unclosed quote or a trailing backslash. */
function splitWords(text) {
  const s = String(text);
  const words = [];
  let word = '';
  let inWord = false; // a word was started (so '' counts as an empty word)
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (SPACE.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('unclosed single quote');
      word += s.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let closed = false;
      for (i += 1; i < s.length; i++) {
        const d = s[i];
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && i + 1 < s.length && DOUBLE_ESCAPES.has(s[i + 1])) {
          i += 1;
          if (s[i] !== '\n') word += s[i];
        } else {
          word += d;
        }
      }
      if (!closed) throw new Error('unclosed double quote');
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error('trailing backslash');
      i += 1;
      if (s[i] !== '\n') {
        word += s[i];
        inWord = true;
      }
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

module.exports = { splitWords };
