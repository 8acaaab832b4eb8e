#!/usr/bin/env bash
# with-secret-service.sh: runs a command against a throwaway Secret Service (gnome-keyring) on a
# private D-Bus session bus, so the keychain tests use the real thing (BUILD-NOTES §4).
#
#   bash scripts/with-secret-service.sh ctest --test-dir build-native --output-on-failure -R 'Key|Keychain'
#   bash scripts/with-secret-service.sh --wrong-password ctest --test-dir build-native -R 'Key|Keychain'
#
# Default phase: inside `dbus-run-session`, a fresh `login` keyring is created and unlocked with a
# throwaway password, then the command runs with KERYX_TEST_SECRET_SERVICE=1.
# --wrong-password (case F of BUILD-NOTES §4): a first session creates the keyring with one password
# and stores a sentinel item; the command then runs in a second session whose unlock used another
# password, so the collection stays locked and lookups come back empty without an error. It also
# exports KERYX_TEST_SECRET_SERVICE_LOCKED=1 and KERYX_TEST_SECRET_SERVICE_SENTINEL=<account of the
# sentinel item> (schema dev.keryx.VaultKey, service keryx).
#
# XDG_DATA_HOME, XDG_CACHE_HOME and XDG_RUNTIME_DIR point at mode-0700 temp dirs removed at exit;
# DISPLAY and WAYLAND_DISPLAY are unset so no unlock prompt can open a window. The command's exit
# status is returned. Needs: dbus-run-session (dbus-daemon), gnome-keyring-daemon (gnome-keyring),
# secret-tool (libsecret-tools).
set -euo pipefail

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

wrong_password=0
if [[ "${1:-}" == "--wrong-password" ]]; then
  wrong_password=1
  shift
fi
[[ $# -gt 0 && "$1" != "-h" && "$1" != "--help" ]] || usage

for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-secret-service.sh: $tool not found; apt-get install -y dbus gnome-keyring libsecret-tools" >&2
    exit 2
  fi
done

root="$(mktemp -d "${TMPDIR:-/tmp}/keryx-secret-service.XXXXXX")"
cleanup() {
  # A gnome-keyring-daemon may still be exiting after its bus went away; retry once.
  rm -rf "$root" 2>/dev/null || { sleep 1; rm -rf "$root"; }
}
trap cleanup EXIT
mkdir -m 700 "$root/data" "$root/cache" "$root/runtime"
export XDG_DATA_HOME="$root/data" XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/runtime"
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL
password="keryx-test-$$-$RANDOM$RANDOM"
sentinel="keryx-test-sentinel"

# start_keyring (runs inside a session): unlocks, or first creates, the login keyring with $1.
# gnome-keyring exits 0 even for a wrong password (case F), so the phases check the outcome.
inner='
start_keyring() { printf %s "$1" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; }
'

if [[ $wrong_password -eq 1 ]]; then
  # Phase 1: create the keyring with the right password and store a sentinel item in it.
  dbus-run-session -- bash -c "$inner"'
    set -euo pipefail
    start_keyring "$1"
    printf %s "c2VudGluZWwtdmFsdWUtbm90LWEta2V5" |
      secret-tool store --label="keryx test sentinel" xdg:schema dev.keryx.VaultKey service keryx account "$2"
    [[ "$(secret-tool lookup service keryx account "$2")" == "c2VudGluZWwtdmFsdWUtbm90LWEta2V5" ]]
  ' phase1 "$password" "$sentinel" ||
    { echo "with-secret-service.sh: could not create the test keyring" >&2; exit 1; }
  [[ -f "$XDG_DATA_HOME/keyrings/login.keyring" ]] ||
    { echo "with-secret-service.sh: phase 1 left no login.keyring" >&2; exit 1; }
  # Phase 2: unlock with a wrong password; the sentinel must now be invisible (case F).
  export KERYX_TEST_SECRET_SERVICE=1 KERYX_TEST_SECRET_SERVICE_LOCKED=1 KERYX_TEST_SECRET_SERVICE_SENTINEL="$sentinel"
  set +e
  dbus-run-session -- bash -c "$inner"'
    start_keyring "$1-wrong"
    if secret-tool lookup service keryx account "$2" >/dev/null 2>&1; then
      echo "with-secret-service.sh: the keyring opened with a wrong password; case F not reproduced" >&2
      exit 1
    fi
    shift 2
    "$@"
  ' phase2 "$password" "$sentinel" "$@"
  status=$?
  exit "$status"
fi

export KERYX_TEST_SECRET_SERVICE=1
unset KERYX_TEST_SECRET_SERVICE_LOCKED KERYX_TEST_SECRET_SERVICE_SENTINEL
set +e
dbus-run-session -- bash -c "$inner"'
  start_keyring "$1" || { echo "with-secret-service.sh: gnome-keyring-daemon --unlock failed" >&2; exit 1; }
  shift
  "$@"
' session "$password" "$@"
status=$?
exit "$status"
