'use strict';
// examples/capture.js: receive an authorization code on an https loopback callback (as Meta
// requires), racing a code pasted on stdin, with PKCE. Runs on its own: it plays the platform by
// following the redirect itself unless you pass --wait (then open the printed URL or paste a code).
//   node examples/capture.js          # completes by itself
//   node examples/capture.js --wait   # waits for your browser or your paste
const https = require('node:https');
const readline = require('node:readline');
const keryx = require('..');

async function main() {
  const { challenge, challengeMethod } = keryx.pkce.create({ method: 'S256' });
  const cap = await keryx.capture.start({ mode: 'https-range', timeoutMs: 120000, appName: 'example' });
  console.log(`Callback: ${cap.redirectUri} (PKCE ${challengeMethod}, challenge ${challenge.slice(0, 8)}...)`);

  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const refused = cap.offer(line);
    if (refused) console.log(`not accepted: ${refused.code}`);
  });

  if (!process.argv.includes('--wait')) {
    // Stand-in for the platform: redirect to the callback with a code and the flow's state,
    // trusting exactly this run's certificate.
    https.get(`${cap.redirectUri}?code=example-code&state=${cap.state}`, { ca: cap.certPem }, (res) => res.resume());
  } else {
    console.log('Open the callback URL with ?code=anything&state=... or paste a code here.');
  }

  try {
    const { code, source } = await cap.result;
    console.log(`Got a ${code.length}-character code from the ${source}; exchange it with the verifier next.`);
  } catch (err) {
    console.error(`capture failed [${err.code}]: ${err.message}`);
    process.exitCode = 1;
  } finally {
    rl.close();
    process.stdin.unref?.();
  }
}

main();
