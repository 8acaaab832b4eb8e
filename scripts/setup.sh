#!/usr/bin/env bash
# setup.sh: the quick start's first command. Installs the Debian packages keryx needs (when run as
# root; otherwise prints the exact apt-get line), installs the npm dependencies, builds the native
# addon, and runs `keryx demo`, a complete callback capture that needs no browser and no input.
#   bash scripts/setup.sh              # build + test dependencies, then the demo
#   bash scripts/setup.sh --no-test-deps   # only what building and using keryx needs
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(cmake ninja-build g++ pkg-config libcurl4-openssl-dev libssl-dev libsodium-dev rapidjson-dev
  libcpp-httplib-dev libgtest-dev libsecret-1-dev nodejs)
# What `npm test` drives for real: curl and Chromium as clients of the capture server, and a
# Secret Service (gnome-keyring in a D-Bus session, checked from outside with secret-tool).
test_pkgs=(curl chromium gnome-keyring libsecret-tools dbus)
# Quality checks (npm run lint, fuzz, coverage): clang with libFuzzer and the sanitizers,
# clang-tidy, clang-format, cppcheck, and llvm's profdata/cov tools.
quality_pkgs=(clang libclang-rt-14-dev clang-tidy clang-format cppcheck llvm)
want=("${build_pkgs[@]}")
[ "${1:-}" = "--no-test-deps" ] || want+=("${test_pkgs[@]}" "${quality_pkgs[@]}")

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing ${missing[*]}" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
    else
      echo "setup: missing Debian packages. Run this, then run setup again:" >&2
      echo "  sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
else
  echo "setup: not a Debian system; make sure these are installed (macOS: brew install cmake ninja pkg-config curl openssl libsodium rapidjson cpp-httplib googletest)" >&2
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<17)) { console.error("setup: keryx needs Node.js >= 20.17 (found "+process.versions.node+")"); process.exit(1) }'

echo "setup: npm install (builds the native addon with cmake-js)" >&2
npm install --no-audit --no-fund --loglevel=error
echo >&2
node js/cli/keryx.js demo
echo >&2
echo "setup: the main job, against the built-in sandbox (no account, browser or input needed):" >&2
node js/cli/keryx.js auth tiktok --sandbox
