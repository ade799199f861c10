#!/bin/sh
# run-fuzz.sh [SECONDS] [TARGET...] - build the libFuzzer targets (clang, ASan+UBSan) and run each
# for SECONDS (default 60) from a corpus under ./fuzz-corpus/<target>, seeded from the
# conformance data when empty. Targets (default: all of them):
#   spf_fuzz dmarc_record_fuzz from_header_fuzz authres_fuzz dkim_fuzz pipeline_fuzz arc_fuzz
# pipeline_fuzz seeds: every DKIM conformance message with its key records plus SPF and DMARC
# records for its From domain (tests/fuzz/pipeline_input.h has the format), in the milter's stage
# order and in the restart/hostile orders, plus the hand seeds in tests/fuzz/seeds/pipeline_fuzz/.
# arc_fuzz seeds: tests/fuzz/seeds/arc_fuzz/, sealed messages of the ValiMail ARC suite (1 to 5
# hops; see tests/data/arc/README.md), each after the line with its key record.
# Long runs: `contrib/run-fuzz.sh 3600 pipeline_fuzz` (one hour), or run the binary yourself,
# e.g. `build-fuzz/tests/fuzz/pipeline_fuzz -fork=2 -max_len=65536 fuzz-corpus/pipeline_fuzz`.
# A crash leaves crash-* files under the corpus directory and a non-zero exit.
# Environment: AUTHMILTER_FUZZ_BUILD_DIR (default ./build-fuzz), AUTHMILTER_FUZZ_CORPUS (default
# ./fuzz-corpus), AUTHMILTER_FUZZ_SETUP=0 skips contrib/setup-debian.sh (already run).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
build=${AUTHMILTER_FUZZ_BUILD_DIR:-$top/build-fuzz}
corpus=${AUTHMILTER_FUZZ_CORPUS:-$top/fuzz-corpus}
all_targets="spf_fuzz dmarc_record_fuzz from_header_fuzz authres_fuzz dkim_fuzz pipeline_fuzz arc_fuzz"
[ "${AUTHMILTER_FUZZ_SETUP:-1}" = 0 ] || "$top/contrib/setup-debian.sh" --with-tests
CC=clang-14 CXX=clang++-14 cmake -S "$top" -B "$build" -DAUTHMILTER_FUZZ=ON -DAUTHMILTER_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=${*:-$all_targets}
# shellcheck disable=SC2086
cmake --build "$build" -j"${AUTHMILTER_JOBS:-2}" $(for t in $targets; do printf ' --target %s' "$t"; done)
dkim_data=$top/tests/data/dkim

# key_records MESSAGE: the DKIM key records its conformance suite publishes, as zone lines.
# (sh has no local variables: names here must not clash with seed()'s.)
key_records() {
    message_dir=$(dirname "$1")
    case "$message_dir" in
        */dkimpy/generated)  # cases.tsv: message, key owner, file holding the key record
            awk -F'\t' -v m="$(basename "$1")" '$1 == m { print $2 "\t" $3 }' "$message_dir/cases.tsv" |
                while IFS="$(printf '\t')" read -r owner file; do
                    printf '%s txt %s\n' "$owner" "$(tr -d '\r\n' <"$dkim_data/dkimpy/$file")"
                done ;;
        */mail-dkim/corpus) awk '!/^#/ && NF >= 2 { n = $1; $1 = ""; sub(/^ +/, ""); print n " txt " $0 }' \
            "$dkim_data/mail-dkim/FAKE_DNS.dat" ;;
        *) grep -hv '^#' "$message_dir/dns-records.txt" | awk -F'\t' 'NF >= 2 { print $1 " txt " $2 }' ;;
    esac
}

# pipeline_seed MESSAGE VARIANT: zone %% envelope %% message [%% control], see pipeline_input.h.
pipeline_seed() {
    domain=$(grep -i -m1 '^From:' "$1" | sed -n 's/.*@\([A-Za-z0-9.-]*[A-Za-z0-9]\).*/\1/p')
    domain=${domain:-example.com}
    echo "$domain txt v=spf1 ip4:192.0.2.0/24 -all"
    echo "_dmarc.$domain txt v=DMARC1; p=reject; rua=mailto:dmarc@$domain"
    case "$2" in
        servfail) echo "_dmarc.$domain servfail txt"; echo "$domain timeout txt" ;;
    esac
    key_records "$1"
    printf '%%%%\nip 192.0.2.1\nhelo mail.%s\nfrom sender@%s\nrcpt user@example.net\n%%%%\n' \
        "$domain" "$domain"
    cat "$1"
    case "$2" in  # control bytes, read from the end (FuzzedDataProvider): the order comes last
        # restart: 3 transactions, the 1st aborted mid-body, the 2nd after RCPT; no EOH call;
        # chunks of 0, 1 and 64 bytes.
        restart) printf '\n%%%%\n\000\001\000\002\005\002\006\002\001\003\001' ;;
        # hostile: 10 calls (body, header, check_sender, EOM, RCPT, ...); chunks of 0, 2, rest.
        hostile) printf '\n%%%%\n\002\004\006\004\003\001\007\000\002\005\012\011\003\001\003\002' ;;
    esac
}

seed() {  # seed TARGET: the kept corpus, then one file per line of matching conformance text
    dir="$corpus/$1"
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return 0
    # tests/fuzz/corpus/TARGET: what the long runs found, minimized (-merge=1; see README.md).
    [ -d "$top/tests/fuzz/corpus/$1" ] && cp "$top/tests/fuzz/corpus/$1"/* "$dir/"
    n=0
    case "$1" in
        dkim_fuzz)  # a key record line, then a signed message
            for message in "$dkim_data"/rfc8463/*.eml "$dkim_data"/rfc6376/*.eml; do
                n=$((n + 1))
                { grep -v '^#' "$(dirname "$message")/dns-records.txt" | head -n 1 | cut -f2
                  cat "$message"; } >"$dir/seed$n"
            done
            return 0 ;;
        pipeline_fuzz)
            for message in "$dkim_data"/rfc8463/*.eml "$dkim_data"/rfc6376/*.eml \
                "$dkim_data"/dkimpy/generated/*.eml "$dkim_data"/mail-dkim/corpus/*.txt; do
                for variant in milter restart hostile servfail; do
                    n=$((n + 1))
                    pipeline_seed "$message" "$variant" >"$dir/seed$n"
                done
            done
            cp "$top"/tests/fuzz/seeds/pipeline_fuzz/* "$dir/"
            return 0 ;;
        arc_fuzz)  # a key record line, then a sealed message (tests/fuzz/arc_fuzz.cpp)
            cp "$top"/tests/fuzz/seeds/arc_fuzz/* "$dir/"
            return 0 ;;
    esac
    case "$1" in
        spf_fuzz) grep -ho 'v=spf1[^"]*' "$top"/tests/data/spf/*.yml ;;
        dmarc_record_fuzz)  # records, and rua/ruf values alone (parse_uri_list is fed both)
            grep -ho 'v=DMARC1[^"]*' -r "$top/tests/data/dmarc"
            grep -ho 'ru[af]=[^;"]*' -r "$top/tests/data/dmarc" | cut -d= -f2- ;;
        from_header_fuzz) printf '%s\n' '"Joe, Q." <joe@example.org>' 'a@x.org, b@evil.example' \
            'undisclosed:;' '=?utf-8?q?A=2C_B?= <a@b.example>' 'Group: a@b.example, c@d.example;' ;;
        authres_fuzz) printf '%s\n' 'mx.example.net; spf=pass smtp.mailfrom=example.org' \
            'example.com 1; dkim=pass (good) header.d=example.org header.b=AbC; none' ;;
    esac | head -n 500 | awk -v dir="$dir" '{ print > (dir "/seed" NR) }'
}

max_len() {  # pipeline_fuzz inputs hold a whole message and its zone; arc_fuzz a sealed chain
    case "$1" in
        pipeline_fuzz) echo 65536 ;;
        arc_fuzz) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

status=0
for target in $targets; do
    seed "$target"
    echo "== $target: ${seconds}s"
    log="$corpus/$target.log"
    if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -print_final_stats=1 -artifact_prefix="$corpus/$target-" "$corpus/$target" >"$log" 2>&1; then
        status=1
        echo "!! $target failed; see $log"
        tail -n 25 "$log"
    fi
    grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|invariant broken' "$log" |
        head -n 20 || true
    grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true
done
exit $status
