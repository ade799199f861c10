#!/bin/sh
# run-integration.sh BUILD_DIR [PATTERN...] - run the integration tests (real unbound, authmilter
# and Postfix on loopback) against BUILD_DIR/filter/authmilter. Called by CTest
# (tests/CMakeLists.txt). PATTERNs select test modules by file name (e.g. "latency").
#
# Needs root (a private Postfix instance runs its daemons as root and the postfix user) and the
# packages of contrib/setup-debian.sh --with-tests. Exits non-zero if any test fails; exits 77
# (CTest SKIP_RETURN_CODE convention) when not run as root, saying so on stderr.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [PATTERN...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
AUTHMILTER_BUILD_DIR=$(cd "$1" && pwd)
shift
AUTHMILTER_SOURCE_DIR=$(cd "$here/../.." && pwd)
export AUTHMILTER_BUILD_DIR AUTHMILTER_SOURCE_DIR

if [ "$(id -u)" -ne 0 ]; then
    echo "run-integration.sh: the tests run a private Postfix and need root; not run" >&2
    exit 77
fi
for tool in /usr/sbin/postfix /usr/sbin/unbound /usr/sbin/unbound-checkconf /usr/bin/python3; do
    if [ ! -x "$tool" ]; then
        echo "run-integration.sh: $tool missing; run contrib/setup-debian.sh --with-tests" >&2
        exit 1
    fi
done

cd "$here"
exec /usr/bin/python3 -B run_tests.py "$@"
