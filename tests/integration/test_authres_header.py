"""authmilter behind Postfix adds one Authentication-Results header and removes forged ones.

RFC 8601 section 5: a border MTA must delete (or rename) AR fields carrying its own authserv-id
that arrive from outside, since only it may write them; fields of other ADMDs stay. The same
cases run with Postfix reaching authmilter over an inet socket and over a unix socket.
An MTA that does not let the milter delete header fields (no SMFIF_CHGHDRS, over the milter
wire) is refused at negotiation, so no forgery is ever passed on for want of that action.
"""

import unittest

import harness
import milter_wire

ENV = harness.Environment("authres")
ZONES = {
    "example.org": [
        'example.org. TXT "v=spf1 ip4:127.0.0.1 ip4:192.0.2.0/24 -all"',
        '_dmarc.example.org. TXT "v=DMARC1; p=none"',
    ]
}
FORGED_MARKERS = ("forged-one.test", "forged-two.test")
FORGED = [
    ("Authentication-Results", "MX.Test; spf=pass smtp.mailfrom=forged-one.test"),
    (
        "Authentication-Results",
        "  (looks like ours) mx.test (really)\r\n\t ;  dkim=pass header.d=forged-two.test",
    ),
]
FOREIGN = ("Authentication-Results", "other.example; dmarc=pass header.from=foreign.test")


def setUpModule():
    ENV.start(zones=ZONES)


class AuthResultsCases:
    """Mixed into one TestCase per socket kind; listener is the Postfix service to send to."""

    listener = "main"

    def test_our_header_on_top(self):
        message = harness.make_message(f"plain via {self.socket_kind}")
        delivered = self.send_and_receive(message, listener=self.listener)
        ours = harness.auth_results(delivered)
        self.assertEqual(len(ours), 1, f"our AR headers: {ours}\n{delivered.decode()}")
        index, value = ours[0]
        # Above every header of the submitted message (only Postfix's trace fields may precede).
        self.assertLess(index, harness.field_index(delivered, "From"), delivered.decode())
        self.assertLess(index, harness.field_index(delivered, "Subject"), delivered.decode())
        self.assertTrue(value.lower().startswith(harness.AUTHSERV_ID), value)

    def test_forged_headers_removed_foreign_kept(self):
        message = harness.make_message("forged", extra_headers=[*FORGED, FOREIGN])
        delivered = self.send_and_receive(message, listener=self.listener)
        text = delivered.decode()
        for marker in FORGED_MARKERS:
            self.assertNotIn(marker, text, "a forged AR header with our authserv-id survived")
        self.assertEqual(len(harness.auth_results(delivered)), 1, text)
        foreign = harness.auth_results(delivered, "other.example")
        self.assertEqual(len(foreign), 1, text)
        self.assertIn("header.from=foreign.test", foreign[0][1])
        ours_index = harness.auth_results(delivered)[0][0]
        self.assertLess(ours_index, foreign[0][0], "our header must be above the foreign one")

    def test_claimed_client_address(self):
        # XCLIENT makes Postfix (and so the milter's connect stage) see another client.
        message = harness.make_message("xclient")
        delivered = self.send_and_receive(
            message,
            listener=self.listener,
            helo="mail.example.org",
            xclient={"ADDR": "192.0.2.25", "NAME": "mail.example.org"},
        )
        self.assertEqual(len(harness.auth_results(delivered)), 1, delivered.decode())


class InetSocketTest(AuthResultsCases, harness.MilterTestCase):
    env = ENV
    socket_kind = "inet"
    listener = "main"


class UnixSocketTest(AuthResultsCases, harness.MilterTestCase):
    env = ENV
    socket_kind = "unix"
    listener = "unix"


class NoHeaderDeletionTest(harness.MilterTestCase):
    """libmilter refuses an MTA that does not offer every action we register (xxfi_flags):
    without SMFIF_CHGHDRS we could not delete forgeries, so we never start on such a link."""

    env = ENV
    socket_kind = "inet"

    def test_mta_without_header_deletion_is_refused_at_negotiation(self):
        actions = milter_wire.SMFIF_ADDHDRS | milter_wire.SMFIF_QUARANTINE  # no CHGHDRS
        with self.assertRaises(milter_wire.WireError):
            milter_wire.MilterConnection(self.milter.socket, offered_actions=actions)
        with milter_wire.MilterConnection(self.milter.socket) as wire:  # all offered: served
            self.assertTrue(wire.actions & milter_wire.SMFIF_CHGHDRS)
            wire.connect(address="192.0.2.1")
            wire.helo()
            wire.mail("sender@example.org")
            self.assertEqual(wire.rcpt(harness.RECIPIENT).code, b"c")


if __name__ == "__main__":
    unittest.main()
