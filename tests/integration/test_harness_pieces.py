"""The harness's own servers, checked without authmilter: if these fail, nothing else can pass.

unbound serves the zones a test gives it (and nothing else); a silent zone never answers;
Postfix delivers through a listener without milter, honours XCLIENT, puts mail on hold, and
runs the contrib/postfix snippets verbatim.
"""

import socket
import unittest

import dns_query
import harness

ENV = harness.Environment("pieces")
ZONES = {
    "example.org": [
        'example.org. TXT "v=spf1 ip4:192.0.2.0/24 -all"',
        '_dmarc.example.org. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.org"',
        # A TXT record split into two character-strings is one string to the reader (RFC 7208 3.3).
        'split.example.org. TXT "v=spf1 " "-all"',
        "example.org. A 192.0.2.10",
    ]
}


def setUpModule():
    ENV.start(zones=ZONES, silent_zones=["silent.test"])


class DnsServerTest(unittest.TestCase):
    def test_serves_configured_txt(self):
        reply = ENV.dns.query("_dmarc.example.org.", "TXT")
        self.assertEqual(reply.rcode, dns_query.RCODE_NOERROR)
        self.assertEqual(
            reply.texts(dns_query.TYPE_TXT),
            ["v=DMARC1; p=reject; rua=mailto:dmarc@example.org"],
        )

    def test_joins_split_txt_strings(self):
        reply = ENV.dns.query("split.example.org.", "TXT")
        self.assertEqual(reply.texts(dns_query.TYPE_TXT), ["v=spf1 -all"])

    def test_serves_address(self):
        reply = ENV.dns.query("example.org.", "A")
        self.assertEqual(reply.texts(dns_query.TYPE_A), ["192.0.2.10"])

    def test_unknown_name_in_zone_is_nxdomain(self):
        self.assertEqual(ENV.dns.query("nothing.example.org.").rcode, dns_query.RCODE_NXDOMAIN)

    def test_never_reaches_outside(self):
        # Anything outside the test zones is answered locally: no path to the internet.
        self.assertEqual(ENV.dns.query("example.com.", "A").rcode, dns_query.RCODE_NXDOMAIN)

    def test_silent_zone_does_not_answer(self):
        try:
            reply = ENV.dns.query("_dmarc.silent.test.", "TXT", timeout=1.0)
        except socket.timeout:
            return
        # unbound may give up on the silent forwarder first: then it must be a failure.
        self.assertEqual(reply.rcode, dns_query.RCODE_SERVFAIL, f"answered: {reply}")


class PostfixTest(unittest.TestCase):
    def send(self, message, **kw):
        return ENV.postfix.send("sender@example.org", harness.RECIPIENT, message, **kw)

    def test_delivers_without_milter(self):
        message = harness.make_message("plain delivery", body="line\r\n.leading dot\r\n")
        result = self.send(message, listener="nomilter")
        self.assertTrue(result.accepted, str(result))
        delivered = ENV.postfix.wait_delivered(result.queue_id)
        self.assertIn(b"Subject: plain delivery", delivered)
        self.assertIn(b"\n.leading dot\n", delivered.replace(b"\r\n", b"\n"))
        self.assertEqual(harness.auth_results(delivered), [])

    def test_xclient_claims_client_address(self):
        message = harness.make_message("xclient")
        result = self.send(
            message,
            listener="nomilter",
            helo="mail.example.org",
            xclient={"ADDR": "192.0.2.25", "NAME": "mail.example.org"},
        )
        self.assertEqual(result.code("xclient"), 220, str(result))
        delivered = ENV.postfix.wait_delivered(result.queue_id)
        received = dict(harness.header_fields(delivered))["Received"]
        self.assertIn("mail.example.org [192.0.2.25]", received)

    def test_hold_queue_is_visible(self):
        result = ENV.postfix.send(
            harness.postfix_instance.HOLD_SENDER,
            harness.RECIPIENT,
            harness.make_message("to hold"),
            listener="nomilter",
        )
        self.assertTrue(result.accepted, str(result))
        held = [m for m in ENV.postfix.held_messages() if m["queue_id"] == result.queue_id]
        self.assertEqual(len(held), 1, f"queue: {ENV.postfix.queue()}")
        self.assertEqual(held[0]["sender"], harness.postfix_instance.HOLD_SENDER)
        ENV.postfix.delete_queued(result.queue_id)
        self.assertEqual([m for m in ENV.postfix.queue() if m["queue_id"] == result.queue_id], [])

    def test_contrib_main_cf_is_in_effect(self):
        settings = ENV.postfix.postconf("smtpd_milters", "milter_protocol",
                                        "milter_default_action", "inet_interfaces")
        self.assertEqual(settings["smtpd_milters"], "unix:authmilter/authmilter.sock")
        self.assertEqual(settings["milter_protocol"], "6")
        self.assertEqual(settings["milter_default_action"], "accept")
        self.assertEqual(settings["inet_interfaces"], "loopback-only")

    def test_contrib_master_cf_service_is_installed(self):
        service = ENV.postfix.master_service(f"127.0.0.1:{ENV.postfix.port('submission')}/inet")
        self.assertIn("milter_macro_daemon_name=ORIGINATING", service)
        result = self.send(harness.make_message("submission"), listener="submission")
        self.assertTrue(result.code("mail") is not None, str(result))

    def test_only_loopback_listeners(self):
        sockets = ENV.postfix.listening_sockets()
        self.assertIn(f"127.0.0.1:{ENV.postfix.port('main')}", sockets)
        for line in sockets:
            self.assertTrue(line.startswith("127."), f"Postfix listens beyond loopback: {line}")
