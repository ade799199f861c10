"""postfix_bench - Postfix end to end: no milter, the null milter (libmilter floor), authmilter
(unix, inet), rspamd (SPF/DKIM/DMARC/ARC only), OpenDKIM+OpenDMARC.

    tests/bench/postfix-bench.sh BUILD_DIR [--messages N] [--sessions S] [--rounds R] [--keep]

One private Postfix on loopback (tests/integration/postfix_instance.py) with one smtpd listener
per configuration, one test unbound serving the signed bench.example zone, both authmilters and
(when installed) the peer chain running side by side; smtp-source (one SMTP session per
message, S parallel sessions, one 2 KB rsa-sha256-signed message from gen_mail) sends N
messages to each listener in turn, after a warm-up of WARMUP messages. Per run:
  msgs/s           N / wall time of smtp-source
  milter_cpu_ms    CPU (utime+stime, /proc) of the milter process trees during the run, per message
  postfix_cpu_ms   CPU of the Postfix master and all its children (live ones + reaped ones),
                   from before the run until the queue has drained (delivery included), per msg
  delivered        messages found in the Maildir for this run (must be N)
  results          how many delivered messages had which spf/dkim/dmarc results
Exit status 0 when every run delivered every message with the expected results.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import bench_env
import null_milter
import peer_milters
from milter_process import Milter, MilterSocket
from postfix_instance import Postfix
from processes import free_port, wait_until

SMTP_SOURCE = "/usr/sbin/smtp-source"
AUTHSERV_ID = "mx.bench.test"
RECIPIENT = "rcpt@example.net"
WARMUP = 40
DRAIN_TIMEOUT = 300.0


class Run:
    def __init__(self, name, listener, milters, expect):
        self.name, self.listener, self.milters, self.expect = name, listener, milters, expect
        self.rate = self.milter_ms = self.postfix_ms = 0.0
        self.delivered = 0
        self.results = ""


def delivered_files(postfix):
    directory = os.path.join(postfix.mail_dir, "inbox", "new")
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def send(postfix, listener, message_file, count, sessions):
    argv = [SMTP_SOURCE, "-s", str(sessions), "-m", str(count), "-F", message_file,
            "-f", f"bench@{bench_env.DOMAIN}", "-t", RECIPIENT, "-M", "client.bench.test",
            f"127.0.0.1:{postfix.port(listener)}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0 or done.stderr.strip():
        print(f"smtp-source ({listener}): exit {done.returncode} {done.stderr.strip()[:500]}")


def wait_drained(postfix, total):
    wait_until(lambda: len(delivered_files(postfix)) >= total and not postfix.queue(),
               DRAIN_TIMEOUT, f"{total} deliveries")


def auth_results(path):
    """{"dkim=pass", ...}: the method results in a delivered message's Authentication-Results."""
    with open(path, "rb") as handle:
        head = handle.read().split(b"\n\n", 1)[0].decode("utf-8", "replace")
    values = re.findall(r"^Authentication-Results:(.*(?:\n[ \t].*)*)", head, re.M | re.I)
    # Method results only (a resinfo starts after ";"), not ptype.property values.
    found = re.findall(r"(?:^|;)\s*(spf|dkim|dmarc)=(\w+)", ";".join(values))
    # The null milter's header proves it was called, since it checks nothing.
    null = {"null.milter"} if any(v.strip().startswith("null.milter;") for v in values) else set()
    return {f"{method}={result}" for method, result in found} | null


def auth_summary(paths):
    """"N x dkim=pass dmarc=pass spf=pass, ..." over all delivered messages of a run."""
    counts = {}
    for path in paths:
        key = " ".join(sorted(auth_results(path))) or "none"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} x {key}" for key, n in sorted(counts.items(), key=lambda i: -i[1]))


def measure(postfix, run, message_file, count, sessions, sent_before):
    send(postfix, run.listener, message_file, WARMUP, min(sessions, 5))
    sent_before += WARMUP
    wait_drained(postfix, sent_before)
    old_files = set(delivered_files(postfix))
    master = postfix.master_pid()
    postfix_before = bench_env.tree_cpu_seconds(master)
    # Whole process trees: rspamd scans in worker processes under its main one.
    milter_before = sum(bench_env.tree_cpu_seconds(m.pid) for m in run.milters)
    start = time.monotonic()
    send(postfix, run.listener, message_file, count, sessions)
    elapsed = time.monotonic() - start
    milter_after = sum(bench_env.tree_cpu_seconds(m.pid) for m in run.milters)
    try:
        wait_drained(postfix, sent_before + count)
    except TimeoutError as error:
        print(f"{run.name}: {error}")
    files = delivered_files(postfix)
    postfix_after = bench_env.tree_cpu_seconds(master)
    run.delivered = len(files) - sent_before
    run.rate = count / elapsed
    run.milter_ms = (milter_after - milter_before) * 1000 / count
    run.postfix_ms = (postfix_after - postfix_before) * 1000 / count
    inbox = os.path.join(postfix.mail_dir, "inbox", "new")
    run.results = auth_summary([os.path.join(inbox, f) for f in files if f not in old_files])
    return sent_before + count


def print_table(runs, count, sessions):
    """One row per configuration; the last two columns measure against the null milter (the
    libmilter floor, issue 15's targets): msgs/s as a share of its msgs/s, CPU above its CPU."""
    base = runs[0].rate
    floor = next((run for run in runs if run.listener == "null"), None)
    print(f"\npostfix-bench: {count} messages per run, {sessions} parallel SMTP sessions, "
          "one session per message, 2 KB rsa-sha256 (RSA-2048) signed")
    print(f"{'configuration':28s} {'msgs/s':>8s} {'% of none':>9s} {'milter_cpu_ms':>13s} "
          f"{'postfix_cpu_ms':>14s} {'delivered':>9s} {'% of null':>9s} {'cpu-null ms':>11s}"
          "  results")
    for run in runs:
        milter = f"{run.milter_ms:13.3f}" if run.milters else f"{'-':>13s}"
        share, above = f"{'-':>9s}", f"{'-':>11s}"
        if floor is not None and run.milters and run is not floor:
            share = f"{100 * run.rate / floor.rate:8.1f}%"
            above = f"{run.milter_ms - floor.milter_ms:11.3f}"
        print(f"{run.name:28s} {run.rate:8.1f} {100 * run.rate / base:8.1f}% {milter} "
              f"{run.postfix_ms:14.3f} {run.delivered:9d} {share} {above}  {run.results}")


def median_runs(rounds):
    """Per configuration, the median msgs/s and CPU figures over the rounds (results and the
    delivered count from the last round)."""
    medians = []
    for index, last in enumerate(rounds[-1]):
        row = Run(last.name, last.listener, last.milters, last.expect)
        for field in ("rate", "milter_ms", "postfix_ms"):
            setattr(row, field, statistics.median(getattr(r[index], field) for r in rounds))
        row.delivered, row.results = last.delivered, last.results
        medians.append(row)
    return medians


def start_all(workdir, build_dir, zones, with_peers, started):
    """Starts every server, appending each to started before starting it (for cleanup).

    The private Postfix runs smtpd chrooted as Debian ships it, so the unix sockets live in its
    queue directory: authmilter's where contrib/postfix/main.cf names it, the null milter's
    beside it.
    """
    dns = bench_env.BenchDns(workdir, zones, peer_port53=with_peers)
    started.append(dns)
    dns.start()
    inet = MilterSocket.inet(free_port())
    # "normal": authmilter with store.sqlite_synchronous: normal (no fsync per commit), beside
    # the default (full), so the table shows what durability across a power loss costs.
    listeners = {"nomilter": {"smtpd_milters": ""}, "unix": {},
                 "normal": {"smtpd_milters": "unix:authmilter-normal/authmilter.sock"}}
    with_null = null_milter.available(build_dir)
    if with_null:
        listeners["null"] = {"smtpd_milters": "unix:null/null.sock"}
    with_rspamd = peer_milters.rspamd_available()
    if with_rspamd:
        rspamd_port = free_port()
        listeners["rspamd"] = {"smtpd_milters": f"inet:127.0.0.1:{rspamd_port}"}
    if with_peers:
        dkim_port, dmarc_port = free_port(), free_port()
        listeners["chain"] = {
            "smtpd_milters": f"inet:127.0.0.1:{dkim_port},inet:127.0.0.1:{dmarc_port}"
        }
    postfix = Postfix(workdir, bench_env.SOURCE_DIR, inet.postfix, listeners)
    os.makedirs(postfix.queue_dir, exist_ok=True)
    os.chmod(postfix.root, 0o755)
    unix = MilterSocket.unix(postfix.socket_path(), postfix.milter_address())
    milters = {}
    normal_sock = MilterSocket.unix(
        os.path.join(postfix.queue_dir, "authmilter-normal", "authmilter.sock"),
        "unix:authmilter-normal/authmilter.sock")
    for kind, sock, store_extra in (("unix", unix, ""), ("inet", inet, ""),
                                    ("normal", normal_sock, "sqlite_synchronous: normal")):
        milters[kind] = Milter(build_dir, bench_env.SOURCE_DIR,
                               os.path.join(workdir, f"authmilter-{kind}"), sock, dns.port,
                               AUTHSERV_ID, store_extra=store_extra)
        started.append(milters[kind])
        milters[kind].start()
    if with_null:
        null_sock = MilterSocket.unix(os.path.join(postfix.queue_dir, "null", "null.sock"),
                                      "unix:null/null.sock")
        milters["null"] = null_milter.NullMilter(build_dir, workdir, null_sock)
        started.append(milters["null"])
        milters["null"].start()
    if with_peers:
        milters["opendkim"] = peer_milters.opendkim(workdir, dkim_port, AUTHSERV_ID)
        milters["opendmarc"] = peer_milters.opendmarc(workdir, dmarc_port, AUTHSERV_ID)
        for name in ("opendkim", "opendmarc"):
            started.append(milters[name])
            milters[name].start()
    if with_rspamd:
        milters["rspamd"] = peer_milters.rspamd(workdir, rspamd_port, dns.port, AUTHSERV_ID)
        started.append(milters["rspamd"])
        milters["rspamd"].start()
    started.append(postfix)
    postfix.start()
    return postfix, milters


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every configuration this many times, in turn; then print "
                             "each round's table and the medians")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    Milter.pid = property(lambda self: self._daemon.process.pid)
    workdir = tempfile.mkdtemp(prefix="authmilter-postfix-bench-")
    os.chmod(workdir, 0o755)
    with_peers = peer_milters.available()
    started, rounds = [], []
    try:
        mail_dir, zones = bench_env.make_mail(os.path.abspath(options.build_dir), workdir, 1,
                                              client_ip="127.0.0.1")
        message_file = os.path.join(workdir, "message.txt")
        with open(os.path.join(mail_dir, "msg-0001.eml"), "rb") as src:
            # smtp-source -F appends CRLF to every line itself.
            open(message_file, "wb").write(src.read().replace(b"\r\n", b"\n"))
        postfix, milters = start_all(workdir, os.path.abspath(options.build_dir), zones,
                                     with_peers, started)
        def configurations():
            runs = [Run("no milter", "nomilter", [], "none")]
            if "null" in milters:  # the libmilter floor: same protocol, checks nothing
                runs.append(Run("null milter unix", "null", [milters["null"]], "null.milter"))
            runs += [
                Run("authmilter unix", "unix", [milters["unix"]],
                    "dkim=pass dmarc=pass spf=pass"),
                Run("authmilter unix, sync normal", "normal", [milters["normal"]],
                    "dkim=pass dmarc=pass spf=pass"),
                Run("authmilter inet", "main", [milters["inet"]],
                    "dkim=pass dmarc=pass spf=pass")]
            if "rspamd" in milters:
                runs.append(Run("rspamd 3.4", "rspamd", [milters["rspamd"]],
                                "dkim=pass dmarc=pass spf=pass"))
            if with_peers:
                runs.append(Run("opendkim+opendmarc", "chain",
                                [milters["opendkim"], milters["opendmarc"]],
                                "dkim=pass dmarc=pass spf=pass"))
            return runs

        if "null" not in milters:
            print("null_milter not built (-DAUTHMILTER_BENCHMARKS=ON): the floor not measured")
        if "rspamd" not in milters:
            print("rspamd not installed (setup-debian.sh --with-bench): not measured")
        if not with_peers:
            print("opendkim/opendmarc not installed: peer chain not measured")
        sent = 0
        for number in range(1, options.rounds + 1):
            runs = configurations()
            for run in runs:
                sent = measure(postfix, run, message_file, options.messages, options.sessions,
                               sent)
            print(f"\nround {number} of {options.rounds}, load average "
                  f"{os.getloadavg()[0]:.1f}:", end="")
            print_table(runs, options.messages, options.sessions)
            rounds.append(runs)
        if len(rounds) > 1:
            print(f"\nmedians of {len(rounds)} rounds:", end="")
            print_table(median_runs(rounds), options.messages, options.sessions)
    finally:
        for server in reversed(started):
            try:
                server.stop()
            except Exception as error:  # stop the rest regardless
                print(f"stop: {error}")
        if options.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    every = [run for one_round in rounds for run in one_round]
    bad = [r.name for r in every
           if r.delivered != options.messages or r.results != f"{options.messages} x {r.expect}"]
    for name in sorted(set(bad)):
        print(f"postfix-bench: {name}: not every message delivered with the expected results")
    return 1 if bad or not every else 0


if __name__ == "__main__":
    sys.exit(main())
