"""Aggregate reports end to end: authmilter-report delivers through real Postfix.

Three policy domains publish rua= addresses that all end in the harness mailbox (example.net):
example.net itself (an internal destination), third.test (an external destination authorized by
third.test._report._dmarc.example.net) and unauth.test (external, no authorization record). The
report program runs with the module's unbound as its resolver and Postfix's sendmail as its
delivery command. Checked: the internal and the authorized destination each get one report mail
with the RFC Subject and file name; the gzip'ed XML parses and its counts equal the messages; the
unauthorized destination gets nothing; a second run prints nothing and sends nothing.

SeededStoreReports fills the store with rows directly (it runs as soon as authmilter-report
exists). EndToEndReports sends the messages through Postfix + authmilter and reads the rows the
daemon recorded. PostgresFleetReports runs two authmilter instances (behind two Postfix
listeners) writing into one private PostgreSQL 15 and checks the merged reports. Both are left
out (said so on stderr), like DurabilityUnderKill (SIGKILL under load: every message Postfix
accepted has its row), until the daemon's configuration schema has a `store` section.
"""

import contextlib
import email
import email.policy
import gzip
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import unittest
import time
import xml.etree.ElementTree as ElementTree

import harness
from milter_process import yaml_string
from processes import free_port

ENV = harness.Environment("report")
NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
REPORT_TIMEOUT = 20.0
SENDMAIL = "/usr/sbin/sendmail"
MESSAGES = {"example.net": 3, "third.test": 2, "unauth.test": 2}
RUA = {
    "example.net": "dmarc@example.net",
    "third.test": "third-rua@example.net",
    "unauth.test": "unauth-rua@example.net",
}

ZONES = {
    "example.net": [
        '_dmarc.example.net. TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.net"',
        'example.net. TXT "v=spf1 ip4:127.0.0.1 -all"',
        'third.test._report._dmarc.example.net. TXT "v=DMARC1"',
    ],
    "third.test": [
        '_dmarc.third.test. TXT "v=DMARC1; p=none; rua=mailto:third-rua@example.net"',
        'third.test. TXT "v=spf1 ip4:127.0.0.1 -all"',
    ],
    "unauth.test": [
        '_dmarc.unauth.test. TXT "v=DMARC1; p=none; rua=mailto:unauth-rua@example.net"',
        'unauth.test. TXT "v=spf1 ip4:127.0.0.1 -all"',
    ],
}


def setUpModule():
    ENV.start(zones=ZONES, listeners={"strict": {"milter_default_action": "tempfail"}})


def report_binary():
    return os.path.join(harness.build_dir(), "filter", "authmilter-report")


def report_config(workdir, store_path):
    """The report program's config: the sections it reads (store, reports, dns)."""
    postfix = ENV.postfix
    text = "\n".join([
        "dns:",
        f"  resolvers: [{yaml_string(f'127.0.0.1@{ENV.dns.port}')}]",
        "store:",
        f"  url: {yaml_string('sqlite://' + store_path)}",
        "reports:",
        "  org_name: Harness Receiver",
        "  email: dmarc-reports@mx.test",
        "  submitter: mx.test",
        f"  sendmail_command: [{SENDMAIL}, -C, {yaml_string(postfix.config_dir)}, -t, -oi]",
        "",
    ])
    path = os.path.join(workdir, "report.yaml")
    with open(path, "w") as handle:
        handle.write(text)
    return path


def run_report(config_path, *args):
    tomorrow = str(int(time.time()) + 86400)  # closes today's interval
    return subprocess.run([report_binary(), "--config", config_path, "--until", tomorrow, *args],
                          capture_output=True, text=True, timeout=60)


def report_mails(exclude=frozenset()):
    """Delivered report mails in the harness Maildir not named in exclude: {file: (To, message)}."""
    found = {}
    for sub in ("new", "cur"):
        directory = os.path.join(ENV.postfix.mail_dir, "inbox", sub)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if name in exclude:
                continue
            with open(os.path.join(directory, name), "rb") as handle:
                message = email.message_from_binary_file(handle, policy=email.policy.default)
            if str(message.get("Subject", "")).startswith("Report Domain:"):
                found[name] = (message["To"].addresses[0].addr_spec, message)
    return found


def wait_for_reports(count, exclude):
    deadline = time.monotonic() + REPORT_TIMEOUT
    while time.monotonic() < deadline:
        if len(report_mails(exclude)) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"{len(report_mails(exclude))} report mails, expected {count}\n"
                         f"{ENV.postfix.maillog()}")


def parse_report(message):
    """The attached report: (file name, XML root)."""
    attachments = [part for part in message.iter_attachments()]
    assert len(attachments) == 1, f"{len(attachments)} attachments"
    name = attachments[0].get_filename()
    return name, ElementTree.fromstring(gzip.decompress(attachments[0].get_content()))


class ReportChecks:
    """Assertions shared by both classes; self.expected: policy domain -> messages."""

    def check_delivered_reports(self, config_path):
        earlier = frozenset(report_mails())  # another class's reports share the mailbox
        metrics_path = os.path.join(os.path.dirname(config_path), "authmilter_report.prom")
        done = run_report(config_path, "--metrics-file", metrics_path)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual(len(lines), 3, done.stdout)  # one line per report
        self.check_run_metrics(metrics_path, reports=3, sent=2)
        self.assertIn("refused=unauth-rua@example.net", done.stdout)
        wait_for_reports(2, earlier)
        time.sleep(1.0)  # anything else on its way (it must not come) has arrived by now
        mails = report_mails(earlier).values()
        recipients = sorted(to for to, _ in mails)
        self.assertEqual(recipients, ["dmarc@example.net", "third-rua@example.net"])
        for to, message in mails:
            domain = "example.net" if to == "dmarc@example.net" else "third.test"
            self.check_report(message, domain)
        again = run_report(config_path)
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertEqual(again.stdout, "")  # quiet: nothing left to do
        time.sleep(1.0)
        self.assertEqual(len(report_mails(earlier)), 2)

    def check_run_metrics(self, path, reports, sent):
        """The textfile-collector figures of the run: values, and promtool accepts them."""
        with open(path) as handle:
            text = handle.read()
        figures = dict(line.split(" ", 1) for line in text.splitlines() if line[:1] != "#")
        self.assertEqual(float(figures["authmilter_report_last_run_reports"]), reports, text)
        self.assertEqual(float(figures["authmilter_report_last_run_sent"]), sent, text)
        self.assertEqual(float(figures["authmilter_report_last_run_failures"]), 0, text)
        self.assertEqual(float(figures["authmilter_report_rows_pending"]), 0, text)
        self.assertEqual(float(figures["authmilter_report_last_run_success"]), 1, text)
        self.assertAlmostEqual(float(figures["authmilter_report_last_run_timestamp_seconds"]),
                               time.time(), delta=120)
        checked = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=text,
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def check_report(self, message, domain):
        subject = str(message["Subject"])
        self.assertRegex(subject, rf"^Report Domain: {domain} Submitter: mx.test Report-ID: <\w+>$")
        name, root = parse_report(message)
        self.assertRegex(name, rf"^mx\.test!{domain}!\d+!\d+!\w+\.xml\.gz$")
        self.assertEqual(root.tag, NS + "feedback")
        self.assertEqual(root.findtext(f"{NS}policy_published/{NS}domain"), domain)
        report_id = root.findtext(f"{NS}report_metadata/{NS}report_id")
        self.assertIn(f"<{report_id}>", subject)
        counts = sum(int(row.findtext(f"{NS}row/{NS}count")) for row in root.iter(NS + "record"))
        self.assertEqual(counts, self.expected[domain])
        for record in root.iter(NS + "record"):
            self.assertEqual(record.findtext(f"{NS}identifiers/{NS}header_from"), domain)


class SeededStoreReports(harness.MilterTestCase, ReportChecks):
    """Rows written straight into the store; Postfix (with the class's milter) delivers."""

    env = ENV
    expected = MESSAGES

    def seed(self, store_path):
        created = run_report(report_config(self.milter.workdir, store_path), "--dry-run",
                             "--out-dir", self.milter.workdir)  # creates the schema
        self.assertEqual(created.returncode, 0, created.stderr)
        now = int(time.time())
        columns = ("time policy_domain policy_key source_ip header_from envelope_from envelope_to"
                   " spf_domain spf_scope spf_result dkim p sp np psd testing adkim aspf pct fo"
                   " discovery rua disposition dmarc_result dkim_aligned spf_aligned overrides"
                   " queue_id").split()
        with sqlite3.connect(store_path) as db:
            for domain, count in MESSAGES.items():
                for i in range(count):
                    row = {name: "" for name in columns}
                    row.update(time=now, policy_domain=domain, policy_key=f"key-{domain}",
                               source_ip="127.0.0.1", header_from=domain, envelope_from=domain,
                               spf_domain=domain, spf_scope="mfrom", spf_result="pass", p="none",
                               psd="u", testing=0, adkim="r", aspf="r", pct=100, fo="0",
                               discovery="treewalk", rua=f"mailto:{RUA[domain]}",
                               disposition="none", dmarc_result="pass", dkim_aligned="fail",
                               spf_aligned="pass", queue_id=f"SEED{i}")
                    db.execute(f"INSERT INTO records ({', '.join(columns)}) VALUES"
                               f" ({', '.join('?' for _ in columns)})",
                               [row[name] for name in columns])

    def test_reports_reach_authorized_destinations_once(self):
        if not os.access(report_binary(), os.X_OK):
            self.fail(f"{report_binary()} missing: build the authmilter-report target")
        store_path = os.path.join(self.milter.workdir, "seeded.db")
        self.seed(store_path)
        self.check_delivered_reports(report_config(self.milter.workdir, store_path))


class EndToEndReports(harness.MilterTestCase, ReportChecks):
    """Messages through Postfix + authmilter; the daemon's rows become the reports."""

    env = ENV
    expected = MESSAGES

    def test_messages_sent_equal_reported_counts(self):
        for domain, count in MESSAGES.items():
            for i in range(count):
                message = harness.make_message(f"report {domain} {i}", sender=f"user@{domain}")
                self.send_and_receive(message, mail_from=f"bounce@{domain}")
        store_path = os.path.join(self.milter.workdir, "records.db")
        self.assertTrue(os.path.exists(store_path), "the daemon created no store")
        self.check_delivered_reports(report_config(self.milter.workdir, store_path))


PG_BIN = "/usr/lib/postgresql/15/bin"


class PrivatePostgres:
    """PostgreSQL 15 on a free loopback port in a temp dir (as the postgres user)."""

    def __init__(self, parent):
        self.directory = os.path.join(parent, "postgres")
        os.makedirs(self.directory)
        shutil.chown(self.directory, "postgres")
        self.port = free_port()
        self.started = False

    def as_postgres(self, *argv):
        done = subprocess.run(["runuser", "-u", "postgres", "--", *argv], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}{done.stderr}")

    def start(self):
        data = os.path.join(self.directory, "data")
        self.as_postgres(f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self.as_postgres(f"{PG_BIN}/pg_ctl", "-D", data, "-o", options, "-l",
                         os.path.join(self.directory, "server.log"), "-w", "start")
        self.started = True
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self):
        if self.started:
            self.started = False
            self.as_postgres(f"{PG_BIN}/pg_ctl", "-D", os.path.join(self.directory, "data"),
                             "-m", "fast", "stop")


class PostgresFleetReports(unittest.TestCase, ReportChecks):
    """Two authmilter instances (Postfix listeners main and unix) write into one PostgreSQL;
    authmilter-report merges their rows into one report per domain."""

    expected = MESSAGES

    @classmethod
    def setUpClass(cls):
        cls.postgres = PrivatePostgres(ENV.workdir)
        cls.addClassCleanup(cls.postgres.stop)
        cls.url = cls.postgres.start()
        cls.milters = []
        for kind in ("inet", "unix"):
            milter = ENV.milter(kind)
            milter.config_text = re.sub(r'(?m)^  url: .*$', f"  url: {yaml_string(cls.url)}",
                                        milter.config_text)
            cls.addClassCleanup(milter.stop)
            harness.RUNNING.append(milter)
            milter.start()
            cls.milters.append(milter)

    def test_two_instances_one_merged_report(self):
        sent = 0
        for domain, count in MESSAGES.items():
            for i in range(count):
                listener = ("main", "unix")[sent % 2]  # alternate between the two instances
                sent += 1
                message = harness.make_message(f"fleet {domain} {i}", sender=f"user@{domain}")
                result = ENV.postfix.send(f"bounce@{domain}", harness.RECIPIENT, message,
                                          listener=listener)
                self.assertTrue(result.accepted, f"not accepted: {result}")
                ENV.postfix.wait_delivered(result.queue_id)
        workdir = self.milters[0].workdir
        config = report_config(workdir, "unused")
        with open(config) as handle:
            text = handle.read()
        with open(config, "w") as handle:
            handle.write(re.sub(r"(?m)^  url: .*$", f"  url: {yaml_string(self.url)}", text))
        self.check_delivered_reports(config)


class DurabilityUnderKill(harness.MilterTestCase):
    """Under load through a listener with milter_default_action=tempfail, authmilter is killed
    with SIGKILL; every message Postfix accepted (250, so authmilter had answered) has its row."""

    env = ENV
    SENDERS = 4
    PER_SENDER = 40

    def send_many(self, results, index):
        for i in range(self.PER_SENDER):
            message = harness.make_message(f"load {index} {i}", sender="user@example.net")
            results.append(ENV.postfix.send("bounce@example.net", harness.RECIPIENT, message,
                                            listener="strict"))

    def test_kill_dash_nine_loses_no_answered_row(self):
        results = []
        threads = [threading.Thread(target=self.send_many, args=(results, n))
                   for n in range(self.SENDERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30.0
        while sum(1 for r in results if r.accepted) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(self.milter.pid(), signal.SIGKILL)
        self.milter.forget_killed()  # dead: the class cleanup has nothing to stop
        for thread in threads:
            thread.join()
        accepted = [r.queue_id for r in results if r.accepted]
        self.assertGreaterEqual(len(accepted), 20)
        self.assertLess(len(accepted), len(results), "the kill came after the last message")
        with sqlite3.connect(os.path.join(self.milter.workdir, "records.db")) as db:
            stored = {row[0] for row in db.execute("SELECT queue_id FROM records")}
        lost = [queue_id for queue_id in accepted if queue_id not in stored]
        self.assertEqual(lost, [], f"{len(lost)} of {len(accepted)} accepted messages have no row")


class StoreFailure(unittest.TestCase):
    """The store goes away under a running daemon (PostgreSQL stopped): with
    store.on_failure: tempfail the message gets 451 4.3.0 at end of DATA (the sender retries, no
    message goes unrecorded); with continue it is accepted and the failure logged loudly."""

    @classmethod
    def setUpClass(cls):
        cls.postgres = PrivatePostgres(os.path.join(ENV.workdir, "store-failure"))
        cls.addClassCleanup(cls.postgres.stop)
        url = cls.postgres.start()
        cls.milters = {}
        for kind, action in (("inet", "tempfail"), ("unix", "continue")):
            milter = ENV.milter(kind)
            milter.config_text = re.sub(
                r"(?m)^  url: .*$", f"  url: {yaml_string(url)}\n  on_failure: {action}",
                milter.config_text)
            cls.addClassCleanup(milter.stop)
            harness.RUNNING.append(milter)
            milter.start()
            cls.milters[action] = milter

    def send(self, listener, subject):
        message = harness.make_message(subject, sender="user@example.net")
        return ENV.postfix.send("bounce@example.net", harness.RECIPIENT, message,
                                listener=listener)

    def test_lost_store_tempfails_or_continues_as_configured(self):
        for listener in ("main", "unix"):
            before = self.send(listener, f"store up via {listener}")
            self.assertTrue(before.accepted, before)
        self.postgres.stop()
        refused = self.send("main", "store down, tempfail")
        self.assertFalse(refused.accepted, refused)
        self.assertEqual(refused.code("data"), 451, refused)
        self.assertIn("4.3.0", str(refused))
        accepted = self.send("unix", "store down, continue")
        self.assertTrue(accepted.accepted, accepted)
        for milter in self.milters.values():
            self.assertIn("record store: cannot record", milter.log_text())


class StoreOnBrokenDisk(unittest.TestCase):
    """The SQLite store's file system (a small tmpfs of its own) fills up under a running daemon:
    with on_failure: tempfail the message gets 451 4.3.0 (nothing accepted goes unrecorded), with
    continue it is accepted and the failure logged; the daemon never dies, and once there is
    space again the next message is recorded. On a read-only file system the daemon refuses to
    start with the reason, and starts once it is writable."""

    SIZE = "4m"

    @classmethod
    def setUpClass(cls):
        cls.disk = os.path.join(ENV.workdir, "small-disk")
        os.makedirs(cls.disk, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={cls.SIZE},mode=0755",
                                  "tmpfs", cls.disk], capture_output=True, text=True)
        if mounted.returncode != 0:
            raise unittest.SkipTest(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
        cls.addClassCleanup(subprocess.run, ["umount", "-l", cls.disk], check=False)
        cls.milters = {}
        for kind, action in (("inet", "tempfail"), ("unix", "continue")):
            milter = ENV.milter(kind)
            url = "sqlite://" + os.path.join(cls.disk, f"{action}.db")
            milter.config_text = re.sub(
                r"(?m)^  url: .*$", f"  url: {yaml_string(url)}\n  on_failure: {action}",
                milter.config_text)
            cls.addClassCleanup(milter.stop)
            harness.RUNNING.append(milter)
            milter.start()
            cls.milters[action] = milter

    def send(self, listener, subject):
        message = harness.make_message(subject, sender="user@example.net")
        return ENV.postfix.send("bounce@example.net", harness.RECIPIENT, message,
                                listener=listener)

    def stored(self, action):
        path = os.path.join(self.disk, f"{action}.db")
        # closing(): a connection left open (even read-only: it maps the WAL index read-write)
        # would keep the file system busy for the remount below.
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return {row[0] for row in db.execute("SELECT queue_id FROM records")}

    def fill_disk(self):
        filler = os.path.join(self.disk, "filler")
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        return filler

    def check_broken(self, what):
        refused = self.send("main", f"{what}, tempfail")
        self.assertFalse(refused.accepted, refused)
        self.assertEqual(refused.code("data"), 451, refused)
        self.assertIn("4.3.0", str(refused))
        accepted = self.send("unix", f"{what}, continue")
        self.assertTrue(accepted.accepted, accepted)
        for milter in self.milters.values():
            self.assertTrue(milter.running(), f"the daemon died on a {what}")

    def check_recovered(self, what):
        for listener, action in (("main", "tempfail"), ("unix", "continue")):
            after = self.send(listener, f"after {what} via {listener}")
            self.assertTrue(after.accepted, after)
            self.assertIn(after.queue_id, self.stored(action), f"recorded again after {what}")

    def test_full_then_read_only_disk(self):
        self.check_recovered("start")
        filler = self.fill_disk()
        self.check_broken("full disk")
        os.unlink(filler)
        self.check_recovered("full disk")
        for milter in self.milters.values():
            self.assertIn("record store: cannot record", milter.log_text())
        # A read-only file system (files open for writing make remount,ro fail with EBUSY, so
        # the daemons are stopped first): the daemon refuses to start and says why; Postfix's
        # milter_default_action then applies. Writable again, it starts and records.
        for milter in self.milters.values():
            milter.stop()
        subprocess.run(["mount", "-o", "remount,ro", self.disk], check=True)
        try:
            milter = self.milters["tempfail"]
            try:  # it binds before opening the store, so the harness may see it ready
                milter.start()
            except RuntimeError:
                pass
            daemon, milter._daemon = milter._daemon, None
            self.assertEqual(daemon.process.wait(timeout=30), 69, "EX_UNAVAILABLE")
            self.assertRegex(daemon.log_text(), r"record store: .* is read-only")
        finally:
            subprocess.run(["mount", "-o", "remount,rw", self.disk], check=True)
        for milter in self.milters.values():
            milter.start()
        self.check_recovered("read-only disk")
