"""bench_env - what both benchmarks share: signed test mail, the test DNS, authmilter, /proc CPU.

Purpose: reuse the integration harness (tests/integration: DnsServer, Milter, Postfix) for the
benchmarks instead of a second copy. Adds what only benchmarks need:
  make_mail(build_dir, workdir, count)  RSA-2048 key (openssl) + gen_mail's signed messages;
                                         returns (mail_dir, zones) for DnsServer.
  BenchDns                               DnsServer that also answers on 127.83.0.1:53, for peer
                                         milters that cannot be told a DNS port (OpenDMARC
                                         reads resolv.conf; see postfix_bench.py).
  cpu_seconds(pid) / tree_cpu_seconds(pid)   utime+stime from /proc; the tree variant adds the
                                         live children and the reaped ones (cutime+cstime), which
                                         is how Postfix's short-lived daemons are counted.
SPF: the sending domain's SPF record authorizes 192.0.2.0/24 (the driver claims 192.0.2.10 in
CONNECT) and 127.0.0.1 (smtp-source cannot claim another address; Postfix then passes 127.0.0.1
as the client address), so SPF evaluation with two DNS lookups really runs and passes in both.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))

from dns_server import DnsServer  # noqa: E402
from processes import run_checked  # noqa: E402

DOMAIN = "bench.example"  # not under test.: libunbound refuses test. by default (RFC 6761)
ED25519_SELECTOR = "ed"
SELECTOR = "bench"
DRIVER_CLIENT_IP = "192.0.2.10"
PEER_DNS_ADDRESS = "127.83.0.1"  # loopback address whose port 53 the peer milters use
TXT_CHUNK = 255  # RFC 1035 section 3.3: a character-string holds at most 255 octets
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def txt_record(name, value):
    chunks = [value[i : i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)]
    return f"{name}. TXT " + " ".join(f'"{chunk}"' for chunk in chunks)


def make_mail(build_dir, workdir, count, client_ip=DRIVER_CLIENT_IP, size=2048):
    """Key, signed messages and DNS zones: (mail_dir, zones)."""
    mail_dir = os.path.join(workdir, "mail")
    os.makedirs(mail_dir, exist_ok=True)
    key = os.path.join(workdir, "dkim.key")
    run_checked(["openssl", "genrsa", "-out", key, "2048"], "openssl genrsa")
    generator = os.path.join(build_dir, "tests", "bench", "milter_load", "gen_mail")
    run_checked(
        [generator, "--key", key, "--domain", DOMAIN, "--selector", SELECTOR, "--out", mail_dir,
         "--count", str(count), "--size", str(size), "--client-ip", client_ip,
         "--rcpt", "rcpt@example.net"],
        "gen_mail",
    )
    with open(os.path.join(mail_dir, "dkim-txt.txt")) as handle:
        dkim_txt = handle.read().strip()
    zones = {
        DOMAIN: [
            f'{DOMAIN}. TXT "v=spf1 include:_spf.{DOMAIN} -all"',
            f'_spf.{DOMAIN}. TXT "v=spf1 ip4:192.0.2.0/24 ip4:127.0.0.1 -all"',
            txt_record(f"{SELECTOR}._domainkey.{DOMAIN}", dkim_txt),
            f'_dmarc.{DOMAIN}. TXT "v=DMARC1; p=reject; adkim=r; aspf=r"',
            f"{DOMAIN}. MX 10 mx.{DOMAIN}.",
            f"mx.{DOMAIN}. A 192.0.2.25",
        ]
    }
    return mail_dir, zones


def make_dual_mail(build_dir, workdir, count, zones, client_ip=DRIVER_CLIENT_IP, size=2048):
    """Messages signed ed25519-sha256 + rsa-sha256 (the RSA key of make_mail(), which must have
    run first, and a new ed25519 key, selector ED25519_SELECTOR) in workdir/mail-dual; adds the
    ed25519 key record to zones. Returns the directory."""
    mail_dir = os.path.join(workdir, "mail-dual")
    os.makedirs(mail_dir, exist_ok=True)
    ed_key = os.path.join(workdir, "dkim-ed25519.key")
    run_checked(["openssl", "genpkey", "-algorithm", "ed25519", "-out", ed_key],
                "openssl genpkey")
    generator = os.path.join(build_dir, "tests", "bench", "milter_load", "gen_mail")
    run_checked(
        [generator, "--key", os.path.join(workdir, "dkim.key"), "--domain", DOMAIN,
         "--selector", SELECTOR, "--out", mail_dir, "--count", str(count), "--size", str(size),
         "--client-ip", client_ip, "--rcpt", "rcpt@example.net", "--ed25519-key", ed_key,
         "--ed25519-selector", ED25519_SELECTOR],
        "gen_mail (dual)",
    )
    with open(os.path.join(mail_dir, "dkim-ed25519-txt.txt")) as handle:
        record = handle.read().strip()
    zones[DOMAIN].append(txt_record(f"{ED25519_SELECTOR}._domainkey.{DOMAIN}", record))
    return mail_dir


class BenchDns(DnsServer):
    """The harness's unbound, optionally also listening on PEER_DNS_ADDRESS port 53."""

    def __init__(self, workdir, zones, peer_port53=False):
        super().__init__(workdir, zones)
        self.peer_port53 = peer_port53

    def config_text(self, silent_port):
        text = super().config_text(silent_port)
        if self.peer_port53:
            extra = f"    interface: {PEER_DNS_ADDRESS}@53\n"
            text = text.replace("server:\n", "server:\n" + extra, 1)
        return text


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as handle:
        line = handle.read()
    return line[line.rindex(")") + 2 :].split()  # fields from 3 on; [11] = utime (field 14)


def cpu_seconds(pid):
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(entry)[1]) == pid:  # field 4: ppid
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree_cpu_seconds(pid):
    """pid's own CPU + its reaped children's + its live children's (one level: Postfix)."""
    fields = _stat_fields(pid)
    total = sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
    for child in children(pid):
        try:
            total += cpu_seconds(child)
        except (OSError, ValueError, IndexError):
            continue  # exited between listing and reading: its time is in cutime next time
    return total


def check_call(argv, what):
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stderr or done.stdout}")
    return done.stdout
