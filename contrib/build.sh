#!/bin/sh
# build.sh - configure and build authmilter into ./build (or $AUTHMILTER_BUILD_DIR).
# Used by quickstart.sh and run-tests.sh; -j2 suits the small machines this is tested on.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${AUTHMILTER_BUILD_DIR:-$top/build}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=${AUTHMILTER_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
# AUTHMILTER_TARGETS="authmilter" builds only those targets (default: everything, tests included).
targets=""
for target in ${AUTHMILTER_TARGETS:-}; do targets="$targets --target $target"; done
# shellcheck disable=SC2086
cmake --build "$build" -j"${AUTHMILTER_JOBS:-2}" $targets
