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
    holds the message with our reason, and it is not delivered;
  - DNS failure with dmarc.temperror: tempfail: 451 at end of DATA;
  - null sender (SPF from the HELO name);
  - an SMTP AUTH submitter (real AUTH PLAIN through Cyrus SASL): checks skipped, the p=reject
    message delivered;
  - authmilter down: F=T makes Sendmail answer 4xx, never accept mail unchecked.
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


def tab_records(path):
    """zone-file TXT lines from the tab-separated key records of the RFC 8463 test data."""
    lines = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or "\t" not in line:
                continue
            name, value = line.rstrip("\n").split("\t", 1)
            chunks = " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))
            lines.append(f"{name}. TXT {chunks}")
    return lines


ZONES = {
    "example.org": [
        'example.org. TXT "v=spf1 ip4:127.0.0.1 -all"',
        '_dmarc.example.org. TXT "v=DMARC1; p=none"',
    ],
    "client.test": ['client.test. TXT "v=spf1 ip4:127.0.0.1 -all"'],
    "football.example.com": [
        *tab_records(os.path.join(SIGNED, "dns-records.txt")),
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


if __name__ == "__main__":
    unittest.main()
