#!/usr/bin/env bash
# test-sanitize.sh (npm run test:sanitize): the native suite under AddressSanitizer +
# UndefinedBehaviorSanitizer (every test), then ThreadSanitizer over the concurrent code: the
# capture server and its paste race, the first-wins slot, file locks and the vault's concurrent
# writers, and the refresh transaction (account lock, concurrent users). Each build has its own
# folder (build-asan, build-tsan).
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake -S . -B build-asan -G Ninja -DKERYX_BUILD_ADDON=OFF -DKERYX_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan
ctest --test-dir build-asan --output-on-failure
bash scripts/with-secret-service.sh ctest --test-dir build-asan --output-on-failure -R '^(Key|Keychain)'

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/native/tsan.supp"
cmake -S . -B build-tsan -G Ninja -DKERYX_BUILD_ADDON=OFF -DKERYX_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-tsan
ctest --test-dir build-tsan --output-on-failure -R 'Capture|Slot|SocketSweep|SecureFile|VaultStore|TokenRefresh'
