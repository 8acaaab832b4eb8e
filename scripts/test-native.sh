#!/usr/bin/env bash
# test-native.sh: builds the C++ core and its GoogleTest suite with plain CMake (no Node) and runs ctest.
# KERYX_NATIVE_BUILD_DIR and extra cmake -D flags ($@) allow sanitizer builds in their own folders.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${KERYX_NATIVE_BUILD_DIR:-build-native}"
cmake -S . -B "$dir" -G Ninja -DKERYX_BUILD_ADDON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir"
ctest --test-dir "$dir" --output-on-failure
