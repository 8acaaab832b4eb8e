'use strict';
// measure.js: what the hostile suites measure from outside a process, and the report they leave.
//
//   procStatus(pid)        VmRSS, VmHWM (peak RSS) and thread count from /proc/<pid>/status, in KiB
//   fdCount(pid)/fdKinds   open file descriptors from /proc/<pid>/fd (kinds: socket, pipe, file...)
//   sampler(pid)           samples RSS and fds every few ms; stop() returns the maxima seen
//   waitForFds(pid, n)     polls until the process holds at most n descriptors (or times out)
//   writeSummary(name, s)  test-artifacts/hostile-<name>.json
//   node tests/hostile/measure.js --report
//                          rewrites the block between <!-- hostile:begin --> and <!-- hostile:end -->
//                          in docs/quality.md from every test-artifacts/hostile-*.json
//
// Preloaded (`node -r tests/hostile/measure.js ...`, or through NODE_OPTIONS) with
// KERYX_HOSTILE_EXIT_FD=<fd> or KERYX_HOSTILE_EXIT_FILE=<path> set, it also writes the process's own
// /proc/self/status figures as one JSON line there when the process exits, so a CLI's true peak RSS
// is known even though it exits between two samples.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const QUALITY = path.join(ROOT, 'docs', 'quality.md');
const BEGIN = '<!-- hostile:begin -->';
const END = '<!-- hostile:end -->';

/** hasProc: whether this system has Linux's /proc (the suites measure through it; elsewhere they skip). */
const hasProc = () => fs.existsSync('/proc/self/status') && fs.existsSync('/proc/self/fd');

/** parseStatus: the figures of a /proc/<pid>/status text (KiB; null when absent). */
function parseStatus(text) {
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM'), threads: field('Threads') };
}

/** procStatus: `{ rssKiB, hwmKiB, threads }` of a live process, or null once it is gone. */
function procStatus(pid) {
  try {
    return parseStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** fdCount: how many descriptors `pid` holds right now (null once it is gone). */
function fdCount(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** fdKinds: the descriptors of `pid` by kind, e.g. `{ socket: 3, pipe: 4, anon_inode: 5, file: 2 }`. */
function fdKinds(pid) {
  const kinds = {};
  let names = [];
  try {
    names = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  for (const name of names) {
    let target = '';
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${name}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    const m = /^([a-z_]+):/.exec(target);
    const kind = m ? m[1] : target.startsWith('/dev/') ? 'dev' : 'file';
    kinds[kind] = (kinds[kind] || 0) + 1;
  }
  return kinds;
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * sampler: samples `pid` every `everyMs` (default 25). stop() returns `{ samples, maxRssKiB,
 * maxFds, hwmKiB, last }` (hwmKiB: the kernel's own peak, read at stop or at the last sample).
 */
function sampler(pid, everyMs = 25) {
  let samples = 0;
  let maxRssKiB = 0;
  let maxFds = 0;
  let last = null;
  const take = () => {
    const st = procStatus(pid);
    const fds = fdCount(pid);
    if (!st || st.rssKiB === null) return; // gone, or a zombie (no Vm* lines left)
    samples++;
    last = { ...st, fds };
    maxRssKiB = Math.max(maxRssKiB, st.rssKiB || 0);
    if (fds !== null) maxFds = Math.max(maxFds, fds);
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return { samples, maxRssKiB, maxFds, hwmKiB: last ? last.hwmKiB : null, last };
    },
    peek: () => ({ samples, maxRssKiB, maxFds, last }),
  };
}

/** waitForFds: polls until `pid` holds at most `target` descriptors; resolves the last count. */
async function waitForFds(pid, target, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let n = fdCount(pid);
  while (n !== null && n > target && Date.now() < deadline) {
    await delay(50);
    n = fdCount(pid);
  }
  return n;
}

/** machine: where the figures were taken. */
function machine() {
  const cpus = os.cpus();
  let nproc = cpus.length;
  try {
    nproc = os.availableParallelism();
  } catch {
    /* older Node */
  }
  return {
    nproc,
    cpu: cpus.length ? cpus[0].model.trim() : 'unknown',
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
  };
}

/** writeSummary: test-artifacts/hostile-<name>.json (machine and date added); returns its path. */
function writeSummary(name, summary) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `hostile-${name}.json`);
  const doc = { suite: name, date: new Date().toISOString(), machine: machine(), ...summary };
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}

/** readSummaries: every test-artifacts/hostile-*.json, sorted by suite name. */
function readSummaries(dir = ARTIFACTS) {
  let names = [];
  try {
    names = fs.readdirSync(dir).filter((n) => /^hostile-.+\.json$/.test(n));
  } catch {
    return [];
  }
  return names
    .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')))
    .sort((a, b) => String(a.order ?? a.suite).localeCompare(String(b.order ?? b.suite)));
}

const mib = (kib) => (kib === null || kib === undefined ? '–' : `${(kib / 1024).toFixed(1)} MiB`);
const cell = (v) => String(v ?? '–').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** renderBlock: the markdown that goes between the hostile markers. */
function renderBlock(summaries) {
  if (summaries.length === 0) return '(not yet recorded)';
  const m = summaries[0].machine || {};
  const dates = summaries.map((s) => s.date).sort();
  const lines = [
    'Reproduce with `node --test --test-concurrency=1 tests/hostile/`, then',
    '`node tests/hostile/measure.js --report` to rewrite this block from `test-artifacts/hostile-*.json`.',
    'Every target runs in a process of its own; memory (VmRSS, peak VmHWM) and open descriptors are read',
    'from `/proc/<pid>/` outside it. "fds" counts every descriptor of the process (listening sockets,',
    'pipes, epoll). Capture server rows: idle is after a warm-up, "after" once the barrage is over and',
    'before the real callback is sent (glibc keeps the worker threads\' arenas, so RSS stays near its',
    'peak; a second round shows it does not keep growing). CLI rows (stdin paste, token errors): idle is',
    'the peak RSS of the same command in a quiet run, peak is the hostile run\'s own VmHWM at exit,',
    '"after" the last sample before exit; fds are counted at exit.',
    '',
    '| suite | tried | idle RSS | peak RSS | RSS after | fds before → peak → after | result |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of summaries.filter((x) => !x.noteOnly)) {
    const fds = s.fds ? `${s.fds.before ?? '–'} → ${s.fds.peak ?? '–'} → ${s.fds.after ?? '–'}` : '–';
    lines.push(
      `| ${cell(s.title || s.suite)} | ${cell(s.tried)} | ${mib(s.rss && s.rss.idleKiB)} | ${mib(s.rss && s.rss.peakKiB)} | ` +
        `${mib(s.rss && s.rss.afterKiB)} | ${cell(fds)} | ${cell(s.result)} |`,
    );
  }
  const notes = summaries.filter((s) => s.notes && s.notes.length);
  if (notes.length) {
    lines.push('');
    for (const s of notes) for (const n of s.notes) lines.push(s.noteOnly ? `- ${n}` : `- ${cell(s.title || s.suite)}: ${n}`);
  }
  const answered = summaries.filter((s) => s.answers);
  for (const s of answered) {
    lines.push('', `<details><summary>${cell(s.title || s.suite)}: how each class was answered</summary>`, '');
    lines.push('| class | tried | answers |', '|---|---|---|');
    for (const [name, c] of Object.entries(s.answers)) {
      const how = Object.entries(c.outcomes)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ');
      lines.push(`| ${cell(name)} | ${c.tried} | ${cell(how)} |`);
    }
    lines.push('', '</details>');
  }
  lines.push(
    '',
    `Machine: ${m.nproc ?? '?'} CPUs (${cell(m.cpu)}), ${m.memGiB ?? '?'} GiB, Linux ${cell(m.kernel)}, Node ${cell(m.node)}; ` +
      `other builds and fuzzers were running. Date: ${dates[0].slice(0, 10)}${dates[0].slice(0, 10) === dates[dates.length - 1].slice(0, 10) ? '' : ` to ${dates[dates.length - 1].slice(0, 10)}`}.`,
  );
  return lines.join('\n');
}

/** rewriteQuality: replaces only the text between the hostile markers of docs/quality.md. */
function rewriteQuality(block, file = QUALITY) {
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file} has no ${BEGIN} ... ${END} block`);
  const next = `${text.slice(0, a + BEGIN.length)}\n${block}\n${text.slice(b)}`;
  fs.writeFileSync(file, next);
  return next;
}

// Preloaded with KERYX_HOSTILE_EXIT_FD or _FILE: report this process's own figures at exit.
if (require.main !== module && (process.env.KERYX_HOSTILE_EXIT_FD || process.env.KERYX_HOSTILE_EXIT_FILE)) {
  const fd = process.env.KERYX_HOSTILE_EXIT_FD ? Number(process.env.KERYX_HOSTILE_EXIT_FD) : null;
  const file = process.env.KERYX_HOSTILE_EXIT_FILE || null;
  process.on('exit', () => {
    try {
      const st = parseStatus(fs.readFileSync('/proc/self/status', 'utf8'));
      const line = `${JSON.stringify({ pid: process.pid, ...st, fds: fdCount('self') })}\n`;
      if (fd !== null) fs.writeSync(fd, line);
      else fs.appendFileSync(file, line);
    } catch {
      /* the descriptor is gone: nothing to report to */
    }
  });
}

module.exports = { hasProc, procStatus, parseStatus, fdCount, fdKinds, sampler, waitForFds, machine, writeSummary, readSummaries, renderBlock, rewriteQuality, delay, ARTIFACTS };

if (require.main === module) {
  if (process.argv.includes('--report')) {
    const summaries = readSummaries();
    rewriteQuality(renderBlock(summaries));
    process.stdout.write(`docs/quality.md: hostile block rewritten from ${summaries.length} summaries\n`);
  } else {
    process.stdout.write('usage: node tests/hostile/measure.js --report\n');
    process.exitCode = 2;
  }
}
