"""DMARC through real Postfix: the domain's policy, as the local policy tunes it, decides.

RFC 9989 (DMARC) with the default local policy (dmarc.reject: rfc9989, quarantine: hold,
multiple_from: reject): an aligned DKIM pass under p=reject is delivered with dmarc=pass; an
unaligned message under p=reject is refused with 550 5.7.1 at end of DATA, unless it carries a
mailing-list header (then it is held, the reason in Postfix's log); p=quarantine is held (or
tagged, in the header-quarantine class); p=none is delivered with dmarc=fail; two From
addresses are refused; relaxed vs strict SPF alignment of a subdomain; np= for a non-existent
subdomain. The signed message is RFC 8463 appendix A.3 (tests/data/dkim/rfc8463).
"""

import os
import time
import unittest

import harness

ENV = harness.Environment("dmarc")
SIGNED = os.path.join(harness.source_dir(), "tests", "data", "dkim", "rfc8463")
HOLD_TIMEOUT = 10.0


ZONES = {
    "example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"'],
    "football.example.com": [
        *harness.tab_records(os.path.join(SIGNED, "dns-records.txt")),
        '_dmarc.football.example.com. TXT "v=DMARC1; p=reject"',
    ],
    "reject.test": ['_dmarc.reject.test. TXT "v=DMARC1; p=reject; sp=reject"'],
    "quarantine.test": ['_dmarc.quarantine.test. TXT "v=DMARC1; p=quarantine"'],
    "none.test": ['_dmarc.none.test. TXT "v=DMARC1; p=none"'],
    "relaxed.test": [
        '_dmarc.relaxed.test. TXT "v=DMARC1; p=reject"',
        'mail.relaxed.test. TXT "v=spf1 ip4:127.0.0.1 -all"',
    ],
    "strict.test": [
        '_dmarc.strict.test. TXT "v=DMARC1; p=reject; aspf=s"',
        'mail.strict.test. TXT "v=spf1 ip4:127.0.0.1 -all"',
    ],
    "np.test": [
        '_dmarc.np.test. TXT "v=DMARC1; p=none; np=reject"',
        "exists.np.test. A 192.0.2.9",
    ],
}


def setUpModule():
    ENV.start(zones=ZONES)


def dmarc_clause(delivered):
    ours = harness.auth_results(delivered)
    if len(ours) != 1:
        raise AssertionError(f"expected one AR header of ours: {ours}")
    value = ours[0][1]
    start = value.find("dmarc=")
    if start < 0:
        raise AssertionError(f"no dmarc= in {value}")
    return value[start:]


class DmarcCase(harness.MilterTestCase):
    env = ENV

    def send(self, sender, subject, extra_headers=(), mail_from="sender@example.org"):
        message = harness.make_message(subject, extra_headers, sender=sender)
        return self.env.postfix.send(mail_from, harness.RECIPIENT, message)

    def assert_refused(self, result, code=550, enhanced="5.7.1"):
        self.assertEqual(result.code("data"), code, str(result))
        self.assertIn(enhanced, result.final.text, str(result))

    def assert_held(self, result, reason):
        self.assertTrue(result.accepted, str(result))
        deadline = time.monotonic() + HOLD_TIMEOUT
        while time.monotonic() < deadline:
            held = [m["queue_id"] for m in self.env.postfix.held_messages()]
            if result.queue_id in held:
                break
            time.sleep(0.1)
        else:
            self.fail(f"{result.queue_id} not in the hold queue")
        self.addCleanup(self.env.postfix.delete_queued, result.queue_id)
        # Postfix logs "milter triggers HOLD action" without our text: the reason is in
        # authmilter's line for the queue id (and in the held message's AR header).
        log = self.env.postfix.maillog()
        self.assertIn(f"{result.queue_id}: milter-hold", log)
        lines = [line for line in self.milter.log_text().splitlines() if result.queue_id in line]
        self.assertTrue(any(reason in line for line in lines), f"{reason} not logged: {lines}")


class DefaultPolicyTest(DmarcCase):
    def test_aligned_dkim_pass_under_reject_is_delivered(self):
        with open(os.path.join(SIGNED, "rfc8463-a3-signed.eml"), "rb") as handle:
            message = handle.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        delivered = self.send_and_receive(message)
        clause = dmarc_clause(delivered)
        self.assertTrue(clause.startswith("dmarc=pass"), clause)
        self.assertIn("header.from=football.example.com", clause)
        self.assertIn("policy.dmarc=none", clause)

    def test_nothing_aligned_under_reject_is_refused(self):
        result = self.send("joe@reject.test", "unaligned")
        self.assert_refused(result)
        self.assertIn("reject.test", result.final.text)

    def test_mailing_list_under_reject_is_held_with_reason(self):
        result = self.send("joe@reject.test", "list", [("List-Id", "<talk.lists.example>")])
        self.assert_held(result, "mailing_list")

    def test_quarantine_is_held(self):
        self.assert_held(self.send("joe@quarantine.test", "quarantine"), "quarantine")

    def test_p_none_delivered_with_fail(self):
        result = self.send("joe@none.test", "p=none")
        self.assertTrue(result.accepted, str(result))
        clause = dmarc_clause(self.env.postfix.wait_delivered(result.queue_id))
        self.assertTrue(clause.startswith("dmarc=fail"), clause)
        self.assertIn("p=none", clause)
        self.assertIn("policy.dmarc=none", clause)

    def test_two_from_addresses_refused(self):
        result = self.send("a@none.test>, <b@reject.test", "two authors")
        self.assert_refused(result)

    def test_relaxed_alignment_accepts_a_subdomain(self):
        result = self.send("joe@relaxed.test", "relaxed", mail_from="bounce@mail.relaxed.test")
        self.assertTrue(result.accepted, str(result))
        clause = dmarc_clause(self.env.postfix.wait_delivered(result.queue_id))
        self.assertTrue(clause.startswith("dmarc=pass"), clause)

    def test_strict_alignment_refuses_a_subdomain(self):
        result = self.send("joe@strict.test", "strict", mail_from="bounce@mail.strict.test")
        self.assert_refused(result)

    def test_np_rejects_a_nonexistent_subdomain_only(self):
        self.assert_refused(self.send("joe@ghost.np.test", "np ghost"))
        result = self.send("joe@exists.np.test", "np exists")
        self.assertTrue(result.accepted, str(result))
        clause = dmarc_clause(self.env.postfix.wait_delivered(result.queue_id))
        self.assertTrue(clause.startswith("dmarc=fail"), clause)


class HeaderQuarantineTest(DmarcCase):
    socket_kind = "unix"
    extra_config = 'dmarc:\n  quarantine: header\n  quarantine_header: "X-Spam-Flag: YES"\n'

    def test_quarantine_is_tagged_and_delivered(self):
        result = self.env.postfix.send(
            "sender@example.org",
            harness.RECIPIENT,
            harness.make_message("tagged", sender="joe@quarantine.test"),
            listener="unix",
        )
        self.assertTrue(result.accepted, str(result))
        delivered = self.env.postfix.wait_delivered(result.queue_id)
        self.assertIsNotNone(harness.field_index(delivered, "X-Spam-Flag", "YES"), delivered)
        # Written "Name: value" as recipes match it, also when the MTA adds no space itself
        # (SMFIP_HDR_LEADSPC on the unix socket).
        self.assertIn(b"\nX-Spam-Flag: YES\n", delivered.replace(b"\r\n", b"\n"))
        self.assertIn("dis=quarantine", dmarc_clause(delivered))


class DryRunTest(DmarcCase):
    extra_config = "dmarc:\n  dry_run: true\n"

    def test_dry_run_delivers_and_says_what_it_would_do(self):
        result = self.send("joe@reject.test", "dry run")
        self.assertTrue(result.accepted, str(result))
        clause = dmarc_clause(self.env.postfix.wait_delivered(result.queue_id))
        self.assertIn("dis=reject", clause)
        self.assertIn("dry run", clause)


if __name__ == "__main__":
    unittest.main()
