"""DKIM (RFC 6376, RFC 8463) through real Postfix: one `dkim=` resinfo per signature.

The message is RFC 8463 appendix A.3, signed twice for d=football.example.com (ed25519-sha256
s=brisbane, rsa-sha256 s=test); the test unbound serves the appendix A.2 key records from
tests/data/dkim/rfc8463/dns-records.txt. Postfix prepends its Received header, which the milter
sees too: the signatures must still verify (Received is not in h=). An altered body fails both
(body hash, RFC 6376 section 3.7); a key query that is never answered is temperror (RFC 6376
section 6.1.2), never pass or fail; an unsigned message is dkim=none (RFC 8601 section 2.7.1).
"""

import os
import unittest

import harness

ENV = harness.Environment("dkim")
DATA = os.path.join(harness.source_dir(), "tests", "data", "dkim", "rfc8463")
SIGNER = "football.example.com"
SIGNATURES = {"brisbane": "ed25519-sha256", "test": "rsa-sha256"}  # selector -> a=
SENDER_ZONE = {"example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"']}


def signed_message():
    with open(os.path.join(DATA, "rfc8463-a3-signed.eml"), "rb") as handle:
        return handle.read()


def key_records():
    """Zone-file TXT lines for the RFC 8463 keys (dns-records.txt: owner<TAB>value)."""
    records = harness.tab_records(os.path.join(DATA, "dns-records.txt"))
    if len(records) != len(SIGNATURES):
        raise ValueError(f"expected {len(SIGNATURES)} key records in dns-records.txt: {records}")
    return records


def setUpModule():
    ENV.start(zones={**SENDER_ZONE, SIGNER: key_records()})


class DkimAssertions:
    def dkim_results(self, delivered):
        ours = harness.parsed_auth_results(delivered)
        self.assertEqual(len(ours), 1, f"want one AR header of ours:\n{delivered.decode()}")
        return ours[0].by_method("dkim")

    def assert_both_signatures(self, delivered, result):
        dkim = self.dkim_results(delivered)
        text = f"{dkim}\n{delivered.decode()}"
        self.assertEqual(len(dkim), 2, text)
        by_selector = {clause.props.get("header.s"): clause for clause in dkim}
        self.assertEqual(set(by_selector), set(SIGNATURES), text)
        fields = harness.header_fields(delivered)
        signature_headers = [value for name, value in fields if name == "DKIM-Signature"]
        for selector, algorithm in SIGNATURES.items():
            clause = by_selector[selector]
            self.assertEqual(clause.result, result, f"s={selector}: {text}")
            self.assertEqual(clause.props.get("header.d"), SIGNER, text)
            self.assertEqual(clause.props.get("header.i"), f"@{SIGNER}", text)
            self.assertEqual(clause.props.get("header.a"), algorithm, text)
            # header.b (RFC 6008) is a prefix of that signature's b= value.
            prefix = clause.props.get("header.b", "")
            self.assertGreaterEqual(len(prefix), 8, text)
            own = [h for h in signature_headers if f"s={selector};" in h.replace(" ", "")]
            self.assertEqual(len(own), 1, text)
            b_value = own[0].replace(" ", "").split("b=")[-1]
            self.assertTrue(b_value.startswith(prefix), f"header.b={prefix} vs b={b_value}")
        return by_selector

    def send(self, message):
        result = ENV.postfix.send("sender@example.org", harness.RECIPIENT, message)
        self.assertTrue(result.accepted, f"not accepted: {result}")
        return ENV.postfix.wait_delivered(result.queue_id)


class DkimVerifyTest(DkimAssertions, harness.MilterTestCase):
    env = ENV

    def test_signed_message_passes_both_signatures(self):
        delivered = self.send(signed_message())
        self.assert_both_signatures(delivered, "pass")
        # Postfix's own trace header was added (and seen by the milter) above the signatures.
        received = harness.field_index(delivered, "Received", "mx.test")
        self.assertIsNotNone(received, delivered.decode())
        self.assertLess(received, harness.field_index(delivered, "DKIM-Signature"))

    def test_altered_body_fails_both_signatures(self):
        message = signed_message().replace(b"Are you hungry yet?", b"Are you thirsty yet?")
        self.assertNotEqual(message, signed_message())
        self.assert_both_signatures(self.send(message), "fail")

    def test_unsigned_message_is_none(self):
        dkim = self.dkim_results(self.send(harness.make_message("unsigned")))
        self.assertEqual([clause.result for clause in dkim], ["none"], str(dkim))


class DkimKeyTimeoutTest(DkimAssertions, harness.MilterTestCase):
    """The milter asks a second unbound on which the signer's _domainkey zone never answers."""

    env = ENV

    @classmethod
    def setUpClass(cls):
        cls.silent_dns = harness.DnsServer(
            os.path.join(ENV.workdir, "dns-silent-keys"),
            {**SENDER_ZONE, SIGNER: []},
            silent_zones=[f"_domainkey.{SIGNER}"],
        )
        cls.addClassCleanup(cls.silent_dns.stop)
        harness.LOGS["unbound-silent-keys"] = cls.silent_dns.log_path
        cls.addClassCleanup(harness.LOGS.pop, "unbound-silent-keys", None)
        cls.silent_dns.start()
        cls.dns_port = cls.silent_dns.port
        super().setUpClass()

    def test_key_lookup_timeout_is_temperror(self):
        self.assert_both_signatures(self.send(signed_message()), "temperror")


if __name__ == "__main__":
    unittest.main()
