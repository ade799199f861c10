#!/bin/sh
# run-tests.sh - the README's test command: install what the tests need (as root, with apt-get),
# build, and run every test: unit, conformance and integration (real unbound + Postfix on
# loopback); then the same suite again on an AddressSanitizer + UndefinedBehaviorSanitizer build
# (the daemon under test included). Exits non-zero when anything fails.
# AUTHMILTER_SKIP_SANITIZERS=1 skips the second pass (quicker local runs; CI always does both).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${AUTHMILTER_BUILD_DIR:-$top/build}
"$top/contrib/setup-debian.sh" --with-tests
"$top/contrib/build.sh" -DAUTHMILTER_TESTS=ON
(cd "$build" && ctest --output-on-failure -j2 "$@")

if [ "${AUTHMILTER_SKIP_SANITIZERS:-0}" != 1 ]; then
    echo "== the same suite with ASan + UBSan"
    asan_build=${AUTHMILTER_ASAN_BUILD_DIR:-$top/build-asan}
    AUTHMILTER_BUILD_DIR=$asan_build AUTHMILTER_BUILD_TYPE=Debug \
        "$top/contrib/build.sh" -DAUTHMILTER_TESTS=ON -DAUTHMILTER_SANITIZE=ON
    # Any sanitizer report fails the test that triggered it (and, for the daemon, its clean stop).
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    (cd "$asan_build" && ctest --output-on-failure -j2 "$@")
fi
