#!/bin/sh
# postfix-bench.sh BUILD_DIR [--messages N] [--sessions S] [--keep] - Postfix end to end with no
# milter, authmilter (unix and inet sockets) and OpenDKIM+OpenDMARC, one table (README.md).
# Needs root (a private Postfix), BUILD_DIR configured with -DAUTHMILTER_BENCHMARKS=ON and built
# (authmilter, gen_mail), and the packages of contrib/setup-debian.sh --with-tests (--with-bench
# for the peer milters). Not part of ctest: it takes minutes and loads the whole machine.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [--messages N] [--sessions S] [--keep]" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "postfix-bench.sh: runs a private Postfix and needs root" >&2
    exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
for tool in /usr/sbin/postfix /usr/sbin/smtp-source /usr/sbin/unbound /usr/bin/python3 openssl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "postfix-bench.sh: $tool missing" >&2
        exit 1
    fi
done
exec /usr/bin/python3 -B "$here/postfix/postfix_bench.py" "$@"
