"""authmilter behind a real Sendmail 8.17, configured from contrib/sendmail/authmilter.mc.

The product promises Sendmail as well as Postfix, and Sendmail's milter client differs (macros
per stage, header positions, quarantine into its own queue, F=T, AUTH through Cyrus SASL), so
the core cases of the Postfix modules run here through Debian's sendmail-bin, unpacked into a
private prefix (sendmail_setup.sh) and started by sendmail_instance.py on loopback, with the
INPUT_MAIL_FILTER line of contrib/sendmail/authmilter.mc as written (only its socket replaced):
  - SPF, DKIM and DMARC results in one Authentication-Results header at the top (above Sendmail's
    own Received line), with the queue id ({i}) in authmilter's log line;
  - forged AR headers carrying our authserv-id removed, several, first, middle and last; a
    foreign one kept;
  - p=reject: 550 5.7.1 at end of DATA; p=quarantine: Sendmail's quarantine queue (mailq -qQ)
    holds the message with our reason, undelivered, until released as the README says;
  - DNS failure with dmarc.temperror: tempfail: 451 at end of DATA;
  - null sender (SPF from the HELO name);
  - an SMTP AUTH submitter (real AUTH PLAIN through Cyrus SASL): checks skipped, the p=reject
    message delivered;
  - authmilter down: F=T makes Sendmail answer 451 4.3.2, never accept mail unchecked;
  - Sendmail listens on its one loopback port only (it delivers to a loopback sink, asks no
    resolver but a loopback one: see sendmail_instance.py).
"""

import os
import re
import time
import unittest

import harness
from sendmail_instance import SASL_PASSWORD, SASL_USER

ENV = harness.SendmailEnvironment("sendmail")
SIGNED = os.path.join(harness.source_dir(), "tests", "data", "dkim", "rfc8463")
QUARANTINE_TIMEOUT = 10.0


ZONES = {
    "example.org": [
        'example.org. TXT "v=spf1 ip4:127.0.0.1 -all"',
        '_dmarc.example.org. TXT "v=DMARC1; p=none"',
    ],
    "client.test": ['client.test. TXT "v=spf1 ip4:127.0.0.1 -all"'],
    "football.example.com": [
        *harness.tab_records(os.path.join(SIGNED, "dns-records.txt")),
        '_dmarc.football.example.com. TXT "v=DMARC1; p=reject"',
    ],
    "reject.test": ['_dmarc.reject.test. TXT "v=DMARC1; p=reject; sp=reject"'],
    "quarantine.test": ['_dmarc.quarantine.test. TXT "v=DMARC1; p=quarantine"'],
}
SILENT_ZONES = ["silent.test"]
FORGED = [
    ("Authentication-Results", "MX.Test; spf=pass smtp.mailfrom=forged-one.test"),
    ("Authentication-Results", "mx.test (looks like ours); dkim=pass header.d=forged-two.test"),
    ("Authentication-Results", '"mx.test"; dmarc=pass header.from=forged-three.test'),
]
FOREIGN = ("Authentication-Results", "other.example; dmarc=pass header.from=foreign.test")


def setUpModule():
    ENV.start(zones=ZONES, silent_zones=SILENT_ZONES)


def signed_message():
    with open(os.path.join(SIGNED, "rfc8463-a3-signed.eml"), "rb") as handle:
        return handle.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class SendmailCase(harness.MilterTestCase):
    env = ENV

    def send(self, message, mail_from="sender@example.org", **kw):
        return self.env.sendmail.send(mail_from, harness.RECIPIENT, message, **kw)

    def send_and_receive(self, message, mail_from="sender@example.org", **kw):
        result = self.send(message, mail_from, **kw)
        self.assertTrue(result.accepted, f"not accepted: {result}")
        self.assertTrue(result.queue_id, f"no Sendmail queue id in {result}")
        return self.env.sendmail.wait_delivered(result.queue_id)

    def our_header(self, delivered):
        ours = harness.auth_results(delivered)
        self.assertEqual(len(ours), 1, f"our AR headers: {ours}\n{delivered.decode()}")
        return ours[0]

    def milter_log_line(self, queue_id):
        lines = [line for line in self.milter.log_text().splitlines() if f"{queue_id}: " in line]
        self.assertTrue(lines, f"no authmilter log line for {queue_id}")
        return lines[-1]


class CoreTest(SendmailCase):
    def test_results_on_top_above_sendmails_received(self):
        delivered = self.send_and_receive(signed_message(), helo="client.test")
        index, value = self.our_header(delivered)
        fields = harness.header_fields(delivered)
        self.assertEqual(index, 0, f"not at the top:\n{delivered.decode()}")
        self.assertEqual(fields[1][0], "Received", delivered.decode())
        self.assertIn("spf=pass", value)
        self.assertIn("dkim=pass header.d=football.example.com", value)
        self.assertIn("dmarc=pass", value)
        self.assertIn("header.from=football.example.com", value)
        # {i} reached the milter: the log line carries Sendmail's queue id.
        queue_id = re.search(r"with ESMTP id (\w+)", delivered.decode()).group(1)
        self.milter_log_line(queue_id)

    def test_forged_headers_removed_in_any_position_foreign_kept(self):
        forged_first, forged_middle, forged_last = FORGED
        message = harness.make_message(
            "forged", extra_headers=[forged_first, FOREIGN, ("X-Between", "1"), forged_middle,
                                     ("Comments", "2")])
        # The third forgery goes last in the header section (below Message-ID).
        head, body = message.split(b"\r\n\r\n", 1)
        message = head + f"\r\n{forged_last[0]}: {forged_last[1]}".encode() + b"\r\n\r\n" + body
        delivered = self.send_and_receive(message)
        text = delivered.decode()
        for marker in ("forged-one.test", "forged-two.test", "forged-three.test"):
            self.assertNotIn(marker, text, "a forged AR header with our authserv-id survived")
        index, _ = self.our_header(delivered)
        foreign = harness.auth_results(delivered, "other.example")
        self.assertEqual(len(foreign), 1, text)
        self.assertLess(index, foreign[0][0])
        # The fields around the deleted ones are untouched, in order.
        names = [name for name, _ in harness.header_fields(delivered)]
        self.assertLess(names.index("X-Between"), names.index("Comments"), text)
        self.assertEqual(names[-1], "Message-ID", text)

    def test_null_sender_spf_from_helo(self):
        delivered = self.send_and_receive(harness.make_message("bounce"), mail_from="",
                                          helo="client.test")
        _, value = self.our_header(delivered)
        spf = harness.parse_auth_results(value).by_method("spf")
        self.assertEqual(len(spf), 1, value)
        self.assertEqual(spf[0].result, "pass", value)
        self.assertIn("client.test", value)

    def test_p_reject_refused_550_5_7_1(self):
        result = self.send(harness.make_message("unaligned", sender="joe@reject.test"))
        self.assertEqual(result.code("data"), 550, str(result))
        self.assertIn("5.7.1", result.final.text, str(result))
        self.assertIn("reject.test", result.final.text, str(result))

    def test_p_quarantine_goes_to_sendmails_quarantine_queue(self):
        result = self.send(harness.make_message("quarantine", sender="joe@quarantine.test"))
        self.assertTrue(result.accepted, str(result))
        deadline = time.monotonic() + QUARANTINE_TIMEOUT
        while result.queue_id not in self.env.sendmail.quarantined():
            if time.monotonic() > deadline:
                self.fail(f"{result.queue_id} not in mailq -qQ:\n"
                          f"{self.env.sendmail.mailq_text('-qQ')}")
            time.sleep(0.1)
        reason = self.env.sendmail.quarantined()[result.queue_id]
        self.assertIn("authmilter", reason)
        self.assertIn("quarantine", reason)
        self.assertIsNone(self.env.sendmail.delivered(result.queue_id))
        self.assertIn("quarantine", self.milter_log_line(result.queue_id))
        # Released as the README says (-Q without a reason, -qQ: among quarantined ones), a
        # queue run delivers it.
        self.env.sendmail.run("-Q", "-qQ", f"-qI{result.queue_id}")
        self.assertNotIn(result.queue_id, self.env.sendmail.quarantined())
        self.env.sendmail.run(f"-qI{result.queue_id}")
        delivered = self.env.sendmail.wait_delivered(result.queue_id)
        self.assertIn("dis=quarantine", self.our_header(delivered)[1])

    def test_authenticated_submitter_is_not_checked(self):
        # Real SMTP AUTH PLAIN (Cyrus SASL in Sendmail): {auth_authen} reaches the milter at
        # MAIL, so a p=reject failure from an authenticated user is delivered unchecked.
        message = harness.make_message("submitted", sender="joe@reject.test")
        result = self.send(message, auth=(SASL_USER, SASL_PASSWORD))
        self.assertEqual(result.code("auth"), 235, str(result))
        self.assertTrue(result.accepted, str(result))
        self.env.sendmail.wait_delivered(result.queue_id)
        self.assertIn("checks skipped: authenticated", self.milter_log_line(result.queue_id))
        self.assertIn(SASL_USER, [login for login, _, _ in self.env.sendmail.saslauthd.requests])

    def test_wrong_password_is_refused_by_sendmail(self):
        result = self.send(harness.make_message("bad auth"), auth=(SASL_USER, "wrong"))
        self.assertEqual(result.code("auth"), 535, str(result))


    def test_listens_on_its_loopback_port_only(self):
        self.assertEqual(self.env.sendmail.listening_sockets(),
                         [f"127.0.0.1:{self.env.sendmail.port()}"])


class DnsTempfailTest(SendmailCase):
    extra_config = "dmarc:\n  temperror: tempfail\n"
    dns_extra = "timeout_ms: 500"

    def test_dmarc_dns_failure_tempfails(self):
        result = self.send(harness.make_message("dns down", sender="joe@silent.test"))
        self.assertEqual(result.code("data"), 451, str(result))
        self.assertIn("4.7.0", result.final.text, str(result))


class MilterDownTest(SendmailCase):
    """contrib's F=T: with authmilter unreachable, Sendmail tempfails instead of accepting."""

    def test_milter_down_tempfails(self):
        self.milter.stop()
        result = self.send(harness.make_message("nobody home"))
        # Sendmail tempfails the session's commands from MAIL on (Postfix, with
        # milter_default_action = tempfail, answers 451 4.7.1 instead).
        self.assertEqual(result.code("mail"), 451, str(result))
        self.assertIn("4.3.2", result.final.text, str(result))
        # Sendmail's log line may reach the file a moment after the reply.
        expected = "Milter: initialization failed, temp failing commands"
        deadline = time.monotonic() + 10
        while expected not in self.env.sendmail.maillog() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn(expected, self.env.sendmail.maillog())


if __name__ == "__main__":
    unittest.main()
