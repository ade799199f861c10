"""Resource bounds (the `limits:` section, issue 8) through real Postfix and over the milter wire.

Through Postfix, with small configured limits: recipients over max_recipients get 452 4.5.3 at
RCPT (RFC 5321 section 4.5.3.1.10) while the message still reaches the accepted ones; a header
section over max_header_fields or max_header_bytes is refused 552 5.3.4 at end of data (RFC
3463 section 3.4); DKIM signatures beyond dkim.max_signatures are dkim=policy, not verified;
forged Authentication-Results fields (our authserv-id) up to max_forged_authres_headers are all
deleted, one more and the message is refused 550 5.7.1.
Each bound hit leaves one log line naming the key.

Over the milter protocol (milter_wire.py): max_connections + 1 concurrent connections get the
extra one refused 451 4.3.2 at connect, and Postfix's SMTP client sees a 4xx while the milter is
full; after one closes, a new one is served. A 100 MiB message streams through in 64 KiB BODY
packets: the daemon's peak RSS (VmHWM) grows by less than MAX_RSS_GROWTH over a 1 MB baseline,
and its DKIM signature (made here with the RFC 8463 RSA key) still verifies. On the ASan build
the daemon runs with a small allocator quarantine (ASAN_QUARANTINE_MB): ASan's default keeps
256 MB of freed memory unreused to catch use-after-free, which would be measured as growth.
"""

import base64
import hashlib
import os
import re
import smtplib
import subprocess
import time
import unittest

import harness
import milter_process
import milter_wire
import test_dkim
from processes import wait_until

ENV = harness.Environment("limits")
SIGNER = test_dkim.SIGNER  # football.example.com, keys from tests/data/dkim/rfc8463
RSA_KEY = os.path.join(test_dkim.DATA, "rsa-private.pem")
SENDER = "sender@example.org"
LOG_TIMEOUT = 5.0
MAX_RECIPIENTS = 3
MAX_HEADER_FIELDS = 30
MAX_HEADER_BYTES = 8192
MAX_CONNECTIONS = 4
MAX_FORGED_AUTHRES = 3
# 65520 bytes: under libmilter's 65535-byte packet bound (MILTER_CHUNK_SIZE), as Postfix sends.
CHUNK = (b"x" * 1038 + b"\r\n") * 63
MAX_RSS_GROWTH = 16 * 1024 * 1024
BIG_MESSAGE_BYTES = 100 * 1024 * 1024
BASELINE_MESSAGE_BYTES = 1024 * 1024
ASAN_QUARANTINE_MB = 4


def setUpModule():
    ENV.start(zones={**test_dkim.SENDER_ZONE, SIGNER: test_dkim.key_records()})


def log_has(milter, pattern, start=0):
    """Waits until the milter log (from byte offset start) matches pattern; returns the match."""

    def found():
        with open(milter.log_path, "rb") as handle:
            handle.seek(start)
            return re.search(pattern.encode(), handle.read())

    try:
        return wait_until(found, LOG_TIMEOUT, f"log line {pattern!r}")
    except TimeoutError:
        raise AssertionError(f"no log line {pattern!r} in:\n{milter.log_text()}") from None


def log_size(milter):
    return os.path.getsize(milter.log_path)


def smtp_transaction(port, rcpts, message):
    """MAIL, every RCPT (even after refusals), DATA if one was accepted: the replies."""
    replies = {}
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo("client.test")
        smtp.docmd("MAIL", f"FROM:<{SENDER}>")
        replies["rcpt"] = [smtp.docmd("RCPT", f"TO:<{rcpt}>") for rcpt in rcpts]
        if any(code == 250 for code, _ in replies["rcpt"]):
            replies["data"] = smtp.data(message)
    return replies


class PostfixLimitsTest(harness.MilterTestCase):
    """Small limits, the milter on the unix socket Postfix's "unix" listener uses."""

    env = ENV
    socket_kind = "unix"
    extra_config = (
        "dkim:\n  max_signatures: 1\n"
        f"limits:\n  max_connections: {MAX_CONNECTIONS}\n  max_recipients: {MAX_RECIPIENTS}\n"
        f"  max_header_fields: {MAX_HEADER_FIELDS}\n  max_header_bytes: {MAX_HEADER_BYTES}\n"
        f"  max_forged_authres_headers: {MAX_FORGED_AUTHRES}\n"
    )

    def port(self):
        return self.env.postfix.port("unix")

    def test_recipients_over_the_limit_get_452_and_the_rest_get_the_message(self):
        start = log_size(self.milter)
        rcpts = [f"r{i}@{harness.RECIPIENT_DOMAIN}" for i in range(MAX_RECIPIENTS + 2)]
        replies = smtp_transaction(self.port(), rcpts, harness.make_message("many rcpts"))
        codes = [code for code, _ in replies["rcpt"]]
        self.assertEqual(codes, [250] * MAX_RECIPIENTS + [452, 452], replies)
        for _, text in replies["rcpt"][MAX_RECIPIENTS:]:
            self.assertIn(b"4.5.3", text)
            self.assertIn(b"too many recipients", text)
        self.assertEqual(replies["data"][0], 250, replies)
        log_has(self.milter, rf"limit: limits\.max_recipients={MAX_RECIPIENTS} exceeded "
                             rf"\({MAX_RECIPIENTS + 1}\): recipient refused 452 4\.5\.3", start)
        with open(self.milter.log_path, "rb") as handle:
            handle.seek(start)
            self.assertEqual(handle.read().count(b"limits.max_recipients"), 1)  # one line

    def test_too_many_header_fields_is_refused_552(self):
        start = log_size(self.milter)
        extra = [(f"X-Filler-{i}", "x") for i in range(MAX_HEADER_FIELDS)]
        result = self.env.postfix.send(SENDER, harness.RECIPIENT,
                                       harness.make_message("fields", extra), listener="unix")
        self.assertEqual(result.final.stage, "data", result)
        self.assertEqual(result.final.code, 552, result)
        self.assertIn("5.3.4", result.final.text)
        log_has(self.milter, rf"limit: limits\.max_header_fields={MAX_HEADER_FIELDS} exceeded "
                             r"\(\d+\): message refused 552 5\.3\.4", start)

    def test_header_fields_under_the_limit_pass(self):
        extra = [(f"X-Filler-{i}", "x") for i in range(MAX_HEADER_FIELDS - 12)]
        delivered = self.send_and_receive(harness.make_message("fields ok", extra),
                                          listener="unix")
        self.assertEqual(len(harness.auth_results(delivered)), 1)

    def test_too_many_header_bytes_is_refused_552(self):
        start = log_size(self.milter)
        # Folded (RFC 5322 section 2.2.3): lines stay short, the field is over the bound.
        extra = [("X-Big", "\r\n ".join(["y" * 100] * (MAX_HEADER_BYTES // 100 + 1)))]
        result = self.env.postfix.send(SENDER, harness.RECIPIENT,
                                       harness.make_message("bytes", extra), listener="unix")
        self.assertEqual(result.final.code, 552, result)
        self.assertIn("5.3.4", result.final.text)
        log_has(self.milter, rf"limit: limits\.max_header_bytes={MAX_HEADER_BYTES} exceeded", start)

    def forged(self, count):
        return [("Authentication-Results", f"{harness.AUTHSERV_ID}; spf=pass smtp.mailfrom=x{i}")
                for i in range(count)]

    def test_forged_authres_at_the_limit_are_all_deleted(self):
        extra = self.forged(MAX_FORGED_AUTHRES) + [
            ("Authentication-Results", "other.example; spf=pass smtp.mailfrom=x.example")]
        delivered = self.send_and_receive(harness.make_message("forged ok", extra),
                                          listener="unix")
        (ours,) = harness.auth_results(delivered)  # only ours: every forgery deleted
        self.assertNotIn("smtp.mailfrom=x0", ours[1])
        self.assertEqual(len(harness.auth_results(delivered, "other.example")), 1)

    def test_one_forged_authres_over_the_limit_is_refused_550(self):
        start = log_size(self.milter)
        message = harness.make_message("forged", self.forged(MAX_FORGED_AUTHRES + 1))
        result = self.env.postfix.send(SENDER, harness.RECIPIENT, message, listener="unix")
        self.assertEqual(result.final.stage, "data", result)
        self.assertEqual(result.final.code, 550, result)
        self.assertIn("5.7.1", result.final.text)
        log_has(self.milter, rf"limit: limits\.max_forged_authres_headers={MAX_FORGED_AUTHRES} "
                             rf"exceeded \({MAX_FORGED_AUTHRES + 1}\): message refused 550", start)

    def test_signatures_beyond_max_signatures_are_policy(self):
        start = log_size(self.milter)
        delivered = self.send_and_receive(test_dkim.signed_message(), listener="unix")
        (ours,) = harness.parsed_auth_results(delivered)
        dkim = [r for r in ours.results if r.method == "dkim"]
        self.assertEqual([r.result for r in dkim], ["pass", "policy"], ours)
        log_has(self.milter, r"limit: dkim\.max_signatures=1 exceeded \(2\)", start)

    def hold_admitted(self, count):
        """count connections the milter admitted (on unix sockets: NR_CONN negotiated)."""
        held = []

        def one_more():
            connection = milter_wire.MilterConnection(self.milter.socket)
            if connection.negotiated_steps & milter_wire.SMFIP_NR_CONN:
                self.assertIsNone(connection.connect())
                held.append(connection)
            else:
                connection.close()  # a slot still held by an ending Postfix session
            return len(held) == count

        wait_until(one_more, LOG_TIMEOUT, f"{count} admitted milter connections")
        return held

    def assert_refused(self):
        with milter_wire.MilterConnection(self.milter.socket) as extra:
            self.assertFalse(extra.negotiated_steps & milter_wire.SMFIP_NR_CONN)
            reply = extra.connect()
            self.assertEqual(reply.code, b"y", reply)
            self.assertTrue(reply.text().startswith("451 4.3.2 "), reply)

    def test_connections_over_the_limit_are_tempfailed_until_one_closes(self):
        start = log_size(self.milter)
        held = self.hold_admitted(MAX_CONNECTIONS)
        try:
            self.assert_refused()
            log_has(self.milter, rf"refused: limit: limits\.max_connections={MAX_CONNECTIONS} "
                                 r"reached: tempfail 451 4\.3\.2", start)
            # A held connection still works: RCPT answers.
            held[0].mail(SENDER)
            self.assertEqual(held[0].rcpt(harness.RECIPIENT).code, b"c")
            # Postfix's milter connection is refused too: Postfix answers the client's commands
            # (EHLO first) with our 451 4.3.2, so nothing is accepted while the milter is full.
            result = self.env.postfix.send(SENDER, harness.RECIPIENT,
                                           harness.make_message("milter full"), listener="unix")
            self.assertFalse(result.accepted, result)
            self.assertEqual(result.final.code, 451, result)
            self.assertIn("4.3.2", result.final.text)
            held.pop().close()
            replacement = self.hold_admitted(1)  # the freed slot is served again
            held += replacement
        finally:
            for connection in held:
                connection.close()
        wait_until(lambda: self.env.postfix.send(SENDER, harness.RECIPIENT,
                                                 harness.make_message("room again"),
                                                 listener="unix").accepted,
                   LOG_TIMEOUT, "Postfix served again once the milter has room")


def rsa_sign(data):
    done = subprocess.run(["openssl", "dgst", "-sha256", "-sign", RSA_KEY], input=data,
                          capture_output=True, timeout=30, check=True)
    return base64.b64encode(done.stdout).decode()


def relaxed(name, value):
    """RFC 6376 section 3.4.2 for a single-line field."""
    return name.lower() + ":" + " ".join(value.split())


def signed_headers(chunks, subject):
    """Header fields of a message whose body is CHUNK * chunks, signed rsa-sha256 relaxed/simple
    by football.example.com (s=test); the body hash is streamed (RFC 6376 section 3.4.3)."""
    body_hash = hashlib.sha256()
    for _ in range(chunks):
        body_hash.update(CHUNK)
    fields = [("From", f"<joe@{SIGNER}>"), ("To", f"<{harness.RECIPIENT}>"),
              ("Subject", subject), ("Date", "Thu, 26 Nov 2026 12:00:00 +0000")]
    bh = base64.b64encode(body_hash.digest()).decode()
    unsigned = (f"v=1; a=rsa-sha256; c=relaxed/simple; d={SIGNER}; s=test; "
                f"h=from:to:subject:date; bh={bh}; b=")
    signed_data = "".join(relaxed(n, v) + "\r\n" for n, v in fields)
    signed_data += relaxed("DKIM-Signature", unsigned)
    signature = rsa_sign(signed_data.encode())
    return [("DKIM-Signature", unsigned + signature)] + fields


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/PID/status")


class BigMessageTest(harness.MilterTestCase):
    """The milter driven directly: a 100 MB body in 64 KiB packets, memory flat."""

    env = ENV
    socket_kind = "inet"

    @classmethod
    def setUpClass(cls):
        cls.milter = cls.env.milter(cls.socket_kind)
        if milter_process.sanitized(cls.milter.binary):
            options = os.environ.get("ASAN_OPTIONS", "")
            cls.milter.wrapper = [
                "env", f"ASAN_OPTIONS={options}:quarantine_size_mb={ASAN_QUARANTINE_MB}"]
        cls.addClassCleanup(cls._stop_milter)
        harness.RUNNING.append(cls.milter)
        harness.LOGS["authmilter"] = cls.milter.log_path
        cls.milter.start()

    def stream(self, chunks, subject, alter_last=False):
        """One message through the milter; returns our Authentication-Results value."""
        headers = signed_headers(chunks, subject)
        with milter_wire.MilterConnection(self.milter.socket) as wire:
            wire.connect()
            wire.helo()
            wire.mail(SENDER)
            self.assertEqual(wire.rcpt(harness.RECIPIENT).code, b"c")
            wire.data()
            for name, value in headers:
                wire.header(name, value)
            wire.end_of_headers()
            last = CHUNK.replace(b"x", b"y", 1) if alter_last else CHUNK
            for index in range(chunks):
                reply = wire.body(last if index == chunks - 1 else CHUNK)
                self.assertIn(reply.code if reply else b"c", (b"c",), reply)
            final, modifications = wire.end_of_message()
        self.assertEqual(final.code, b"a", final)
        values = [m.header()[1] for m in modifications
                  if m.code == b"i" and m.header()[0] == "Authentication-Results"]
        self.assertEqual(len(values), 1, modifications)
        return harness.parse_auth_results(values[0])

    def dkim_result(self, results):
        return [r.result for r in results.results if r.method == "dkim"]

    def test_hundred_megabytes_stream_with_flat_memory_and_correct_dkim(self):
        pid = self.milter.pid()
        baseline_chunks = BASELINE_MESSAGE_BYTES // len(CHUNK)
        self.assertEqual(self.dkim_result(self.stream(baseline_chunks, "1 MB")), ["pass"])
        # The check can fail: one altered byte in the last chunk breaks the body hash.
        altered = self.stream(baseline_chunks, "1 MB altered", alter_last=True)
        self.assertEqual(self.dkim_result(altered), ["fail"])
        baseline = peak_rss(pid)
        started = time.monotonic()
        big = self.stream(-(-BIG_MESSAGE_BYTES // len(CHUNK)), "100 MiB")
        elapsed = time.monotonic() - started
        self.assertEqual(self.dkim_result(big), ["pass"], big)
        peak = peak_rss(pid)
        print(f"\n  VmHWM after 1 MiB: {baseline / 2**20:.1f} MiB, after 100 MiB: "
              f"{peak / 2**20:.1f} MiB (+{(peak - baseline) / 2**20:.1f} MiB); "
              f"100 MiB streamed in {elapsed:.1f} s")
        self.assertLess(peak - baseline, MAX_RSS_GROWTH)


if __name__ == "__main__":
    unittest.main()
