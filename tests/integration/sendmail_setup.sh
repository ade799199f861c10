#!/bin/sh
# sendmail_setup.sh [PREFIX] - unpack Debian's Sendmail into a private prefix for the tests.
#
# Debian 12's sendmail-bin conflicts with postfix, so it is never installed: `apt-get download`
# fetches sendmail-bin, sendmail-base and sendmail-cf from the configured apt sources (nothing
# else is downloaded) and `dpkg-deb -x` unpacks them under PREFIX (default
# /var/cache/authmilter-tests/sendmail). No maintainer script runs, nothing outside PREFIX is
# written, and the system's Postfix stays as it is. The libraries sendmail links (libwrap0 ...)
# and m4 come from contrib/setup-debian.sh --with-tests, which calls this script.
#
# Idempotent: when PREFIX already holds the unpacked binary, it exits 0 without asking apt
# (so a prepared machine runs the tests offline). test_sendmail.py calls it before starting.
# Prints the PREFIX/.version stamp on success.
set -eu

PACKAGES="sendmail-bin sendmail-base sendmail-cf"
prefix=${1:-/var/cache/authmilter-tests/sendmail}
binary=$prefix/usr/libexec/sendmail/sendmail
stamp=$prefix/.version

if [ -x "$binary" ] && [ -s "$stamp" ] && [ -d "$prefix/usr/share/sendmail/cf/m4" ]; then
    cat "$stamp"
    exit 0
fi
case "$prefix" in
    /*) ;;
    *) echo "sendmail_setup.sh: PREFIX must be an absolute path: $prefix" >&2; exit 2 ;;
esac
if [ "$prefix" = / ] || [ "$prefix" = /usr ]; then
    echo "sendmail_setup.sh: refusing to unpack into $prefix" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "sendmail_setup.sh: $prefix has no Sendmail; run as root to unpack it there" >&2
    exit 1
fi

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
# apt drops privileges to _apt for the download: the directory must be writable by it.
chmod 755 "$download"
chown _apt "$download" 2>/dev/null || true
# shellcheck disable=SC2086
if ! (cd "$download" && apt-get download -q $PACKAGES >"$download/apt.log" 2>&1); then
    cat "$download/apt.log" >&2
    echo "sendmail_setup.sh: apt-get download $PACKAGES failed" >&2
    exit 1
fi

rm -rf "$prefix.new"
mkdir -p "$prefix.new"
versions=""
for deb in "$download"/*.deb; do
    dpkg-deb -x "$deb" "$prefix.new"
    versions="$versions $(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)"
done
missing=$(ldd "$prefix.new/usr/libexec/sendmail/sendmail" | awk '/not found/ {print $1}')
if [ -n "$missing" ]; then
    echo "sendmail_setup.sh: sendmail needs$(echo " $missing" | tr '\n' ' ')-" \
        "run contrib/setup-debian.sh --with-tests" >&2
    exit 1
fi
echo "${versions# }" >"$prefix.new/.version"
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
cat "$stamp"
