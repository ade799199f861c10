#!/bin/sh
# run-fuzz.sh [SECONDS] [TARGET...] - build the libFuzzer targets (clang, ASan+UBSan) and run each
# for SECONDS (default 60) from a corpus under ./fuzz-corpus/<target>, seeded from the conformance
# data (dkim_fuzz: a key record line, then a signed message). For long runs:
# `contrib/run-fuzz.sh 3600 spf_fuzz` (one CPU-hour), or run the binary in build-fuzz/tests/fuzz/
# yourself with -jobs=N. A crash leaves crash-* files and a non-zero exit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
build=${AUTHMILTER_FUZZ_BUILD_DIR:-$top/build-fuzz}
corpus=${AUTHMILTER_FUZZ_CORPUS:-$top/fuzz-corpus}
"$top/contrib/setup-debian.sh" --with-tests
CC=clang-14 CXX=clang++-14 cmake -S "$top" -B "$build" -DAUTHMILTER_FUZZ=ON -DAUTHMILTER_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=${*:-"spf_fuzz authres_fuzz dmarc_record_fuzz from_header_fuzz dkim_fuzz"}
for target in $targets; do cmake --build "$build" -j2 --target "$target"; done

seed() {  # seed TARGET: one file per line of matching conformance text
    dir="$corpus/$1"
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return 0
    if [ "$1" = dkim_fuzz ]; then  # a key record line, then a signed message
        n=0
        for message in "$top"/tests/data/dkim/rfc8463/*.eml "$top"/tests/data/dkim/rfc6376/*.eml; do
            n=$((n + 1))
            { grep -v '^#' "$(dirname "$message")/dns-records.txt" | head -n 1 | cut -f2
              cat "$message"; } >"$dir/seed$n"
        done
        return 0
    fi
    case "$1" in
        spf_fuzz) grep -ho 'v=spf1[^"]*' "$top"/tests/data/spf/*.yml ;;
        dmarc_record_fuzz) grep -ho 'v=DMARC1[^"]*' -r "$top/tests/data/dmarc" ;;
        from_header_fuzz) printf '%s\n' '"Joe, Q." <joe@example.org>' 'a@x.org, b@evil.example' \
            'undisclosed:;' '=?utf-8?q?A=2C_B?= <a@b.example>' 'Group: a@b.example, c@d.example;' ;;
        authres_fuzz) printf '%s\n' 'mx.example.net; spf=pass smtp.mailfrom=example.org' \
            'example.com 1; dkim=pass (good) header.d=example.org header.b=AbC; none' ;;
    esac | head -n 500 | awk -v dir="$dir" '{ print > (dir "/seed" NR) }'
}
status=0
for target in $targets; do
    seed "$target"
    echo "== $target: ${seconds}s"
    log="$corpus/$target.log"
    if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=8192 \
        -print_final_stats=1 "$corpus/$target" >"$log" 2>&1; then
        status=1
        echo "!! $target failed; see $log"
    fi
    grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' "$log" || true
done
exit $status
