#!/bin/sh
# run-tests.sh - the README's test command: install what the tests need (as root, with apt-get),
# build, and run every test: unit, conformance and integration (real unbound + Postfix on
# loopback). Exits non-zero when anything fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${AUTHMILTER_BUILD_DIR:-$top/build}
"$top/contrib/setup-debian.sh" --with-tests
"$top/contrib/build.sh" -DAUTHMILTER_TESTS=ON
cd "$build"
ctest --output-on-failure -j2 "$@"
