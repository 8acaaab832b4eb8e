#!/usr/bin/env bash
# test.sh (npm test): every test keryx has: the native suite (ctest), the JS suite and the
# end-to-end suite (node --test; real sockets, real headless Chromium) and the hostile-input suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Incremental: a no-op when both addons (keryx.node, keryx_store.node) are up to date.
npx --no-install cmake-js build --CDKERYX_BUILD_TESTS=OFF >/dev/null
bash scripts/test-native.sh
node --test --test-concurrency=1 tests/js/ tests/e2e/ tests/hostile/
