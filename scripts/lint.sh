#!/usr/bin/env bash
# lint.sh: the static checks over keryx's C++, all of which must report nothing:
#   1. clang-format  (.clang-format)  --dry-run --Werror over native/src, bindings, tests/native, tests/fuzz
#   2. clang-tidy    (.clang-tidy)    over native/src/*.cc and bindings/*.cc (their headers via HeaderFilterRegex)
#   3. cppcheck                       over native/src (every #ifdef configuration) and bindings (with napi.h)
# Configures its own compile database (build-lint: CMake only, nothing is compiled), prints a summary,
# and exits non-zero when any check has a finding. Needs clang-format, clang-tidy (14) and cppcheck
# (2.10), cmake, ninja, and `npm install` done (the bindings' node-addon-api headers).
#   bash scripts/lint.sh                  # everything
#   KERYX_LINT_JOBS=4 bash scripts/lint.sh
# Fix formatting with: clang-format -i <file>   (the file list is the one printed under "format").
# A finding that is a deliberate design choice is suppressed at its line, with the reason:
#   // NOLINT(check-name): why            (clang-tidy; or NOLINTNEXTLINE on the line above)
#   // cppcheck-suppress id ; why         (cppcheck; on the line above)
set -uo pipefail
cd "$(dirname "$0")/.."

build_dir="${KERYX_LINT_BUILD_DIR:-build-lint}"
jobs="${KERYX_LINT_JOBS:-2}"
out_dir="$build_dir/lint-output"
nice_cmd=(nice -n 10)

declare -A result findings seconds
steps=(format clang-tidy cppcheck)
status=0

need() {
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "lint: $tool is not installed (Debian: apt-get install clang-format clang-tidy cppcheck cmake ninja-build)" >&2
      exit 2
    fi
  done
}
need clang-format clang-tidy cppcheck cmake ninja node

major() { "$1" --version | grep -oE 'version [0-9]+' | head -1 | grep -oE '[0-9]+'; }
if [ "$(major clang-format)" != 14 ] || [ "$(major clang-tidy)" != 14 ]; then
  echo "lint: warning: the configs are tuned for clang-format/clang-tidy 14 (Debian 12); other versions may disagree" >&2
fi

# Source files, in a stable order. tests/fuzz is included when it exists.
mapfile -t format_files < <(
  { ls native/src/*.cc native/src/*.h bindings/*.cc bindings/*.h tests/native/*.cc tests/native/*.h 2>/dev/null
    [ -d tests/fuzz ] && find tests/fuzz -type f \( -name '*.cc' -o -name '*.cpp' -o -name '*.h' \) 2>/dev/null
  } | sort -u)
mapfile -t core_sources < <(ls native/src/*.cc | sort)
mapfile -t binding_sources < <(ls bindings/*.cc | sort)

rm -rf "$out_dir"
mkdir -p "$out_dir"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. clang-format -------------------------------------------------------------------------------
t0=$(now)
echo "lint: format: ${#format_files[@]} files"
clang-format --dry-run --Werror "${format_files[@]}" >"$out_dir/format.txt" 2>&1
rc=$?
n=$(grep ': error:' "$out_dir/format.txt" | cut -d: -f1,2 | sort -u | wc -l)  # lines to reformat
if [ $rc -ne 0 ]; then
  [ "$n" -gt 0 ] || n=1
  result[format]=FAIL
  status=1
  grep ': error:' "$out_dir/format.txt" | cut -d: -f1,2 | sort -u | cut -d: -f1 | uniq -c |
    awk '{ printf "  %s: %d line(s) to reformat (clang-format -i %s)\n", $2, $1, $2 }'
else
  result[format]=ok
fi
findings[format]=$n
seconds[format]=$(elapsed "$t0")

# --- compile database (configure only) -------------------------------------------------------------
t0=$(now)
napi_inc=$(node -p "require('path').resolve(require('node-addon-api').include_dir)" 2>/dev/null)
node_inc=$(node -p "require('path').resolve(require('node-api-headers').include_dir)" 2>/dev/null)
if [ -z "$napi_inc" ] || [ -z "$node_inc" ] || [ ! -f "$napi_inc/napi.h" ] || [ ! -f "$node_inc/node_api.h" ]; then
  echo "lint: node-addon-api / node-api-headers not found: run npm install first" >&2
  exit 2
fi
# The addon targets are created by pretending to be cmake-js: CMAKE_JS_* are all it passes on Linux.
if ! cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DKERYX_BUILD_TESTS=OFF -DKERYX_BUILD_ADDON=ON -DCMAKE_JS_VERSION=lint \
    "-DCMAKE_JS_INC=$node_inc;$napi_inc" -DCMAKE_JS_SRC= -DCMAKE_JS_LIB= >"$out_dir/configure.txt" 2>&1; then
  cat "$out_dir/configure.txt" >&2
  echo "lint: cmake configure failed" >&2
  exit 2
fi
configure_seconds=$(elapsed "$t0")

# --- 2. clang-tidy ---------------------------------------------------------------------------------
t0=$(now)
tidy_files=("${core_sources[@]}" "${binding_sources[@]}")
echo "lint: clang-tidy: ${#tidy_files[@]} translation units (+ their native/src and bindings headers), $jobs jobs"
mkdir -p "$out_dir/tidy"
printf '%s\n' "${tidy_files[@]}" |
  "${nice_cmd[@]}" xargs -P "$jobs" -I{} sh -c \
    'f="$1"; o="$2/$(echo "$f" | tr / _)"; clang-tidy -p "$3" --quiet "$f" >"$o.txt" 2>&1; echo $? >"$o.rc"' \
    _ {} "$out_dir/tidy" "$build_dir"
# A header's finding is reported by every unit that includes it: count each location once.
cat "$out_dir"/tidy/*.txt | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' | sort -u >"$out_dir/tidy.txt"
n=$(wc -l <"$out_dir/tidy.txt")
failed_units=$(grep -Lx 0 "$out_dir"/tidy/*.rc | wc -l)
if [ "$n" -gt 0 ] || [ "$failed_units" -gt 0 ]; then
  result[clang-tidy]=FAIL
  status=1
  [ "$n" -gt 0 ] || n=$failed_units
  # Show each finding with its context, once.
  for f in "$out_dir"/tidy/*.txt; do
    grep -qE ': (warning|error):' "$f" && grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed|^Use -header-filter|^[0-9]+ warnings? treated as errors' "$f"
  done | awk '/^[^ ]+:[0-9]+:[0-9]+: (warning|error):/ { show = !seen[$0]++ } show' | sed 's/^/  /'
else
  result[clang-tidy]=ok
fi
findings[clang-tidy]=$n
seconds[clang-tidy]=$(elapsed "$t0")

# --- 3. cppcheck -----------------------------------------------------------------------------------
t0=$(now)
echo "lint: cppcheck: native/src (all configurations) and bindings (with node-addon-api), $jobs jobs"
mkdir -p "$build_dir/cppcheck-core" "$build_dir/cppcheck-bindings"
# Checks turned off for the whole tree (each with its reason):
#   missingIncludeSystem: system and library headers are not analysed (only keryx's own code is).
#   useStlAlgorithm: style advice that flags every loop which returns a specific error for the first bad
#     element, or fills a container; clang-tidy's readability-use-anyofallof already covers the cases
#     where an algorithm reads better.
common=(--enable=warning,style,performance,portability --inline-suppr --error-exitcode=1 --std=c++17
  --suppress=missingIncludeSystem --suppress=useStlAlgorithm --quiet -j "$jobs"
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]\n{code}')
"${nice_cmd[@]}" cppcheck "${common[@]}" --cppcheck-build-dir="$build_dir/cppcheck-core" \
  -I native/src native/src >"$out_dir/cppcheck-core.txt" 2>&1
rc_core=$?
# Bindings: parsed with the real napi.h and the addon's defines; findings inside node_modules are not ours.
"${nice_cmd[@]}" cppcheck "${common[@]}" --cppcheck-build-dir="$build_dir/cppcheck-bindings" \
  --suppress='*:*node_modules/*' -I native/src -I bindings -I "$napi_inc" -I "$node_inc" \
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_CPP_EXCEPTIONS_ALL -DNODE_ADDON_API_DISABLE_DEPRECATED \
  bindings >"$out_dir/cppcheck-bindings.txt" 2>&1
rc_bindings=$?
cat "$out_dir/cppcheck-core.txt" "$out_dir/cppcheck-bindings.txt" >"$out_dir/cppcheck.txt"
n=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: [a-z]+: ' "$out_dir/cppcheck.txt" || true)
if [ "$n" -gt 0 ] || [ $rc_core -ne 0 ] || [ $rc_bindings -ne 0 ]; then
  result[cppcheck]=FAIL
  status=1
  [ "$n" -gt 0 ] || n=1
  sed 's/^/  /' "$out_dir/cppcheck.txt"
else
  result[cppcheck]=ok
fi
findings[cppcheck]=$n
seconds[cppcheck]=$(elapsed "$t0")

# --- summary ---------------------------------------------------------------------------------------
echo
echo "lint summary ($(clang-format --version | grep -oE 'version [0-9.]+' | head -1 | sed 's/version /clang-format /'),"\
  "$(clang-tidy --version | grep -oE 'version [0-9.]+' | head -1 | sed 's/version /clang-tidy /'),"\
  "$(cppcheck --version | sed 's/Cppcheck /cppcheck /'); configure ${configure_seconds}s)"
for step in "${steps[@]}"; do
  printf '  %-11s %-4s  %3s finding(s)  %6ss\n' "$step" "${result[$step]}" "${findings[$step]}" "${seconds[$step]}"
done
if [ $status -ne 0 ]; then
  echo "lint: FAILED (full output in $out_dir/)"
else
  echo "lint: all clean"
fi
exit $status
