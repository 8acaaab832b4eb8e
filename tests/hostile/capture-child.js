'use strict';
// capture-child.js: a capture server in a process of its own, so the hostile suites can measure
// its memory and file descriptors from outside (/proc/<pid>/status, /proc/<pid>/fd) while they
// attack it. Started by capture-barrage.test.js as
//   node tests/hostile/capture-child.js '<JSON options for keryx.capture.start>'
// It prints one JSON line when it listens, `{ "event": "ready", pid, port, redirectUri, state,
// tls, boundAddresses }`, and one when the flow ends, `{ "event": "result", code, source }` or
// `{ "event": "error", code, message }`. The code is the test's own fake code, so printing it is
// how the test checks which request won. The process then stays up (so it can still be measured
// once the server has released its port) until its stdin ends or a line "exit" arrives.
const keryx = require('../../js');

const say = (doc) => process.stdout.write(`${JSON.stringify(doc)}\n`);

async function main() {
  const options = JSON.parse(process.argv[2] || '{}');
  const cap = await keryx.capture.start({ timeoutMs: 10 * 60 * 1000, ...options });
  say({
    event: 'ready',
    pid: process.pid,
    port: cap.port,
    redirectUri: cap.redirectUri,
    state: cap.state,
    tls: cap.tls,
    boundAddresses: cap.boundAddresses,
  });
  cap.result.then(
    (r) => say({ event: 'result', code: r.code, source: r.source }),
    (err) => say({ event: 'error', code: err.code, message: err.message }),
  );
  const finish = async () => {
    await cap.close();
    process.exit(0);
  };
  let buffered = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    buffered += d;
    if (/(^|\n)exit\n/.test(buffered)) finish();
  });
  process.stdin.on('end', finish);
}

main().catch((err) => {
  say({ event: 'error', code: err.code || 'internal', message: err.message });
  process.exit(1);
});
