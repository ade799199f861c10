#!/bin/sh
# setup-debian.sh - install every Debian 12 package authmilter needs to build, run and test.
#
# Idempotent: packages already installed are skipped, and apt-get is not run at all when
# nothing is missing. Postfix is preseeded to "No configuration" so that installing it never
# takes over port 25: the tests run private Postfix instances on loopback.
set -eu

BUILD_PACKAGES="cmake g++ make pkg-config clang-format
 libmilter-dev libopendkim-dev libspf2-dev libunbound-dev libpsl-dev publicsuffix
 libevent-dev libyaml-cpp-dev libsqlite3-dev libpq-dev libssl-dev libxml2-dev zlib1g-dev
 libgtest-dev libgmock-dev libgmime-3.0-dev libmicrohttpd-dev"
# clang-tidy: run-tests.sh's check of the policy libraries (.clang-tidy).
# systemd: systemd-analyze, which checks contrib/systemd/authmilter.service (ctest systemd_unit).
# strace: test_daemon delays a system call with it, so that a start-up race happens every time.
TEST_PACKAGES="postfix unbound swaks postgresql libxml2-utils libmail-dmarc-perl
 opendkim-tools python3 python3-dkim python3-nacl python3-authres libmail-dkim-perl procps
 iproute2 clang-14 libclang-rt-14-dev openssl valgrind strace prometheus systemd ldnsutils
 m4 libwrap0 libsasl2-modules clang-tidy"
# Sendmail itself is not installed (Debian's sendmail-bin conflicts with postfix): with
# --with-tests, tests/integration/sendmail_setup.sh unpacks it into a private prefix (m4 builds
# its sendmail.cf, libwrap0 is a library it links, libsasl2-modules has its AUTH PLAIN).

# The peers the benchmarks compare against, and the profilers they use.
BENCH_PACKAGES="opendkim opendmarc rspamd linux-perf valgrind"

want="$BUILD_PACKAGES"
with_tests=0
case "${1:-}" in
    --with-tests) want="$want $TEST_PACKAGES"; with_tests=1 ;;
    --with-bench) want="$want $TEST_PACKAGES $BENCH_PACKAGES"; with_tests=1 ;;
    "") ;;
    *) echo "usage: $0 [--with-tests | --with-bench]" >&2; exit 2 ;;
esac

# The private Sendmail of the integration tests (after the packages it needs are installed).
sendmail_setup() {
    [ "$with_tests" = 1 ] || return 0
    "$(cd "$(dirname "$0")/.." && pwd)/tests/integration/sendmail_setup.sh"
}

missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        "install ok installed") ;;
        *) missing="$missing $pkg" ;;
    esac
done
if [ -z "$missing" ]; then
    sendmail_setup
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
fi

echo "setup-debian.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
# Keep package scripts from starting system daemons (postfix, unbound, postgresql) on install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
sendmail_setup
