"""SPF (RFC 7208) through real Postfix: the delivered `spf=` result, and RCPT-stage refusals.

The client address is claimed with XCLIENT, so one loopback connection can be a listed or an
unlisted client of a test domain. The Authentication-Results header is parsed (RFC 8601) and
its spf resinfo checked: result, and the identity (smtp.mailfrom=<domain>, or smtp.helo=<name>
for the null sender, RFC 7208 section 2.4). With spf.reject_on_fail Postfix answers 550 5.7.23
at RCPT TO with the domain's exp= text (RFC 7208 section 6.2; RFC 7372 codes), postmaster@
excepted; with spf.temperror: tempfail a DNS failure is 451 4.7.24. Several transactions on one
connection each get their own result (DESIGN.md: nothing leaks across transactions).
"""

import unittest

import harness
import smtp_client

ENV = harness.Environment("spf")
LISTED_IP = "192.0.2.10"  # inside every test domain's ip4: range
UNLISTED_IP = "198.51.100.7"  # in none of them
STRICT = "strict.example"  # -all, with exp=
SOFT = "soft.example"  # ~all
OTHER = "other.example"  # -all, lists only 203.0.113.0/24
NO_SPF = "nospf.example"  # a zone with TXT data, but no SPF record
SILENT = "silent.example"  # its name servers never answer: temperror
HELO_NAME = "mail.helo.example"
EXPLANATION = "%{i} is not a designated mail server of %{d}; see https://%{d}/spf"
ZONES = {
    STRICT: [
        f'{STRICT}. TXT "v=spf1 ip4:192.0.2.0/24 -all exp=explain._spf.{STRICT}"',
        f'explain._spf.{STRICT}. TXT "{EXPLANATION}"',
    ],
    SOFT: [f'{SOFT}. TXT "v=spf1 ip4:192.0.2.0/24 ~all"'],
    OTHER: [f'{OTHER}. TXT "v=spf1 ip4:203.0.113.0/24 -all"'],
    NO_SPF: [f'{NO_SPF}. TXT "google-site-verification=abc"', f"{NO_SPF}. A 192.0.2.99"],
    HELO_NAME: [f'{HELO_NAME}. TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
}
ENFORCING_CONFIG = "spf:\n  reject_on_fail: true\n  temperror: tempfail\n"
POSTMASTER = f"postmaster@{harness.RECIPIENT_DOMAIN}"


def setUpModule():
    ENV.start(zones=ZONES, silent_zones=[SILENT])


def client(ip, helo="client.example"):
    return {"helo": helo, "xclient": {"ADDR": ip, "NAME": "[UNAVAILABLE]"}}


class SpfAssertions:
    def spf_results(self, delivered):
        """The spf resinfos of our single Authentication-Results header."""
        ours = harness.parsed_auth_results(delivered)
        self.assertEqual(len(ours), 1, f"want one AR header of ours:\n{delivered.decode()}")
        return ours[0].by_method("spf")

    def assert_spf(self, delivered, result, mailfrom=None, helo=None):
        spf = self.spf_results(delivered)
        self.assertEqual(len(spf), 1, f"want one spf clause:\n{delivered.decode()}")
        self.assertEqual(spf[0].result, result, f"{spf[0]}\n{delivered.decode()}")
        expected = {"smtp.mailfrom": mailfrom} if mailfrom else {"smtp.helo": helo}
        identity = {k: v.lower() for k, v in spf[0].props.items() if k.startswith("smtp.")}
        self.assertEqual(identity, expected, f"{spf[0]}")
        self.assertTrue(spf[0].comment, f"spf clause without a reason comment: {spf[0]}")
        return spf[0]

    def deliver(self, mail_from, ip, helo="client.example", rcpt=harness.RECIPIENT):
        message = harness.make_message(f"spf {mail_from or '<>'} from {ip}")
        result = ENV.postfix.send(mail_from, rcpt, message, **client(ip, helo))
        self.assertTrue(result.accepted, f"not accepted: {result}")
        return ENV.postfix.wait_delivered(result.queue_id)


class SpfResultTest(SpfAssertions, harness.MilterTestCase):
    """Default configuration: every result is reported, nothing is refused."""

    env = ENV

    def test_pass(self):
        self.assert_spf(self.deliver(f"a@{STRICT}", LISTED_IP), "pass", mailfrom=STRICT)

    def test_fail_is_delivered_by_default(self):
        self.assert_spf(self.deliver(f"a@{STRICT}", UNLISTED_IP), "fail", mailfrom=STRICT)

    def test_softfail(self):
        self.assert_spf(self.deliver(f"a@{SOFT}", UNLISTED_IP), "softfail", mailfrom=SOFT)

    def test_none_without_record(self):
        self.assert_spf(self.deliver(f"a@{NO_SPF}", LISTED_IP), "none", mailfrom=NO_SPF)

    def test_temperror_when_dns_does_not_answer(self):
        self.assert_spf(self.deliver(f"a@{SILENT}", LISTED_IP), "temperror", mailfrom=SILENT)

    def test_null_sender_checks_helo(self):
        self.assert_spf(self.deliver("", LISTED_IP, helo=HELO_NAME), "pass", helo=HELO_NAME)
        # The HELO policy really was evaluated: an unlisted client fails it.
        self.assert_spf(self.deliver("", UNLISTED_IP, helo=HELO_NAME), "fail", helo=HELO_NAME)

    def test_transactions_on_one_connection_are_independent(self):
        with smtp_client.Session(ENV.postfix.port(), **client(LISTED_IP, HELO_NAME)) as smtp:
            first = smtp.transaction(f"a@{STRICT}", harness.RECIPIENT, harness.make_message("1"))
            second = smtp.transaction(f"b@{OTHER}", harness.RECIPIENT, harness.make_message("2"))
            opened = smtp.transaction(f"c@{STRICT}", harness.RECIPIENT)
            self.assertEqual(opened.code("rcpt"), 250, str(opened))
            self.assertEqual(smtp.rset(), 250)
            third = smtp.transaction(f"d@{NO_SPF}", harness.RECIPIENT, harness.make_message("3"))
            fourth = smtp.transaction("", harness.RECIPIENT, harness.make_message("4"))
        for result in (first, second, third, fourth):
            self.assertTrue(result.accepted, str(result))
        delivered = [ENV.postfix.wait_delivered(r.queue_id) for r in (first, second, third, fourth)]
        self.assert_spf(delivered[0], "pass", mailfrom=STRICT)
        self.assert_spf(delivered[1], "fail", mailfrom=OTHER)
        self.assert_spf(delivered[2], "none", mailfrom=NO_SPF)
        # The null sender's identity is the HELO name; how it is labelled (smtp.helo) is
        # test_null_sender_checks_helo's concern, here only that no earlier sender leaked in.
        null_sender = self.spf_results(delivered[3])
        self.assertEqual([r.result for r in null_sender], ["pass"], str(null_sender))
        identities = [v.lower() for k, v in null_sender[0].props.items() if k.startswith("smtp.")]
        self.assertEqual(identities, [HELO_NAME], str(null_sender))


class SpfEnforcingTest(SpfAssertions, harness.MilterTestCase):
    """spf.reject_on_fail: true and spf.temperror: tempfail."""

    env = ENV
    extra_config = ENFORCING_CONFIG

    def refused(self, mail_from, ip, rcpt=harness.RECIPIENT):
        result = ENV.postfix.send(mail_from, rcpt, harness.make_message("refused"), **client(ip))
        self.assertEqual(result.code("mail"), 250, str(result))
        self.assertEqual(result.final.stage, "rcpt", f"refused at RCPT TO expected: {result}")
        return result.final

    def test_fail_rejected_at_rcpt_with_explanation(self):
        reply = self.refused(f"a@{STRICT}", UNLISTED_IP)
        self.assertEqual(reply.code, 550, str(reply))
        self.assertTrue(reply.text.startswith("5.7.23 "), reply.text)
        # exp= of the domain, macro-expanded (%{i} client, %{d} domain; RFC 7208 section 7).
        expanded = f"{UNLISTED_IP} is not a designated mail server of {STRICT}"
        self.assertIn(f"{expanded}; see https://{STRICT}/spf", reply.text)

    def test_postmaster_still_accepted(self):
        delivered = self.deliver(f"a@{STRICT}", UNLISTED_IP, rcpt=POSTMASTER)
        self.assert_spf(delivered, "fail", mailfrom=STRICT)

    def test_pass_and_softfail_accepted(self):
        self.assert_spf(self.deliver(f"a@{STRICT}", LISTED_IP), "pass", mailfrom=STRICT)
        self.assert_spf(self.deliver(f"a@{SOFT}", UNLISTED_IP), "softfail", mailfrom=SOFT)

    def test_temperror_tempfailed_at_rcpt(self):
        reply = self.refused(f"a@{SILENT}", LISTED_IP)
        self.assertEqual(reply.code, 451, str(reply))
        self.assertTrue(reply.text.startswith("4.7.24 "), reply.text)

    def test_rejection_does_not_leak_into_next_transaction(self):
        with smtp_client.Session(ENV.postfix.port(), **client(UNLISTED_IP)) as smtp:
            rejected = smtp.transaction(f"a@{STRICT}", harness.RECIPIENT)
            self.assertEqual(rejected.final.code, 550, str(rejected))
            self.assertEqual(smtp.rset(), 250)
            accepted = smtp.transaction(f"b@{SOFT}", harness.RECIPIENT, harness.make_message("s"))
        self.assertTrue(accepted.accepted, str(accepted))
        self.assert_spf(ENV.postfix.wait_delivered(accepted.queue_id), "softfail", mailfrom=SOFT)


if __name__ == "__main__":
    unittest.main()
