#!/bin/sh
# check-unit.sh - check contrib/systemd/authmilter.service as systemd 252 (Debian 12) reads it.
#
# Usage: check-unit.sh [UNIT [BINARY [MAX_EXPOSURE]]]
#   UNIT          the unit file (default: authmilter.service beside this script)
#   BINARY        a built authmilter (default: build/filter/authmilter of this checkout)
#   MAX_EXPOSURE  highest acceptable `systemd-analyze security` exposure, in tenths (default 23,
#                 i.e. 2.3, the unit's score today: a change that loosens the sandbox fails)
#
# 1. `systemd-analyze verify` must be silent and succeed: no unknown key, bad value, unknown
#    system call group or missing command. verify insists that every Exec*= command exists, and
#    /usr/local/sbin/authmilter is where `cmake --install` puts it, not where a build is; so it
#    runs on a copy of the unit in a temporary directory with only that path rewritten to BINARY.
# 2. `systemd-analyze security --offline=true` on the unit itself: prints the exposure score and
#    fails above MAX_EXPOSURE.
# A machine without systemd-analyze fails the check (setup-debian.sh installs `systemd`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
unit=${1:-$here/authmilter.service}
binary=${2:-$here/../../build/filter/authmilter}
max_exposure=${3:-23}

fail() {
    echo "check-unit.sh: FAIL: $*" >&2
    exit 1
}

command -v systemd-analyze >/dev/null 2>&1 ||
    fail "systemd-analyze not found (Debian: apt-get install systemd)"
[ -f "$unit" ] || fail "no unit file $unit"
[ -x "$binary" ] || fail "no executable authmilter at $binary (build it first)"
case "$binary" in
    /*) ;;
    *) binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary") ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The copy keeps the unit's name: systemd derives the unit name from the file name.
sed "s#/usr/local/sbin/authmilter#$binary#g" "$unit" >"$work/authmilter.service"
grep -q "^ExecStart=$binary " "$work/authmilter.service" ||
    fail "ExecStart= does not start /usr/local/sbin/authmilter: nothing to rewrite"

echo "== systemd-analyze verify $(basename "$unit") (ExecStart*= rewritten to $binary)"
status=0
systemd-analyze verify "$work/authmilter.service" >"$work/verify.out" 2>&1 || status=$?
if [ "$status" -ne 0 ] || [ -s "$work/verify.out" ]; then
    cat "$work/verify.out" >&2
    fail "systemd-analyze verify exited $status or printed the lines above"
fi
echo "verify: clean"

echo "== systemd-analyze security --offline=true $(basename "$unit")"
status=0
systemd-analyze security --offline=true --threshold="$max_exposure" "$unit" \
    >"$work/security.out" 2>&1 || status=$?
grep -v '^✓' "$work/security.out" || true
grep -q 'Overall exposure level' "$work/security.out" || fail "no exposure score printed"
[ "$status" -eq 0 ] ||
    fail "exposure above the limit of $max_exposure tenths (or systemd-analyze security failed: exit $status)"
echo "check-unit.sh: OK (exposure within the limit of $max_exposure tenths)"
