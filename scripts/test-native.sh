#!/usr/bin/env bash
# test-native.sh: builds the C++ core and its GoogleTest suite with plain CMake (no Node) and runs
# ctest; then runs the keychain tests again against a real Secret Service (gnome-keyring in a
# throwaway D-Bus session), once unlocked and once locked by a wrong password.
# KERYX_NATIVE_BUILD_DIR and extra cmake -D flags ($@) allow sanitizer builds in their own folders.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${KERYX_NATIVE_BUILD_DIR:-build-native}"
cmake -S . -B "$dir" -G Ninja -DKERYX_BUILD_ADDON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir"
ctest --test-dir "$dir" --output-on-failure
export KERYX_REQUIRE_SECRET_SERVICE=1
bash scripts/with-secret-service.sh ctest --test-dir "$dir" --output-on-failure -R '^(Key|Keychain)'
bash scripts/with-secret-service.sh --wrong-password ctest --test-dir "$dir" --output-on-failure -R '^(Key|Keychain)'
