#!/usr/bin/env bash
# fuzz-ci.sh (npm run fuzz:ci): the CI mode of scripts/fuzz.sh: every libFuzzer target for 30 s
# (KERYX_FUZZ_CI_SECONDS overrides), each after replaying its tests/fuzz/regressions/<target>/
# inputs. Exit 1 on any crash, leak, timeout, invariant violation or regression, after every
# target has run. Needs clang and libFuzzer (Debian 12: clang libclang-rt-14-dev).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
started=$(date +%s)
bash scripts/fuzz.sh all "${KERYX_FUZZ_CI_SECONDS:-30}"
rc=$?
echo "fuzz-ci: $( [ $rc -eq 0 ] && echo passed || echo FAILED ) in $(( $(date +%s) - started )) s (build included)"
exit $rc
