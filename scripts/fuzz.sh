#!/usr/bin/env bash
# fuzz.sh (npm run fuzz -- <target|all> <seconds>): builds the libFuzzer targets (tests/fuzz) in
# build-fuzz with clang, ASan and UBSan, replays tests/fuzz/regressions/<target>/*, then fuzzes
# each target for <seconds> on a scratch copy of its seed corpus and prints the figures.
#   bash scripts/fuzz.sh all 30                 # every target, 30 s each (what CI runs)
#   nice -n 10 bash scripts/fuzz.sh json_fuzz 600
#   bash scripts/fuzz.sh list                   # the target names
# New inputs go to build-fuzz/corpus/<target> (emptied and re-seeded each run unless
# KERYX_FUZZ_KEEP_CORPUS=1); tests/fuzz/corpus is only read. Crashes, leaks and timeouts land in
# build-fuzz/artifacts/<target>/ and make the script exit 1 (after the other targets have run).
# Logs: build-fuzz/logs/<target>.log; one line per run is appended to build-fuzz/fuzz-summary.tsv.
# Environment: KERYX_FUZZ_TIMEOUT (seconds per input before it counts as a hang, default 10),
# KERYX_FUZZ_RSS_MB (default 2048), KERYX_FUZZ_BUILD_JOBS (default 2), KERYX_FUZZ_ARGS (more
# libFuzzer flags).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=build-fuzz
usage() {
  echo "usage: bash scripts/fuzz.sh <target|all|list> <seconds>" >&2
  exit 2
}

targets_all=()
for src in tests/fuzz/*_fuzz.cc; do
  name=$(basename "$src" .cc)
  targets_all+=("$name")
done

what=${1:-}
[ -n "$what" ] || usage
if [ "$what" = list ]; then
  printf '%s\n' "${targets_all[@]}"
  exit 0
fi
seconds=${2:-}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
if [ "$what" = all ]; then
  targets=("${targets_all[@]}")
else
  [ -f "tests/fuzz/$what.cc" ] || { echo "fuzz: no target $what (bash scripts/fuzz.sh list)" >&2; exit 2; }
  targets=("$what")
fi

if ! command -v clang >/dev/null 2>&1 || ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang is missing. On Debian 12: sudo apt-get install -y clang libclang-rt-14-dev" >&2
  exit 1
fi

# Configure and build under a lock: two runs in parallel must not drive ninja in one tree at once.
mkdir -p "$BUILD"
exec 9>"$BUILD/.fuzz-build.lock"
flock 9
echo "fuzz: building ${targets[*]} in $BUILD" >&2
if ! CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DKERYX_FUZZ=ON -DKERYX_BUILD_ADDON=OFF \
       -DKERYX_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1; then
  cat "$BUILD/configure.log" >&2
  echo "fuzz: configure failed" >&2
  exit 1
fi
if ! cmake --build "$BUILD" -j "${KERYX_FUZZ_BUILD_JOBS:-2}" --target "${targets[@]}" >"$BUILD/build.log" 2>&1; then
  tail -n 60 "$BUILD/build.log" >&2
  echo "fuzz: build failed (full log: $BUILD/build.log)" >&2
  exit 1
fi
flock -u 9
exec 9>&-

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
mkdir -p "$BUILD/logs" "$BUILD/corpus" "$BUILD/artifacts"

# stat <log> <pattern>: the value after the last line matching `pattern` (libFuzzer's stat:: lines).
stat_value() { grep -a "^$2" "$1" | tail -n 1 | awk '{print $2}'; }
# status_field <log> <name>: a field ("cov:", "ft:", "corp:") from libFuzzer's last status line.
status_field() {
  grep -a -E '^#[0-9]+' "$1" | grep -a " $2 " | tail -n 1 | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'
}

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$BUILD/tests/fuzz/$t"
  log="$BUILD/logs/$t.log"
  : >"$log"

  # 1. Regressions: every saved input must run clean.
  regressions=()
  if [ -d "tests/fuzz/regressions/$t" ]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "tests/fuzz/regressions/$t" -maxdepth 1 -type f ! -name '.*' -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$bin" -timeout="${KERYX_FUZZ_TIMEOUT:-10}" -rss_limit_mb="${KERYX_FUZZ_RSS_MB:-2048}" \
         "${regressions[@]}" >"$BUILD/logs/$t.regressions.log" 2>&1; then
      tail -n 40 "$BUILD/logs/$t.regressions.log" >&2
      echo "fuzz: $t: a regression input fails again (log: $BUILD/logs/$t.regressions.log)" >&2
      failed+=("$t (regression)")
      summary+=("$t: regression replay FAILED")
      continue
    fi
    echo "fuzz: $t: ${#regressions[@]} regression input(s) replayed clean" >&2
  fi

  # 2. Fuzz on a scratch corpus seeded from the repo's.
  scratch="$BUILD/corpus/$t"
  [ "${KERYX_FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$scratch"
  mkdir -p "$scratch" "$BUILD/artifacts/$t"
  seeds=0
  if [ -d "tests/fuzz/corpus/$t" ]; then
    seeds=$(find "tests/fuzz/corpus/$t" -maxdepth 1 -type f | wc -l)
    find "tests/fuzz/corpus/$t" -maxdepth 1 -type f -exec cp -n -t "$scratch" {} +
  fi
  start_files=$(find "$scratch" -maxdepth 1 -type f | wc -l)
  artifacts_before=$(find "$BUILD/artifacts/$t" -type f | wc -l)
  echo "fuzz: $t: ${seconds} s from ${start_files} input(s) (${seeds} seed(s))" >&2
  started=$(date +%s)
  # shellcheck disable=SC2086  # KERYX_FUZZ_ARGS is a list of flags
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout="${KERYX_FUZZ_TIMEOUT:-10}" \
    -rss_limit_mb="${KERYX_FUZZ_RSS_MB:-2048}" -artifact_prefix="$BUILD/artifacts/$t/" \
    ${KERYX_FUZZ_ARGS:-} "$scratch" >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - started ))
  artifacts_after=$(find "$BUILD/artifacts/$t" -type f | wc -l)

  execs=$(stat_value "$log" 'stat::number_of_executed_units:')
  rate=$(stat_value "$log" 'stat::average_exec_per_sec:')
  rss=$(stat_value "$log" 'stat::peak_rss_mb:')
  cov=$(status_field "$log" 'cov:')
  ft=$(status_field "$log" 'ft:')
  corp=$(status_field "$log" 'corp:')
  files=$(find "$scratch" -maxdepth 1 -type f | wc -l)
  result=ok
  if [ "$rc" -ne 0 ] || [ "$artifacts_after" -gt "$artifacts_before" ]; then
    result="FAILED (exit $rc)"
    failed+=("$t")
    grep -a -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|invariant violated|Test unit written to' "$log" | head -n 8 >&2
    echo "fuzz: $t: failure; log $log, inputs in $BUILD/artifacts/$t/" >&2
  fi
  line="$t: ${elapsed} s, ${execs:-?} executions, ${rate:-?} exec/s, corpus ${seeds} seeds -> ${corp%%/*} (${files} files), cov ${cov:-?}, ft ${ft:-?}, peak RSS ${rss:-?} MB: $result"
  echo "fuzz: $line" >&2
  summary+=("$line")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "$elapsed" \
    "${execs:-}" "${rate:-}" "$seeds" "${corp%%/*}" "$files" "${cov:-}" "${ft:-}" "${rss:-}" "$result" \
    >>"$BUILD/fuzz-summary.tsv"
done

echo
echo "fuzz summary ($(nproc) cores, $(clang --version | head -n 1)):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
exit 0
