#!/usr/bin/env bash
# coverage.sh (npm run coverage): line coverage of the native core (clang source-based coverage:
# every native test, the keychain tests inside a real Secret Service included) and of the JS
# package (node --experimental-test-coverage over tests/js and tests/e2e). Writes the figures into
# the coverage block of docs/quality.md; the full native report is build-cov/coverage.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-cov
rm -rf "$dir/prof"
mkdir -p "$dir/prof"
flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S . -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKERYX_BUILD_ADDON=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >/dev/null
cmake --build "$dir"
export LLVM_PROFILE_FILE="$PWD/$dir/prof/%p-%m.profraw"
ctest --test-dir "$dir" --output-on-failure >/dev/null
KERYX_REQUIRE_SECRET_SERVICE=1 bash scripts/with-secret-service.sh ctest --test-dir "$dir" --output-on-failure -R '^(Key|Keychain)' >/dev/null
KERYX_REQUIRE_SECRET_SERVICE=1 bash scripts/with-secret-service.sh --wrong-password ctest --test-dir "$dir" --output-on-failure -R '^(Key|Keychain)' >/dev/null
unset LLVM_PROFILE_FILE
llvm-profdata merge -sparse "$dir"/prof/*.profraw -o "$dir/keryx.profdata"
# Only the core's own sources count (native/src); tests and system headers are left out.
llvm-cov report "$dir/keryx_native_tests" -instr-profile="$dir/keryx.profdata" \
  $(ls native/src/*.cc native/src/*.h | grep -v -e keychain_macos -e keychain_windows) > "$dir/coverage.txt"
native_total=$(awk '/^TOTAL/ {print $10}' "$dir/coverage.txt")

# The CLI runs as child processes of the tests; they inherit NODE_V8_COVERAGE, so they count too.
node --test --experimental-test-coverage --test-concurrency=1 tests/js/ tests/e2e/ > "$dir/js-coverage.txt" 2>&1 || true

node - "$dir/coverage.txt" "$native_total" "$dir/js-coverage.txt" <<'NODE'
const fs = require('node:fs');
const os = require('node:os');
const [file, nativeTotal, jsReport] = process.argv.slice(2);
// JS: the package's own files only (js/), weighted by their line counts; test files are left out.
let covered = 0;
let total = 0;
for (const line of fs.readFileSync(jsReport, 'utf8').split('\n')) {
  const m = /^# (js\/\S+\.js)\s*\|\s*([\d.]+)/.exec(line);
  if (!m) continue;
  const lines = fs.readFileSync(m[1], 'utf8').split('\n').length;
  covered += (lines * Number(m[2])) / 100;
  total += lines;
}
const jsLines = total ? ((100 * covered) / total).toFixed(2) : 'n/a';
const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => /^native\/src\//.test(l) || /^[a-z_]+\.(cc|h)\s/.test(l));
const table = rows.map((l) => {
  const c = l.trim().split(/\s+/);
  return `| \`${c[0].replace(/^.*native\/src\//, '')}\` | ${c[9]} |`;
});
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || 'unknown CPU';
const block = `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu} with \`npm run coverage\` (\`scripts/coverage.sh\`).

| part | line coverage |
|---|---|
| native core (\`native/src\`, clang source-based coverage over every native test incl. the Secret Service runs; macOS/Windows keychain files excluded: not built here) | **${nativeTotal}** |
| JS package (\`js/\` only, weighted by file length; \`node --experimental-test-coverage\` over tests/js and tests/e2e, CLI child processes included) | **${jsLines}%** |

Per file (native):

| file | lines |
|---|---|
${table.join('\n')}
`;
const doc = 'docs/quality.md';
const text = fs.readFileSync(doc, 'utf8');
fs.writeFileSync(doc, text.replace(/<!-- coverage:begin -->[\s\S]*<!-- coverage:end -->/, `<!-- coverage:begin -->\n${block}<!-- coverage:end -->`));
console.log(`native line coverage ${nativeTotal}; JS line coverage ${jsLines}%`);
NODE
