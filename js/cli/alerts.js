'use strict';
// alerts.js: where `keryx auth refresh --alert-cmd / --webhook` send lifecycle alerts. An alert is
// one event payload from js/lib/events.js (plain data, never a token), as JSON.
//   --alert-cmd <cmd>  `cmd` split into words (./words.js, no shell) and run once per alert with
//                      the event JSON on stdin and KERYX_EVENT, KERYX_PLATFORM, KERYX_ACCOUNT in
//                      its environment; its output goes to keryx's stderr. Killed after 10 s.
//   --webhook <url>    the event JSON POSTed (Content-Type: application/json), 10 s timeout,
//                      retried once after a second.
// A failing or hanging receiver is reported through `report(text)` and never throws: alerts must
// not change what the upkeep itself reports or its exit status. Reports name the webhook's origin
// only (a webhook path often is a secret, e.g. Slack's).
const { spawn } = require('node:child_process');
const { splitWords } = require('./words');

// ALERT_EVENTS: the events that are alerts (token.refreshed is news, not an alert).
const ALERT_EVENTS = Object.freeze(['token.expiring', 'token.revoked', 'token.refresh_failed', 'rotation_lost', 'token.persist_failed']);
const TIMEOUT_MS = 10000;
const RETRY_DELAY_MS = 1000;
const KILL_GRACE_MS = 1000;

/** parseAlertCommand: the argv of `--alert-cmd`; throws Error with a short reason when it cannot be split. */
function parseAlertCommand(text) {
  const argv = splitWords(text);
  if (!argv.length || argv[0] === '') throw new Error('it names no command');
  return argv;
}

/** parseWebhook: the URL of `--webhook` (http or https); throws Error otherwise. */
function parseWebhook(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new Error('it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('it must be an http:// or https:// URL');
  return url;
}

/** runAlertCommand: runs `argv` with `event` as JSON on stdin; resolves `{ ok, problem? }`. */
function runAlertCommand(argv, event, { timeoutMs = TIMEOUT_MS, env = process.env } = {}) {
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve(result);
    };
    let killTimer = null;
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), {
        stdio: ['pipe', 2, 2],
        env: { ...env, KERYX_EVENT: event.event, KERYX_PLATFORM: event.platform || '', KERYX_ACCOUNT: event.account || '' },
        shell: false,
        windowsHide: true,
      });
    } catch (err) {
      resolve({ ok: false, problem: `could not start: ${err.code || err.message}` });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    child.on('error', (err) => finish({ ok: false, problem: err.code === 'ENOENT' ? `command not found: ${argv[0]}` : `could not start: ${err.code || err.message}` }));
    child.on('close', (code, signal) => {
      if (timedOut) finish({ ok: false, problem: `timed out after ${Math.round(timeoutMs / 1000)} s and was stopped` });
      else if (signal) finish({ ok: false, problem: `was killed by ${signal}` });
      else if (code !== 0) finish({ ok: false, problem: `exited with status ${code}` });
      else finish({ ok: true });
    });
    child.stdin.on('error', () => {}); // a command that does not read its stdin is fine
    child.stdin.end(`${JSON.stringify(event)}\n`);
  });
}

/** postWebhook: POSTs `event` as JSON to `url`, retried once; resolves `{ ok, attempts, problem? }`. */
async function postWebhook(url, event, { timeoutMs = TIMEOUT_MS, retryDelayMs = RETRY_DELAY_MS } = {}) {
  const body = JSON.stringify(event);
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, retryDelayMs));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': `keryx/${require('../../package.json').version}` },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true, attempts: attempt };
      problem = `answered HTTP ${res.status}`;
    } catch (err) {
      const name = err && (err.name === 'TimeoutError' || err.name === 'AbortError') ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (err.cause && err.cause.code) || err.code || 'network error';
      problem = name;
    }
  }
  return { ok: false, attempts: 2, problem };
}

/**
 * alerter: `{ deliver(event), settle() }` for the options given: deliver() starts sending an alert
 * event to every receiver (other events are ignored); settle() resolves once everything started
 * has finished. `report(text)` gets one line per failed delivery.
 */
function alerter({ alertCmd, webhook, report, timeoutMs = TIMEOUT_MS, retryDelayMs = RETRY_DELAY_MS }) {
  const pending = new Set();
  const track = (p) => {
    pending.add(p);
    p.finally(() => pending.delete(p));
  };
  const what = (event) => `${event.event} ${event.platform || ''}${event.account ? ` ${event.account}` : ''}`.trim();
  return {
    deliver(event) {
      if (!ALERT_EVENTS.includes(event.event)) return;
      if (alertCmd) {
        track(runAlertCommand(alertCmd, event, { timeoutMs }).then((r) => {
          if (!r.ok) report(`alert command ${alertCmd[0]} for ${what(event)} ${r.problem}`);
        }));
      }
      if (webhook) {
        track(postWebhook(webhook, event, { timeoutMs, retryDelayMs }).then((r) => {
          if (!r.ok) report(`webhook ${webhook.origin} for ${what(event)} failed: ${r.problem} (after ${r.attempts} attempts)`);
        }));
      }
    },
    async settle() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

module.exports = { alerter, runAlertCommand, postWebhook, parseAlertCommand, parseWebhook, ALERT_EVENTS, TIMEOUT_MS };
