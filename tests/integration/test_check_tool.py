"""authmilter-check prints the same Authentication-Results header the daemon added.

The daemon and authmilter-check drive the same MessageEvaluation with the same configuration
and resolver (DESIGN.md). Each case sends a message through Postfix and authmilter, then runs
authmilter-check with the daemon's configuration file, the same client IP, HELO and MAIL FROM,
on the delivered message (as stored in the Maildir), and compares the AR headers, unfolded.
A refused message is checked from the submitted bytes: the tool must say reject, 550 5.7.1.
A message over a `limits:` bound (here 101 forged Authentication-Results fields, default 100) is
refused by both, and the tool names the bound as the daemon's log line does.
"""

import json
import os
import subprocess
import tempfile
import unittest

import harness
from processes import wait_until

ENV = harness.Environment("checktool")
SIGNED = os.path.join(harness.source_dir(), "tests", "data", "dkim", "rfc8463")
CLIENT_IP = "127.0.0.1"  # the harness connects over loopback without XCLIENT
HELO = "client.test"
TOOL_TIMEOUT = 30

ZONES = {
    "example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"'],
    "football.example.com": [
        "brisbane._domainkey.football.example.com. TXT "
        '"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="',
        '_dmarc.football.example.com. TXT "v=DMARC1; p=reject"',
    ],
    "none.test": ['_dmarc.none.test. TXT "v=DMARC1; p=none"'],
    "reject.test": ['_dmarc.reject.test. TXT "v=DMARC1; p=reject"'],
}


def setUpModule():
    ENV.start(zones=ZONES)


def unfold(value):
    """Unfolds the way harness.header_fields does, so both sides compare alike."""
    lines = value.replace("\r\n", "\n").split("\n")
    return " ".join([lines[0].strip()] + [line.strip() for line in lines[1:]]).strip()


def binary():
    return os.path.join(harness.build_dir(), "filter", "authmilter-check")


class CheckToolTest(harness.MilterTestCase):
    env = ENV

    def run_tool(self, message_bytes, mail_from, json_output=True):
        with tempfile.NamedTemporaryFile(suffix=".eml", dir=self.env.workdir) as handle:
            handle.write(message_bytes)
            handle.flush()
            argv = [binary(), "--config", self.milter.config_path, "--client-ip", CLIENT_IP,
                    "--helo", HELO, "--mail-from", mail_from, "--rcpt", harness.RECIPIENT]
            argv += ["--json"] if json_output else []
            done = subprocess.run(argv + [handle.name], capture_output=True, text=True,
                                  timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout) if json_output else done.stdout

    def assert_same_header(self, message, mail_from="sender@example.org"):
        result = self.env.postfix.send(mail_from, harness.RECIPIENT, message)
        self.assertTrue(result.accepted, str(result))
        delivered = self.env.postfix.wait_delivered(result.queue_id)
        ours = harness.auth_results(delivered)
        self.assertEqual(len(ours), 1, delivered.decode())
        report = self.run_tool(delivered, mail_from)
        self.assertEqual(unfold(report["authentication_results"]), ours[0][1])
        return report

    def test_signed_message_dmarc_pass(self):
        with open(os.path.join(SIGNED, "rfc8463-a3-signed.eml"), "rb") as handle:
            message = handle.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        report = self.assert_same_header(message)
        self.assertIn("dmarc=pass", report["authentication_results"])
        self.assertEqual(report["action"], "deliver")

    def test_p_none_failure(self):
        report = self.assert_same_header(harness.make_message("p=none", sender="joe@none.test"))
        self.assertIn("dmarc=fail", report["authentication_results"])
        self.assertEqual(report["disposition"], "none")

    def test_null_sender(self):
        report = self.assert_same_header(harness.make_message("bounce"), mail_from="")
        self.assertIn("smtp.helo=client.test", unfold(report["authentication_results"]))

    def test_message_file_forms_and_the_store_is_left_alone(self):
        message = harness.make_message("mbox", sender="joe@none.test")
        plain = self.run_tool(message, "sender@example.org")
        # An mbox "From " separator (its time has colons) is no header field.
        framed = self.run_tool(b"From joe@none.test Thu Nov 26 10:00:00 2026\n" + message,
                               "sender@example.org")
        self.assertEqual(framed["authentication_results"], plain["authentication_results"])
        self.assertEqual(framed["limits"], plain["limits"])
        argv = [binary(), "--client-ip", CLIENT_IP, "--helo", HELO, "--mail-from", "a@example.org"]
        # A directory is refused (EX_NOINPUT), not read as an empty message.
        done = subprocess.run(argv + ["--config", self.milter.config_path, self.env.workdir],
                              capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 66, done.stdout)
        self.assertIn("is a directory", done.stderr)
        # The configured store is neither opened nor created: a check records nothing.
        with tempfile.TemporaryDirectory(dir=self.env.workdir) as scratch:
            store = os.path.join(scratch, "never.db")
            config = os.path.join(scratch, "check.yaml")
            text = self.milter.config_text.replace(
                os.path.join(self.milter.workdir, "records.db"), store)
            self.assertIn(store, text)
            with open(config, "w") as handle:
                handle.write(text)
            with open(os.path.join(scratch, "m.eml"), "wb") as handle:
                handle.write(message)
            done = subprocess.run(argv + ["--config", config, os.path.join(scratch, "m.eml")],
                                  capture_output=True, text=True, timeout=TOOL_TIMEOUT)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertFalse(os.path.exists(store))

    def test_refused_message_reports_reject_and_why(self):
        message = harness.make_message("refused", sender="joe@reject.test")
        result = self.env.postfix.send("sender@example.org", harness.RECIPIENT, message)
        self.assertEqual(result.code("data"), 550, str(result))
        report = self.run_tool(message, "sender@example.org")
        self.assertEqual(report["action"], "reject")
        self.assertTrue(report["reply"].startswith("550 5.7.1"), report)
        self.assertIn("reject.test", report["why"])
        text = self.run_tool(message, "sender@example.org", json_output=False)
        self.assertIn("Action: reject (550 5.7.1", text)
        self.assertIn("Authentication-Results: mx.test;", text)

    def test_bound_hit_is_named_like_the_daemon_log_line(self):
        forged = [("Authentication-Results", f"{harness.AUTHSERV_ID}; spf=pass smtp.mailfrom=f{i}")
                  for i in range(101)]
        message = harness.make_message("forged", forged)
        result = self.env.postfix.send("sender@example.org", harness.RECIPIENT, message)
        self.assertEqual(result.code("data"), 550, str(result))
        expected = "limits.max_forged_authres_headers=100 exceeded (101): message refused 550 5.7.1"
        wait_until(lambda: expected in open(self.milter.log_path, errors="replace").read(),
                   TOOL_TIMEOUT, f"daemon log line {expected!r}")
        report = self.run_tool(message, "sender@example.org")
        self.assertEqual(report["limits"], [expected])
        self.assertTrue(report["reply"].startswith("550 5.7.1"), report)
        text = self.run_tool(message, "sender@example.org", json_output=False)
        self.assertIn(f"Limit: {expected}\n", text)
        plain = self.run_tool(harness.make_message("clean"), "sender@example.org")
        self.assertEqual(plain["limits"], [])


if __name__ == "__main__":
    unittest.main()
