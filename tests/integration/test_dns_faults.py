"""DNS faults (issue 8): a misbehaving authoritative server behind the test unbound.

authmilter's libunbound asks a test unbound, which asks fault_dns.FaultDns (a stub zone per fault
kind, `<kind>.fault.test`): the chain an operator has. For each fault kind two messages go
through Postfix:
  (a) the SPF record of the MAIL FROM domain and the DKIM key of the message's one signature are
      served faulty (the DMARC record is fine, p=none);
  (b) the DMARC record (p=reject) of the From domain is served faulty while SPF and DKIM pass and
      align: a fault that were ignored would show as dmarc=pass, so the test can fail.
The results must be what the RFCs say for the answer the resolver ends up with: a DNS failure
(timeout, SERVFAIL, unusable reply) is temperror (RFC 7208 section 2.6.6, RFC 6376 section 6.1.2
TEMPFAIL, RFC 9989 / RFC 7489 section 6.6.3 temperror); an answer over our bounds (16 KiB per TXT
RR, 64 RRs; dns/resolver.h) is permerror for SPF and DKIM (a cut record cannot be evaluated) and
never pass; a truncated UDP answer retried over TCP is as if nothing happened. With
spf.temperror: tempfail Postfix's client sees 451 4.7.24 at RCPT; with dmarc.temperror: tempfail
451 4.7.0 at end of DATA. Last, the per-message DNS budget (dns.message_budget_ms) bounds the
time one message with many silent lookups takes.

Where unbound turns a fault into something else, the comment in FAULTS says what it did.
"""

import itertools
import os
import unittest

import dkim_signer
import fault_dns
import harness

ENV = harness.Environment("dns_faults")
FAULT_ZONE = "fault.test"
SELECTOR = "sel"
SPF_RECORD = "v=spf1 ip4:127.0.0.1 -all"  # Postfix's SMTP client connects from 127.0.0.1
DMARC_RECORD = "v=DMARC1; p=reject"
RELAXED_DMARC = "v=DMARC1; p=none"
TIMEOUT_MS = 300  # dns.timeout_ms of the milters here: a silent lookup costs this much
TAGS = itertools.count(1)
SEEN = {}  # fault -> results seen, printed after the module (the report's table)
FAULT = None  # the FaultDns of the module
DNS = None  # the unbound that forwards the fault zones to FAULT
KEY = None  # the DKIM signing key


def chain(length):
    """A CNAME chain of `length` links before the record (RFC 1034 section 3.6.2)."""

    def install(name, record):
        links = [name] + [f"c{i}-{name}" for i in range(1, length + 1)]
        for here, there in zip(links, links[1:]):
            FAULT.behave(here, fault_dns.cname(there))
        FAULT.behave(links[-1], fault_dns.txt(record))

    return install


def cname_loop(name, _record):
    FAULT.behave(name, fault_dns.cname(f"loop-{name}"))
    FAULT.behave(f"loop-{name}", fault_dns.cname(name))


def padding_tag(record):
    """An unknown modifier (RFC 7208 section 6) or tag (RFC 6376 section 3.2) whose value is
    the padding: the record stays valid however long, so only the size bound can refuse it."""
    return " z=" if record.startswith("v=spf1") else "; z="


def simple(make):
    return lambda name, record: FAULT.behave(name, make(record))


TEMPERROR = ("temperror", "temperror", "temperror")
NORMAL = ("pass", "pass", "pass")
# kind -> (installs the fault at a name, given the record that belongs there; (spf, dkim, dmarc))
FAULTS = {
    "timeout": (simple(lambda r: fault_dns.silent()), TEMPERROR),
    "servfail": (simple(lambda r: fault_dns.rcode(fault_dns.RCODE_SERVFAIL)), TEMPERROR),
    # unbound treats REFUSED as a lame server and answers SERVFAIL.
    "refused": (simple(lambda r: fault_dns.rcode(fault_dns.RCODE_REFUSED)), TEMPERROR),
    "tc-tcp-ok": (simple(fault_dns.truncated), NORMAL),
    # unbound retries over TCP, the connection closes unanswered: SERVFAIL.
    "tc-tcp-closed": (simple(lambda r: fault_dns.truncated(r, tcp="close")), TEMPERROR),
    # One RR of 200 x 255 octets (over TCP): cut at 16 KiB, marked truncated.
    "oversized-rr": (
        simple(lambda r: fault_dns.oversized_strings(r + padding_tag(r))),
        ("permerror", "permerror", "permerror"),
    ),
    # 100 TXT RRs, the real record first: cut at 64, marked truncated.
    "many-rrs": (simple(fault_dns.many_records), ("permerror", "permerror", "permerror")),
    # unbound does not check TXT string lengths and passes the RR on; authmilter's RDATA parser
    # refuses it (SERVFAIL).
    "bad-txt-length": (simple(lambda r: fault_dns.malformed("bad_txt_length", r)), TEMPERROR),
    # unbound cannot parse the reply: SERVFAIL.
    "bad-pointer": (simple(lambda r: fault_dns.malformed("bad_pointer", r)), TEMPERROR),
    # unbound drops replies with another id and waits: a timeout.
    "wrong-id": (simple(lambda r: fault_dns.malformed("wrong_id", r)), TEMPERROR),
    # unbound drops a reply to another question: SERVFAIL.
    "wrong-question": (simple(lambda r: fault_dns.malformed("wrong_question", r)), TEMPERROR),
    # unbound keeps only what answers the question: NODATA, i.e. no record (SPF none, RFC 7208
    # section 4.5; no key is PERMFAIL, RFC 6376 section 6.1.2; no DMARC record: none).
    "wrong-owner": (
        simple(lambda r: fault_dns.malformed("wrong_owner", r)),
        ("none", "permerror", "none"),
    ),
    # unbound detects the loop: SERVFAIL.
    "cname-loop": (cname_loop, TEMPERROR),
    "cname-chain-short": (chain(3), NORMAL),
    # unbound follows at most a few restarts (max-query-restarts): SERVFAIL.
    "cname-chain-long": (chain(20), TEMPERROR),
}
BUDGET_ZONES = [f"bud-{i}.{FAULT_ZONE}" for i in range(8)]
CONTROL_ZONES = [f"ctl-{i}.{FAULT_ZONE}" for i in range(8)]


def zone_of(kind):
    return f"{kind}.{FAULT_ZONE}"


def setUpModule():
    global FAULT, DNS, KEY
    ENV.start(zones={})
    zones = [FAULT_ZONE] + [zone_of(kind) for kind in FAULTS] + BUDGET_ZONES + CONTROL_ZONES
    FAULT = fault_dns.FaultDns(zones)
    unittest.addModuleCleanup(FAULT.stop)
    FAULT.start()
    # One stub zone per fault kind: unbound keeps its server state (timeouts, lameness) per
    # server and zone, so one kind's silence does not change how another kind is asked.
    DNS = harness.DnsServer(
        os.path.join(ENV.workdir, "dns-faults"), {}, stub_zones={z: FAULT.port for z in zones}
    )
    unittest.addModuleCleanup(DNS.stop)
    harness.LOGS["unbound-faults"] = DNS.log_path
    unittest.addModuleCleanup(harness.LOGS.pop, "unbound-faults", None)
    DNS.start()
    KEY = dkim_signer.SigningKey(ENV.workdir).generate()


def tearDownModule():
    if SEEN:
        print("\nDNS fault -> results seen (a: spf, dkim; b: dmarc)")
        for kind, seen in SEEN.items():
            print(f"  {kind:18} {seen}")


class FaultCase(harness.MilterTestCase):
    env = ENV
    dns_extra = f"timeout_ms: {TIMEOUT_MS}"

    @classmethod
    def setUpClass(cls):
        cls.dns_port = DNS.port  # known only once setUpModule has started it
        super().setUpClass()

    def faulty_auth(self, kind):
        """Message (a): SPF record and DKIM key faulty. Returns (domain, message)."""
        install, _ = FAULTS[kind]
        domain = f"t{next(TAGS)}.{zone_of(kind)}"
        install(domain, SPF_RECORD)
        install(f"{SELECTOR}._domainkey.{domain}", KEY.key_record())
        FAULT.behave(f"_dmarc.{domain}", fault_dns.txt(RELAXED_DMARC))
        return domain, self.signed(domain, f"{kind}: SPF and DKIM key faulty")

    def faulty_dmarc(self, kind):
        """Message (b): SPF and DKIM pass and align; the DMARC record is faulty."""
        install, _ = FAULTS[kind]
        domain = f"t{next(TAGS)}.{zone_of(kind)}"
        FAULT.behave(domain, fault_dns.txt(SPF_RECORD))
        FAULT.behave(f"{SELECTOR}._domainkey.{domain}", fault_dns.txt(KEY.key_record()))
        install(f"_dmarc.{domain}", DMARC_RECORD)
        return domain, self.signed(domain, f"{kind}: DMARC record faulty")

    def signed(self, domain, subject, signers=None):
        message = harness.make_message(subject, sender=f"author@{domain}")
        for signer in signers or [domain]:
            message = KEY.sign(message, signer, SELECTOR)
        return message

    def send(self, domain, message):
        return ENV.postfix.send(f"bounce@{domain}", harness.RECIPIENT, message)

    def results(self, result):
        """{method: [result, ...]} of our Authentication-Results header of a delivered message."""
        self.assertTrue(result.accepted, f"not accepted: {result}")
        delivered = ENV.postfix.wait_delivered(result.queue_id)
        ours = harness.parsed_auth_results(delivered)
        self.assertEqual(len(ours), 1, f"want one AR header of ours:\n{delivered.decode()}")
        found = {m: [r.result for r in ours[0].by_method(m)] for m in ("spf", "dkim", "dmarc")}
        found["header"] = harness.auth_results(delivered)[0][1]
        return found


class FaultResultsTest(FaultCase):
    """Default policy (temperror: accept): every fault is delivered with the right results."""

    def check_fault(self, kind):
        expected_spf, expected_dkim, expected_dmarc = FAULTS[kind][1]
        first = self.results(self.send(*self.faulty_auth(kind)))
        second = self.results(self.send(*self.faulty_dmarc(kind)))
        SEEN[kind] = (first["spf"], first["dkim"], second["dmarc"])
        context = f"{kind}:\n(a) {first['header']}\n(b) {second['header']}"
        self.assertEqual(first["spf"], [expected_spf], context)
        self.assertEqual(first["dkim"], [expected_dkim], context)
        # (b) is only a test of the DMARC fault if everything else would let DMARC pass.
        self.assertEqual((second["spf"], second["dkim"]), (["pass"], ["pass"]), context)
        self.assertEqual(second["dmarc"], [expected_dmarc], context)
        if FAULTS[kind][1] != NORMAL:
            self.assertNotIn("pass", (*first["spf"], *first["dkim"], *second["dmarc"]), context)

    def test_truncated_udp_answer_is_retried_over_tcp(self):
        domain, message = self.faulty_auth("tc-tcp-ok")
        self.assertEqual(self.results(self.send(domain, message))["spf"], ["pass"])
        transports = {t for qtype, t in FAULT.queries(domain) if qtype == fault_dns.TYPE_TXT}
        self.assertEqual(transports, {"udp", "tcp"}, FAULT.queries(domain))


def _add_fault_tests():
    for kind in FAULTS:
        name = "test_" + kind.replace("-", "_")
        setattr(FaultResultsTest, name, lambda self, kind=kind: self.check_fault(kind))


_add_fault_tests()


class SpfTempfailTest(FaultCase):
    """spf.temperror: tempfail: an SPF temperror from any DNS fault is 451 4.7.24 at RCPT."""

    extra_config = "spf:\n  temperror: tempfail\n"

    def test_dns_faults_tempfail_at_rcpt(self):
        for kind in ("timeout", "servfail", "tc-tcp-closed", "bad-txt-length", "cname-loop"):
            with self.subTest(kind=kind):
                result = self.send(*self.faulty_auth(kind))
                self.assertEqual(result.final.stage, "rcpt", f"{kind}: {result}")
                self.assertEqual(result.final.code, 451, f"{kind}: {result}")
                self.assertTrue(result.final.text.startswith("4.7.24 "), f"{kind}: {result}")

    def test_permerror_is_not_tempfailed(self):
        found = self.results(self.send(*self.faulty_auth("oversized-rr")))
        self.assertEqual(found["spf"], ["permerror"], found["header"])


class DmarcTempfailTest(FaultCase):
    """dmarc.temperror: tempfail: a DMARC temperror is 451 4.7.0 at end of DATA."""

    extra_config = "dmarc:\n  temperror: tempfail\n"

    def test_dns_faults_tempfail_at_end_of_data(self):
        for kind in ("timeout", "servfail", "wrong-question"):
            with self.subTest(kind=kind):
                result = self.send(*self.faulty_dmarc(kind))
                self.assertEqual(result.code("data"), 451, f"{kind}: {result}")
                self.assertTrue(result.final.text.startswith("4.7.0 "), f"{kind}: {result}")


class BudgetCase(FaultCase):
    """One message whose SPF record, six DKIM keys and DMARC record are all silent: eight
    lookups of TIMEOUT_MS each, one after the other, each in its own stub zone (so that unbound
    does not give up on the server early and answer SERVFAIL fast)."""

    zones = ()
    signatures = 6

    def silent_message(self):
        tag = f"t{next(TAGS)}"
        domains = [f"{tag}.{zone}" for zone in self.zones]
        FAULT.behave(domains[0], fault_dns.silent())
        signers = domains[1 : 1 + self.signatures]
        for signer in signers:
            FAULT.behave(f"{SELECTOR}._domainkey.{signer}", fault_dns.silent())
        author = domains[1 + self.signatures]
        FAULT.behave(f"_dmarc.{author}", fault_dns.silent())
        message = self.signed(author, "budget", signers=signers)
        return ENV.postfix.send(f"bounce@{domains[0]}", harness.RECIPIENT, message)

    def assert_all_temperror(self, result):
        found = self.results(result)
        self.assertEqual(found["spf"], ["temperror"], found["header"])
        self.assertEqual(found["dkim"], ["temperror"] * self.signatures, found["header"])
        self.assertEqual(found["dmarc"], ["temperror"], found["header"])


class MessageBudgetTest(BudgetCase):
    """dns.message_budget_ms: once spent, every further lookup is a timeout (temperror)."""

    budget_ms = 1000
    zones = BUDGET_ZONES
    dns_extra = f"timeout_ms: {TIMEOUT_MS * 2}\nmessage_budget_ms: {budget_ms}"

    def test_budget_bounds_the_message(self):
        result = self.silent_message()
        SEEN["budget 1000 ms"] = f"{result.elapsed:.2f} s from connect to the DATA reply"
        # The budget, plus one lookup that started just before it ran out, plus Postfix.
        allowed = (self.budget_ms + TIMEOUT_MS * 2) / 1000 + 0.8
        self.assertLess(result.elapsed, allowed, str(result))
        self.assert_all_temperror(result)


class NoBudgetControlTest(BudgetCase):
    """The same message with a budget it cannot exhaust: it takes all eight timeouts, so the
    budget test above measures the budget and not a resolver that answers faster anyway."""

    zones = CONTROL_ZONES
    dns_extra = f"timeout_ms: {TIMEOUT_MS * 2}\nmessage_budget_ms: 60000"

    def test_without_budget_every_lookup_waits(self):
        result = self.silent_message()
        SEEN["budget 60000 ms"] = f"{result.elapsed:.2f} s from connect to the DATA reply"
        self.assertGreater(result.elapsed, 6 * TIMEOUT_MS * 2 / 1000, str(result))
        self.assert_all_temperror(result)


if __name__ == "__main__":
    unittest.main()
