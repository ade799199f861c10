#!/bin/sh
# run-tests.sh - the README's test command: install what the tests need (as root, with apt-get),
# build, and run every test: unit, conformance and integration (real unbound + Postfix on
# loopback); then the same suite again on an AddressSanitizer + UndefinedBehaviorSanitizer build
# (the daemon under test included). Exits non-zero when anything fails. First of all, a
# formatting check: every C++ source must be as clang-format (.clang-format) writes it. Then the
# build (configure + compile), then clang-tidy (.clang-tidy) over the policy libraries: it reads
# the build's compile_commands.json, so it runs once the build is configured; any warning fails
# the run (about 2 minutes with -j2), and only then do the tests start.
# AUTHMILTER_SKIP_SANITIZERS=1 skips the second pass (quicker local runs; CI always does both).
# Last, a short fuzz pass: every libFuzzer target (tests/fuzz) for AUTHMILTER_FUZZ_SECONDS
# (default 10) seconds from seeds in build-fuzz-ci/corpus; a crash or a broken invariant fails
# the run. AUTHMILTER_SKIP_FUZZ=1 skips it. Long fuzzing runs: see README.md (run-fuzz.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${AUTHMILTER_BUILD_DIR:-$top/build}
"$top/contrib/setup-debian.sh" --with-tests
# Our sources follow .clang-format; a change that does not is a failed run, not a later chore.
echo "== clang-format --dry-run -Werror over our C++ sources"
(cd "$top" && find policy filter conf tests -path tests/data -prune -o \
    \( -name '*.cpp' -o -name '*.h' \) -print | sort | xargs clang-format --dry-run -Werror)
"$top/contrib/build.sh" -DAUTHMILTER_TESTS=ON -DAUTHMILTER_BENCHMARKS=ON  # benchmarks built, not run
# The policy libraries are clang-tidy clean (.clang-tidy lists the checks and why some are off);
# a new finding fails the run. Its output (a line per file even when clean) is shown only then.
echo "== clang-tidy over policy/ (the compile database of $build)"
tidy_log=$build/clang-tidy.log
if ! run-clang-tidy -p "$build" -j2 -quiet "$top/policy/.*\.cpp\$" >"$tidy_log" 2>&1; then
    esc=$(printf '\033')
    if grep -qE 'warning:|error:' "$tidy_log"; then
        sed "s/$esc\[[0-9;]*m//g" "$tidy_log" | grep -E 'warning:|error:' | sort -u >&2
    else
        cat "$tidy_log" >&2
    fi
    echo "run-tests.sh: clang-tidy found the above (full output: $tidy_log)" >&2
    exit 1
fi
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

if [ "${AUTHMILTER_SKIP_FUZZ:-0}" != 1 ]; then
    echo "== a short fuzz pass: each target for ${AUTHMILTER_FUZZ_SECONDS:-10}s"
    fuzz_build=${AUTHMILTER_FUZZ_CI_BUILD_DIR:-$top/build-fuzz-ci}
    # setup-debian.sh ran above; leak checks stay on (libFuzzer's default).
    AUTHMILTER_FUZZ_SETUP=0 AUTHMILTER_FUZZ_BUILD_DIR=$fuzz_build \
        AUTHMILTER_FUZZ_CORPUS=$fuzz_build/corpus \
        "$top/contrib/run-fuzz.sh" "${AUTHMILTER_FUZZ_SECONDS:-10}"
fi
