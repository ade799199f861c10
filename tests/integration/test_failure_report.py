"""RFC 9991 failure reports end to end: Postfix + authmilter record, authmilter-report sends.

Messages fail DMARC (SPF -all for 127.0.0.1, no DKIM) for two policy domains whose ruf= ends in
the harness mailbox (example.net): failing.test, authorized by
failing.test._report._dmarc.example.net, and unauth.test, with no authorization record. The
daemon runs with failure_reports enabled (max_per_destination 3); authmilter-report
--failure-reports delivers through Postfix's sendmail. Checked: exactly 3 report mails reach
ruf@example.net (the other 2 are dropped at the rate limit and said so), each parsed by Python's
email package as multipart/report; report-type=feedback-report with the RFC 6591 / RFC 9991
fields right and the redacted header section (no body); nothing reaches the unauthorized
address; a second run sends nothing. A daemon with the default configuration (enabled: false)
records no failure at all for the same traffic.
"""

import email
import email.policy
import os
import sqlite3
import subprocess
import time

import harness
from milter_process import yaml_string

ENV = harness.Environment("failure_report")
SENDMAIL = "/usr/sbin/sendmail"
REPORT_TIMEOUT = 20.0
SPF = "v=spf1 ip4:192.0.2.0/24 -all"
ZONES = {
    "example.net": [
        'failing.test._report._dmarc.example.net. TXT "v=DMARC1"',
    ],
    "failing.test": [
        '_dmarc.failing.test. TXT "v=DMARC1; p=none; ruf=mailto:ruf@example.net"',
        f'failing.test. TXT "{SPF}"',
    ],
    "unauth.test": [
        '_dmarc.unauth.test. TXT "v=DMARC1; p=none; ruf=mailto:ruf-unauth@example.net"',
        f'unauth.test. TXT "{SPF}"',
    ],
}
MESSAGES = {"failing.test": 5, "unauth.test": 2}
FAILURE_CONFIG = "\n".join([
    "failure_reports:",
    "  enabled: true",
    "  max_per_destination: 3",
])


def setUpModule():
    ENV.start(zones=ZONES)


def report_binary():
    return os.path.join(harness.build_dir(), "filter", "authmilter-report")


def report_config(workdir, store_path):
    text = "\n".join([
        "dns:",
        f"  resolvers: [{yaml_string(f'127.0.0.1@{ENV.dns.port}')}]",
        "store:",
        f"  url: {yaml_string('sqlite://' + store_path)}",
        "reports:",
        "  org_name: Harness Receiver",
        "  email: dmarc-reports@mx.test",
        "  submitter: mx.test",
        f"  sendmail_command: [{SENDMAIL}, -C, {yaml_string(ENV.postfix.config_dir)}, -t, -oi]",
        FAILURE_CONFIG,
        "",
    ])
    path = os.path.join(workdir, "failure-report.yaml")
    with open(path, "w") as handle:
        handle.write(text)
    return path


def failure_mails():
    """Delivered failure reports in the harness Maildir: [(To, message)]."""
    found = []
    for sub in ("new", "cur"):
        directory = os.path.join(ENV.postfix.mail_dir, "inbox", sub)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            with open(os.path.join(directory, name), "rb") as handle:
                message = email.message_from_binary_file(handle, policy=email.policy.default)
            if str(message.get("Subject", "")).startswith("DMARC failure report"):
                found.append((message["To"].addresses[0].addr_spec, message))
    return found


def send_failing_traffic(case):
    for domain, count in MESSAGES.items():
        for i in range(count):
            message = harness.make_message(f"failure {domain} {i}", sender=f"author@{domain}",
                                           body=f"secret body {i}\n")
            case.send_and_receive(message, mail_from=f"bounce@{domain}")


class FailureReportsDelivered(harness.MilterTestCase):
    env = ENV
    extra_config = FAILURE_CONFIG

    def test_reports_parse_as_arf_and_respect_authorization_and_limits(self):
        if not os.access(report_binary(), os.X_OK):
            self.fail(f"{report_binary()} missing: build the authmilter-report target")
        send_failing_traffic(self)
        store_path = os.path.join(self.milter.workdir, "records.db")
        with sqlite3.connect(store_path) as db:
            recorded = db.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
            rows = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        self.assertEqual(recorded, 7)
        self.assertEqual(rows, 7)
        config = report_config(self.milter.workdir, store_path)
        done = subprocess.run([report_binary(), "--config", config, "--failure-reports"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual(done.stdout.count("sent=ruf@example.net"), 3, done.stdout)
        self.assertEqual(done.stdout.count("rate-limited=ruf@example.net"), 2, done.stdout)
        self.assertEqual(done.stdout.count("refused=ruf-unauth@example.net"), 2, done.stdout)
        self.assertIn("failure reports: records=7 sent=3 rate-limited=2", done.stdout)

        deadline = time.monotonic() + REPORT_TIMEOUT
        while time.monotonic() < deadline and len(failure_mails()) < 3:
            time.sleep(0.2)
        time.sleep(1.0)  # anything else on its way (it must not come) has arrived by now
        mails = failure_mails()
        self.assertEqual(sorted(to for to, _ in mails), ["ruf@example.net"] * 3,
                         ENV.postfix.maillog())
        subjects = set()
        for _, message in mails:
            subjects.add(self.check_arf(message))
        self.assertEqual(len(subjects), 3, "three different messages reported")

        again = subprocess.run([report_binary(), "--config", config, "--failure-reports"],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertEqual(again.stdout, "", "a second run has nothing to do")
        time.sleep(1.0)
        self.assertEqual(len(failure_mails()), 3)

    def check_arf(self, message):
        """One report, as an ARF consumer reads it; returns the reported Subject."""
        self.assertEqual(message.get_content_type(), "multipart/report")
        self.assertEqual(message.get_param("report-type"), "feedback-report")
        parts = list(message.iter_parts())
        self.assertEqual([part.get_content_type() for part in parts],
                         ["text/plain", "message/feedback-report", "text/rfc822-headers"])
        # Python parses message/* parts as a nested message: the fields are its headers.
        fields = parts[1].get_payload()[0]
        self.assertEqual(fields["Feedback-Type"], "auth-failure")
        self.assertEqual(fields["Version"], "1")
        self.assertEqual(fields["Auth-Failure"], "dmarc")
        self.assertEqual(fields["Identity-Alignment"], "none")
        self.assertEqual(fields["Reported-Domain"], "failing.test")
        self.assertEqual(fields["Source-IP"], "127.0.0.1")
        self.assertEqual(fields["Original-Mail-From"], "<redacted@failing.test>")
        self.assertEqual(fields["Delivery-Result"], "delivered")
        self.assertEqual(fields["SPF-DNS"], f'txt : failing.test : "{SPF}"')
        self.assertIsNone(fields["DKIM-Domain"], "the message had no signature")
        self.assertIn("spf=fail", fields["Authentication-Results"])
        self.assertIn("dmarc=fail", fields["Authentication-Results"])
        self.assertIsNotNone(fields["Arrival-Date"])
        self.assertIsNotNone(fields["User-Agent"])
        headers = parts[2].get_content()
        if isinstance(headers, bytes):
            headers = headers.decode()
        self.assertIn("From: <redacted@failing.test>", headers)
        self.assertIn(f"To: <redacted@{harness.RECIPIENT_DOMAIN}>", headers)
        self.assertNotIn("author@", headers)
        self.assertNotIn("secret body", message.as_string())
        subject = [line for line in headers.splitlines() if line.startswith("Subject:")]
        self.assertEqual(len(subject), 1, headers)
        self.assertRegex(subject[0], r"^Subject: failure failing\.test \d$")
        return subject[0]


class FailureReportsOffByDefault(harness.MilterTestCase):
    env = ENV

    def test_nothing_recorded_when_disabled(self):
        send_failing_traffic(self)
        with sqlite3.connect(os.path.join(self.milter.workdir, "records.db")) as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM records").fetchone()[0], 7)
            self.assertEqual(db.execute("SELECT COUNT(*) FROM failures").fetchone()[0], 0)
