'use strict';
// browser.js: opens a URL in the user's browser without a shell, and never fails the flow: the
// caller always prints the URL as well. $BROWSER (a ':'-separated list of commands, '%s' replaced
// by the URL) wins; then `open` (macOS), `rundll32 url.dll,FileProtocolHandler` (Windows, no
// `cmd /c start`, which cuts URLs at '&'), and `xdg-open` / `wslview` (Linux and WSL).
const { spawn } = require('node:child_process');

/** commandsFor: the [file, args] candidates tried, in order, for `url` on `platform`. */
function commandsFor(url, { platform = process.platform, env = process.env } = {}) {
  const list = [];
  if (env.BROWSER) {
    for (const entry of env.BROWSER.split(':').filter(Boolean)) {
      const words = entry.trim().split(/\s+/);
      const hasSlot = words.some((w) => w.includes('%s'));
      const args = words.slice(1).map((w) => w.replace(/%s/g, url));
      list.push([words[0], hasSlot ? args : [...args, url]]);
    }
  }
  if (platform === 'darwin') list.push(['open', [url]]);
  else if (platform === 'win32') list.push(['rundll32', ['url.dll,FileProtocolHandler', url]]);
  else list.push(['xdg-open', [url]], ['wslview', [url]]);
  return list;
}

function trySpawn(file, args, env) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { stdio: 'ignore', detached: true, shell: false, env });
    } catch (err) {
      resolve({ ok: false, reason: err.code || err.message });
      return;
    }
    child.once('error', (err) => resolve({ ok: false, reason: err.code || err.message }));
    child.once('spawn', () => {
      child.unref();
      resolve({ ok: true });
    });
  });
}

/**
 * open: tries each command from commandsFor(url) until one starts. Resolves to
 * `{ opened: true, via }` or `{ opened: false, tried: [{ command, reason }] }`; never rejects.
 */
async function open(url, options = {}) {
  const tried = [];
  for (const [file, args] of commandsFor(url, options)) {
    const result = await trySpawn(file, args, options.env || process.env);
    if (result.ok) return { opened: true, via: file };
    tried.push({ command: file, reason: result.reason });
  }
  return { opened: false, tried };
}

module.exports = { open, commandsFor };
