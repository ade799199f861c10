#!/usr/bin/python3
"""chaos - an hour of mixed mail through real Postfix + authmilter while everything around breaks.

    tests/bench/chaos/chaos.py BUILD_DIR [--store sqlite|postgresql|both] [--minutes 60]
                               [--rate MSGS_PER_S] [--seed N] [--keep]          # as root

Issue 20. Real unbound (tests/integration/dns_server.py), a private Postfix (postfix_instance.py,
contrib/postfix/main.cf verbatim; the chaos listener sets milter_default_action = tempfail), the
daemon on the contrib unix socket under the descriptor limit systemd gives a unit without
LimitNOFILE (1024 soft), and the store back-end under test: SQLite on a tmpfs of its own (so it
can be filled) or a private PostgreSQL 15. The peak rate is measured first by a short unpaced
ramp (or taken from --rate); the regular mix (corpus.py) is then sent at half of it for
--minutes while the schedule injects, round after round in a seeded shuffled order: SIGHUP with
a changed configuration, unbound stopped for 20 s, PostgreSQL restarted or the SQLite file
system full for 10 s, kill -9 of the daemon and restart, 1,000 milter connections at once, a
client stalling mid-message (and one that then drops), a 100 MiB message, hostile messages.
At the end: one table, exit status 1 if any line fails (see tests/bench/README.md).
"""

import argparse
import collections
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))

import corpus as corpus_module  # noqa: E402
import faults  # noqa: E402
import harness  # noqa: E402
import smtp_client  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from milter_process import Milter, MilterSocket, yaml_string  # noqa: E402
from postfix_instance import Postfix  # noqa: E402
from test_report import PG_BIN, PrivatePostgres  # noqa: E402

AUTHSERV_ID = harness.AUTHSERV_ID  # "mx.test": the forged headers in the corpus carry it too
GAP = 4.0  # seconds of undisturbed mail between two faults
WARMUP = 10.0
RAMP_SECONDS = 15.0
THREADS = 32
RECEIVED_ID = re.compile(rb"\bwith E?SMTPS?A? id ([0-9A-Za-z]+)")
RESULT_RE = re.compile(r"(?:^|;)\s*(spf|dkim|dmarc|arc)=(\w+)")
QUARANTINE_MARKER = "X-Chaos-Quarantine"

EXTRA_MAIN_CF = """
# ---- tests/bench/chaos: a 100 MiB message must fit; queue ids never repeat within a run ----
message_size_limit = 157286400
virtual_mailbox_limit = 0
mailbox_size_limit = 0
enable_long_queue_ids = yes
"""


class ChaosPostfix(Postfix):
    def main_cf_text(self):
        return super().main_cf_text() + EXTRA_MAIN_CF


class Record:
    __slots__ = ("kind", "phase", "t0", "t1", "code", "text", "queue_id", "outcome")

    def __init__(self, kind, phase):
        self.kind, self.phase = kind, phase
        self.t0 = time.time()
        self.t1 = None
        self.code, self.text, self.queue_id, self.outcome = 0, "", None, "pending"


def outcome_of(code):
    if code == 250:
        return "accepted"
    if 500 <= code < 600:
        return "rejected"
    if 400 <= code < 500:
        return "tempfailed"
    return "error"


class PostgresStore(PrivatePostgres):
    def restart(self):
        data = os.path.join(self.directory, "data")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self.as_postgres(f"{PG_BIN}/pg_ctl", "-D", data, "-o", options, "-l",
                         os.path.join(self.directory, "server.log"), "-w", "start")
        self.started = True

    def rows(self):
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-At", "-F", "\t", "-c",
             "SELECT queue_id, count(*) FROM records GROUP BY queue_id"],
            capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql: {done.stderr}")
        return {q: int(n) for q, n in (line.split("\t") for line in done.stdout.splitlines())}


class Run:
    def __init__(self, options, store, workdir, corpus):
        self.options, self.store, self.workdir, self.corpus = options, store, workdir, corpus
        self.build_dir = os.path.abspath(options.build_dir)
        self.records, self.events, self.samples = [], [], []
        self.lock = threading.Lock()
        self.side_threads = []
        self.config_generation = 0
        self.postgres = None
        self.store_disk = None
        self.dns = self.postfix = self.milter = None
        self.unexpected_exits = []
        self.stopping = threading.Event()
        self.killing = threading.Lock()  # held while the schedule kills/restarts the daemon

    # ---- servers ---------------------------------------------------------------------------
    def start(self):
        self.dns = DnsServer(self.workdir, self.corpus.zones())
        self.dns.start()
        self.postfix = ChaosPostfix(self.workdir, SOURCE_DIR, "inet:127.0.0.1:1", {
            "chaos": {"smtpd_milters": "unix:authmilter/authmilter.sock",
                      "milter_default_action": self.options.default_action}})
        self.postfix.start()
        self.port = self.postfix.port("chaos")
        if self.store == "postgresql":
            self.postgres = PostgresStore(self.workdir)
            self.store_url = self.postgres.start()
        else:
            self.store_disk = os.path.join(self.workdir, "store-disk")
            os.makedirs(self.store_disk)
            size = self.store_disk_bytes()
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                            self.store_disk], check=True)
            self.store_url = "sqlite://" + os.path.join(self.store_disk, "records.db")
        sock = MilterSocket.unix(self.postfix.socket_path(), self.postfix.milter_address())
        self.milter = Milter(self.build_dir, SOURCE_DIR, os.path.join(self.workdir, "milter"),
                             sock, self.dns.port, AUTHSERV_ID)
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        self.milter.wrapper = ["prlimit", f"--nofile={self.options.nofile}:{hard}", "--"]
        self.base_config = self.milter.config_text
        self.write_config()
        self.start_milter()

    def store_disk_bytes(self):
        # ~2.5 KiB per row with indexes and WAL, for every message at the highest rate, + room.
        rate = self.options.rate or 200
        return int(rate * 60 * self.options.minutes * 2560 + (256 << 20))

    def config_text(self):
        text = re.sub(r"(?m)^  url: .*$", f"  url: {yaml_string(self.store_url)}",
                      self.base_config)
        return text + "\n".join([
            "dmarc:",
            "  quarantine: header",
            f'  quarantine_header: "{QUARANTINE_MARKER}: v{self.config_generation}"',
            "arc:",
            '  trusted_sealers: ["list.example"]',
            ""])

    def write_config(self):
        self.milter.config_text = self.config_text()
        with open(self.milter.config_path, "w") as handle:
            handle.write(self.milter.config_text)

    def start_milter(self):
        self.milter.start(timeout=30)

    def milter_log_size(self):
        return os.path.getsize(self.milter.log_path)

    def milter_log_since(self, offset):
        with open(self.milter.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def stop(self):
        for server in (self.milter, self.postfix):
            if server is not None:
                try:
                    server.stop()
                except Exception as error:
                    print(f"stop: {error}")
        if self.dns is not None:
            self.dns.stop()
        if self.postgres is not None:
            self.postgres.stop()
        if self.store_disk:
            subprocess.run(["umount", "-l", self.store_disk], check=False)

    # ---- mail ------------------------------------------------------------------------------
    def new_record(self, kind, phase):
        record = Record(kind, phase)
        with self.lock:
            self.records.append(record)
        return record

    def finish(self, record, code, text, queue_id):
        record.t1 = time.time()
        record.code, record.text, record.queue_id = code, text, queue_id
        dropped = record.kind.answer == "none" and code == 0
        record.outcome = "dropped" if dropped else outcome_of(code)

    def send(self, kind, phase):
        record = self.new_record(kind, phase)
        try:
            result = smtp_client.send(self.port, kind.mail_from, kind.rcpts, kind.message,
                                      xclient=kind.xclient)
            final = result.final
            self.finish(record, final.code, f"{final.stage}: {final.text}", result.queue_id)
        except Exception as error:
            self.finish(record, 0, f"client error {error!r}", None)
        return record

    def load(self, seconds, rate, phase, threads=THREADS):
        """Sends the regular mix for `seconds` (rate None: as fast as the threads go)."""
        kinds = self.corpus.regular()
        weights = [kind.weight for kind in kinds]
        rng = random.Random(self.options.seed)
        picks = threading.Lock()
        state = {"next": 0}
        begin = time.monotonic()
        stop_at = begin + seconds

        def worker():
            while not self.stopping.is_set():
                with picks:
                    index = state["next"]
                    state["next"] += 1
                    kind = rng.choices(kinds, weights)[0]
                if rate:
                    delay = begin + index / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                if time.monotonic() >= stop_at or self.stopping.is_set():
                    return
                self.send(kind, phase)

        workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
        for thread in workers:
            thread.start()
        return workers

    def sample(self, label):
        try:
            pid = self.milter.pid()
            with open(f"/proc/{pid}/status") as handle:
                rss = int(re.search(r"VmRSS:\s+(\d+)", handle.read()).group(1))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, AttributeError):
            rss, fds = -1, -1
        self.samples.append((label, time.time(), rss, fds))
        return rss, fds

    def watch(self):
        """Counts the daemon dying on its own (not by the schedule's kill) and restarts it."""
        while not self.stopping.wait(0.5):
            with self.killing:
                if self.milter._daemon is not None and not self.milter.running():
                    status = self.milter._daemon.process.returncode
                    self.unexpected_exits.append((time.time(), status))
                    self.milter.forget_killed()
                    try:
                        self.start_milter()
                    except Exception as error:
                        print(f"restart after unexpected exit failed: {error}")

    # ---- the schedule ----------------------------------------------------------------------
    def schedule(self):
        kinds = [("sighup", faults.sighup), ("dns-down", faults.dns_outage),
                 ("kill-9", faults.kill9), ("burst", faults.burst),
                 ("big-100MiB", faults.big_message), ("hostile", faults.hostile),
                 ("stall", faults.stall),
                 ("stall-drop", lambda run: faults.stall(run, drop=True))]
        if self.store == "postgresql":
            kinds.append(("pg-restart", faults.postgres_restart))
        else:
            kinds.append(("disk-full", faults.disk_full))
        return kinds

    def run_faults(self, deadline):
        rng = random.Random(self.options.seed)
        kinds = self.schedule()
        round_number = 0
        while True:
            order = kinds[:]
            rng.shuffle(order)
            round_number += 1
            # A round takes about 110 s; start one only if it can end before the deadline.
            if time.time() + 110 > deadline and round_number > 1:
                return
            for name, inject in order:
                if time.time() + 40 > deadline:
                    return
                with self.killing:
                    try:
                        event = inject(self)
                    except Exception as error:
                        event = faults.Event(name, time.time(), time.time(), ok=False,
                                             note=f"injection failed: {error!r}")
                self.events.append(event)
                time.sleep(event.settle if event.others else 0.5)
                event.rss_kib, event.fds = self.sample(f"after {name}")
                print(f"  {time.strftime('%H:%M:%S')} {name:11s} {event.note}"
                      f"  (RSS {event.rss_kib / 1024:.1f} MiB, {event.fds} fds)", flush=True)
                time.sleep(GAP)


def measure_peak(run):
    print(f"ramp: unpaced regular mix, {THREADS} SMTP sessions in parallel, {RAMP_SECONDS:.0f} s",
          flush=True)
    before = len(run.records)
    started = time.time()
    for thread in run.load(RAMP_SECONDS, None, "ramp"):
        thread.join()
    ramp = run.records[before:]
    done = [r for r in ramp if r.outcome in ("accepted", "rejected")]
    peak = len(done) / (time.time() - started)
    print(f"ramp: {len(done)} messages answered in {time.time() - started:.1f} s: peak "
          f"{peak:.1f} msgs/s", flush=True)
    return peak


def wait_drained(run, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [e for e in run.postfix.queue() if e.get("queue_name") != "hold"]:
            return True
        time.sleep(1)
    return False


def delivered_index(postfix):
    """{queue id: [header section text of each delivered copy]} from the Maildir."""
    found = collections.defaultdict(list)
    for sub in ("new", "cur"):
        directory = os.path.join(postfix.mail_dir, "inbox", sub)
        for name in os.listdir(directory) if os.path.isdir(directory) else []:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                data = handle.read(1 << 18)
            head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
            match = RECEIVED_ID.search(head)
            if match:
                found[match.group(1).decode()].append(head.decode("utf-8", "replace"))
            if os.path.getsize(path) > (16 << 20):
                os.unlink(path)  # the 100 MiB copies: judged from their header, then removed
    return found


def fields(head):
    out = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and out:
            out[-1][1] += " " + line.strip()
        elif ":" in line:
            name, value = line.split(":", 1)
            out.append([name.strip(), value.strip()])
    return out


def our_results(head):
    """(our AR values, forged marker present, {method: set(results)}, quarantine marker)."""
    ours, marker = [], False
    quarantine = None
    for name, value in fields(head):
        if name.lower() == "authentication-results":
            if corpus_module.FORGED_MARKER in value:
                marker = True
            if harness.authserv_id(value) == AUTHSERV_ID:
                ours.append(value)
        if name == QUARANTINE_MARKER:
            quarantine = value
    results = collections.defaultdict(set)
    for value in ours:
        for method, result in RESULT_RE.findall(harness.strip_comments(value)):
            results[method].add(result)
    return ours, marker, results, quarantine


def store_rows(run):
    if run.postgres is not None:
        return run.postgres.rows()
    path = run.store_url[len("sqlite://"):]
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {q: n for q, n in db.execute(
            "SELECT queue_id, count(*) FROM records GROUP BY queue_id")}


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def judge(run, rate, peak):
    """The table: [(line, figures, bound, passed)]."""
    windows = [(e.start, e.end + e.settle, e.allows) for e in run.events if e.others]
    dns_windows = [(s, e) for s, e, allows in windows if "temperror" in allows]

    def allowed(record):
        found = set()
        for start, end, allows in windows:
            if record.t0 < end and (record.t1 or time.time()) > start:
                found.update(allows)
        return found

    def in_any_window(record):
        return any(record.t0 < end and record.t1 > start for start, end, _ in windows)

    delivered = delivered_index(run.postfix)
    rows = store_rows(run)
    counts = collections.Counter(r.outcome for r in run.records)
    lines = []
    unexpected = []  # (record, why)
    tempfail_causes = collections.Counter()
    ar_copies = ar_ok = forged_left = unchecked = not_delivered = 0
    evaluated = with_row = 0
    lost = []
    wrong_pass = []
    off_results = []
    temperror_seen = 0
    dns_lag = 0.0  # the latest temperror after unbound answered again, in seconds
    answered_ids = set()
    orphan_bound = 0
    dmarc_rejects = 0
    off_kinds = collections.Counter()
    for record in run.records:
        kind, allows = record.kind, allowed(record)
        if record.outcome == "dropped":
            continue
        if record.queue_id:
            answered_ids.add(record.queue_id)
        if record.outcome == "tempfailed":
            if "tempfail" in allows:
                cause = "+".join(sorted({e.kind for e in run.events if e.others and "tempfail" in
                                         e.allows and record.t0 < e.end + e.settle and
                                         record.t1 > e.start}))
                tempfail_causes[cause] += 1
                orphan_bound += 1
            else:
                unexpected.append((record, "tempfailed outside a fault that allows it"))
            continue
        if record.outcome == "error":
            unexpected.append((record, "no SMTP answer"))
            continue
        if record.outcome == "rejected":
            dns = "temperror" in allows
            if kind.answer == "reject" or kind.hostile:
                if "DMARC policy" in record.text:
                    dmarc_rejects += 1  # recorded too, but Postfix names no queue id in a 5xx
                continue
            unexpected.append((record, "rejected" + (" (DNS window)" if dns else "")))
            continue
        # accepted
        copies = delivered.get(record.queue_id, [])
        if len(copies) != len(kind.rcpts):
            not_delivered += 1
            unexpected.append((record, f"{len(copies)} delivered copies, {len(kind.rcpts)} rcpts"))
        results = None
        for head in copies:
            ours, marker, results, quarantine = our_results(head)
            ar_copies += 1
            if not ours:
                unchecked += 1
            elif len(ours) == 1 and not marker:
                ar_ok += 1
            if marker:
                forged_left += 1
        if results is None:
            continue
        got = {method: "/".join(sorted(values)) for method, values in results.items()}
        healthy = all(got.get(m) == r for m, r in kind.results.items())
        if kind.answer == "reject" and not kind.hostile:
            healthy = False  # a DMARC reject delivered: only a DNS outage may explain it
        if not healthy:
            in_dns = "temperror" in allows
            for method, expected in kind.results.items():
                if "pass" in got.get(method, "") and expected != "pass":
                    wrong_pass.append((record, got))
            if kind.answer == "reject" and "pass" in got.get("dmarc", ""):
                wrong_pass.append((record, got))
            temperrors = any("temperror" in v for v in got.values())
            if in_dns and temperrors:
                temperror_seen += 1
                dns_lag = max([dns_lag] + [record.t0 - e.end for e in run.events
                                           if e.kind == "dns-down" and e.start < record.t1
                                           and record.t0 < e.end + e.settle])
            else:
                off_results.append((record, got))
                off_kinds[kind.name] += 1
        if got.get("dmarc") in ("pass", "fail"):
            evaluated += 1
            if rows.get(record.queue_id):
                with_row += 1
            else:
                lost.append(record)
    duplicates = sum(1 for q, n in rows.items() if n > 1)
    orphans = sum(n for q, n in rows.items() if q not in answered_ids)
    orphan_bound += dmarc_rejects
    sent = len([r for r in run.records if r.outcome != "dropped"])

    lines.append(("messages sent/accepted/rejected/tempfailed",
                  f"{sent} / {counts['accepted']} / {counts['rejected']} / "
                  f"{counts['tempfailed']} (no answer {counts['error']}); tempfails in: "
                  + (", ".join(f"{k} {n}" for k, n in sorted(tempfail_causes.items())) or "-"),
                  "every answer as the schedule allows", not unexpected))
    lines.append(("one AR of ours, no forged one",
                  f"{ar_ok} of {ar_copies} delivered copies; unchecked {unchecked}, "
                  f"forged left {forged_left}, accepted not delivered {not_delivered}",
                  "all", ar_ok == ar_copies and not unchecked and not forged_left
                  and not not_delivered))
    lines.append((f"report rows ({run.store})",
                  f"{with_row} of {evaluated} DMARC-evaluated; lost {len(lost)}, duplicated "
                  f"{duplicates}; rows of no accepted message {orphans} (DMARC rejects "
                  f"{dmarc_rejects} + rows of tempfailed messages)",
                  f"lost 0, dup 0, others <= {orphan_bound}",
                  not lost and duplicates == 0 and orphans <= orphan_bound))
    lines.append(("no pass / unchecked from a fault",
                  f"pass where not due {len(wrong_pass)}, unchecked {unchecked}, results off "
                  f"outside DNS windows {len(off_results)} "
                  f"({', '.join(f'{k} {n}' for k, n in off_kinds.most_common()) or '-'}), "
                  f"temperror in DNS windows "
                  f"{temperror_seen}, the last {dns_lag:.1f} s after unbound was back (window "
                  f"{faults.DNS_RECOVERY:.0f} s)", "0 / 0 / 0", not wrong_pass and not unchecked
                  and not off_results))
    good = [s for s in run.samples if s[2] > 0]
    if good:
        first, last = good[0], good[-1]
        peak_rss = max(s[2] for s in good)
        peak_fds = max(s[3] for s in good)
        rss_limit = first[2] + max(first[2] // 2, 32 << 10)
        fds_limit = first[3] + THREADS + 16
        lines.append(("daemon RSS (MiB) start/max/end",
                      f"{first[2] / 1024:.1f} / {peak_rss / 1024:.1f} / {last[2] / 1024:.1f} "
                      f"({len(good)} samples)", f"<= {rss_limit / 1024:.1f}",
                      peak_rss <= rss_limit and last[2] <= rss_limit))
        lines.append(("daemon descriptors start/max/end",
                      f"{first[3]} / {peak_fds} / {last[3]}", f"<= {fds_limit}",
                      peak_fds <= fds_limit and last[3] <= fds_limit))
    latencies = [(r.t1 - r.t0) * 1000 for r in run.records
                 if r.phase == "load" and r.outcome in ("accepted", "rejected")
                 and not in_any_window(r)]
    p99 = percentile(latencies, 0.99)
    lines.append(("p99 latency outside fault windows",
                  f"{p99:.0f} ms (p50 {percentile(latencies, 0.5):.0f} ms, {len(latencies)} "
                  f"messages)", f"<= {run.options.p99_ms} ms",
                  bool(latencies) and p99 <= run.options.p99_ms))
    injected = collections.Counter(e.kind for e in run.events)
    failed = [e for e in run.events if not e.ok]
    minimum = 2 if run.options.minutes < 30 else 5
    kinds = [name for name, _ in run.schedule()]
    lines.append(("faults injected",
                  " ".join(f"{k} {injected[k]}" for k in kinds) + f"; failed {len(failed)}",
                  f">= {minimum} each, none failed",
                  all(injected[k] >= minimum for k in kinds) and not failed))
    lines.append(("daemon exits not caused by the schedule", f"{len(run.unexpected_exits)}",
                  "0", not run.unexpected_exits))
    return lines, unexpected, lost, wrong_pass, off_results, failed


def print_table(title, lines):
    print(f"\n{title}")
    width = max(len(line[0]) for line in lines)
    for name, figures, bound, passed in lines:
        print(f"{'PASS' if passed else 'FAIL'}  {name:{width}s}  {figures}   [{bound}]")


def describe(record):
    return (f"{record.kind.name} {record.phase} {time.strftime('%H:%M:%S', time.localtime(record.t0))}"
            f"+{(record.t1 or record.t0) - record.t0:.1f}s {record.queue_id} {record.code} "
            f"{record.text[:120]!r}")


def run_one(options, store, corpus, workdir):
    run = Run(options, store, workdir, corpus)
    print(f"\n=== chaos run: store {store}, {options.minutes} min, workdir {workdir}", flush=True)
    try:
        run.start()
        watcher = threading.Thread(target=run.watch, daemon=True)
        watcher.start()
        peak = options.rate * 2 if options.rate else measure_peak(run)
        rate = options.rate or peak / 2
        print(f"load: {rate:.1f} msgs/s (half of {peak:.1f}) for {options.minutes} min", flush=True)
        deadline = time.time() + options.minutes * 60
        workers = run.load(options.minutes * 60, rate, "load")
        time.sleep(WARMUP)
        run.sample("start")
        run.run_faults(deadline - 15)
        for thread in workers:
            thread.join()
        for thread in run.side_threads:
            thread.join(timeout=120)
        run.sample("end")
        run.stopping.set()
        drained = wait_drained(run)
        lines, unexpected, lost, wrong_pass, off, failed = judge(run, rate, peak)
        if not drained:
            lines.append(("Postfix queue drained", "no", "yes", False))
        title = (f"chaos {store}: {options.minutes} min at {rate:.1f} msgs/s (peak {peak:.1f}), "
                 f"milter_default_action={options.default_action}, seed {options.seed}")
        for label, what in (("unexpected", unexpected), ("lost rows", [(r, "") for r in lost]),
                            ("pass not due", wrong_pass), ("results off", off)):
            for record, why in what[:10]:
                print(f"  {label}: {describe(record)} {why}")
        for event in failed:
            print(f"  failed fault: {event.kind}: {event.note}")
        print("\nsamples (label, RSS MiB, fds): " + ", ".join(
            f"{label} {rss / 1024:.1f}/{fds}" for label, _, rss, fds in run.samples))
        print_table(title, lines)
        return lines
    finally:
        run.stopping.set()
        log_copy = os.path.join(tempfile.gettempdir(), f"chaos-{store}-authmilter.log")
        try:
            shutil.copyfile(run.milter.log_path, log_copy)
            shutil.copyfile(run.postfix.maillog_path, log_copy.replace("authmilter", "maillog"))
            print(f"logs kept: {log_copy}, {log_copy.replace('authmilter', 'maillog')}")
        except (OSError, AttributeError):
            pass
        run.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--rate", type=float, default=0, help="msgs/s (default: half of a ramp)")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--p99-ms", type=int, default=1000)
    parser.add_argument("--nofile", type=int, default=1024,
                        help="the daemon's soft descriptor limit (systemd's default: 1024)")
    parser.add_argument("--default-action", choices=("tempfail", "accept"), default="tempfail")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    if os.geteuid() != 0:
        print("chaos.py: runs a private Postfix and mounts a tmpfs: run as root", file=sys.stderr)
        return 77
    os.environ.setdefault("AUTHMILTER_BUILD_DIR", os.path.abspath(options.build_dir))
    top = tempfile.mkdtemp(prefix="authmilter-chaos-")
    os.chmod(top, 0o755)
    stores = ["sqlite", "postgresql"] if options.store == "both" else [options.store]
    results = []
    try:
        print("making the corpus (DKIM signatures, ARC seal, the 100 MiB message)...", flush=True)
        corpus = corpus_module.Corpus(top)
        if not corpus.arc_available:
            print("python3-dkim (dkimpy) missing: no ARC-sealed list mail in the mix")
        for store in stores:
            workdir = os.path.join(top, store)
            os.makedirs(workdir)
            os.chmod(workdir, 0o755)
            results.append((store, run_one(options, store, corpus, workdir)))
    finally:
        if options.keep:
            print(f"work directory kept: {top}")
        else:
            shutil.rmtree(top, ignore_errors=True)
    failed = [store for store, lines in results if not all(line[3] for line in lines)]
    print("\nchaos: " + ("FAILED on " + ", ".join(failed) if failed else "all lines pass"))
    return 1 if failed or len(results) != len(stores) else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
