"""ARC (RFC 8617) through real Postfix: a list breaks the author's DKIM signature and seals.

The author domain author.test publishes p=reject and signs with DKIM; a "list" (list.test,
sending from 127.0.0.1, which its SPF record allows) adds a Subject tag and a footer, which breaks
that signature, records what it saw in its own Authentication-Results, and seals the message with
dkimpy's arc_sign (python3-dkim), key served by the harness DNS. DMARC therefore fails at us;
what ARC does with that:
  - sealer trusted (arc.trusted_sealers: [list.test]) -> delivered, arc=pass, dmarc=fail with
    override trusted_forwarder naming the sealer in the AR comment, and the same override in the
    aggregate report XML;
  - sealer not trusted -> held (a passing chain is a sign of indirect flow under
    dmarc.reject: rfc9989, reason "forwarded");
  - the chain broken after sealing (body changed) -> arc=fail and 550 5.7.1;
  - a bare forged ARC-Seal line -> 550 5.7.1 (it used to save the message from rejection).
authmilter-check on the sealed message shows the same arc= clause and override.
"""

import glob
import gzip
import os
import subprocess
import tempfile
import time
import unittest
import xml.etree.ElementTree as ElementTree

import dkim

import dkim_signer
import harness

ENV = harness.Environment("arc")
AUTHOR = "joe@author.test"
KEYS = {}
HOLD_TIMEOUT = 10.0
NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"


def setUpModule():
    keydir = tempfile.mkdtemp(prefix="authmilter-arc-keys-")
    for name in ("author", "list"):
        os.makedirs(os.path.join(keydir, name))
        KEYS[name] = dkim_signer.SigningKey(os.path.join(keydir, name)).generate()
    ENV.start(zones={
        "author.test": [
            '_dmarc.author.test. TXT "v=DMARC1; p=reject"',
            *harness.txt_lines("sel._domainkey.author.test", KEYS["author"].key_record()),
        ],
        "list.test": [
            'list.test. TXT "v=spf1 ip4:127.0.0.1 -all"',
            *harness.txt_lines("arc._domainkey.list.test", KEYS["list"].key_record()),
        ],
    })


def private_key(name):
    with open(KEYS[name].path, "rb") as handle:
        return handle.read()


def authored(subject):
    """A message from the p=reject author, DKIM-signed by author.test."""
    message = harness.make_message(subject, sender=AUTHOR)
    signature = dkim.sign(message, b"sel", b"author.test", private_key("author"),
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return signature + message


def through_list(message):
    """What the list sends on: Subject tagged, footer added, its own AR, sealed with ARC."""
    head, body = message.split(b"\r\n\r\n", 1)
    head = head.replace(b"\r\nSubject: ", b"\r\nSubject: [list] ")
    body += b"-- \r\nlist footer: unsubscribe at list.test\r\n"
    seen = (b"Authentication-Results: list.test; dkim=pass header.d=author.test;"
            b" spf=pass smtp.mailfrom=author.test; dmarc=pass header.from=author.test")
    message = seen + b"\r\n" + head + b"\r\n\r\n" + body
    seal = dkim.arc_sign(message, b"arc", b"list.test", private_key("list"), b"list.test")
    return b"".join(seal) + message


class ArcCase(harness.MilterTestCase):
    env = ENV

    def send(self, message):
        return self.env.postfix.send("bounce@list.test", harness.RECIPIENT, message)

    def assert_refused(self, result):
        self.assertEqual(result.code("data"), 550, str(result))
        self.assertIn("5.7.1", result.final.text, str(result))


class TrustedSealerTest(ArcCase):
    extra_config = "arc:\n  trusted_sealers: [list.test]\n"

    def test_trusted_sealer_rescues_list_mail(self):
        result = self.send(through_list(authored("trusted list")))
        self.assertTrue(result.accepted, str(result))
        delivered = self.env.postfix.wait_delivered(result.queue_id)
        value = harness.auth_results(delivered)[0][1]
        self.assertIn("arc=pass", value)
        self.assertIn("as.1.d=list.test", value)
        self.assertIn("header.oldest-pass=1", value)
        self.assertIn("smtp.remote-ip=127.0.0.1", value)
        self.assertIn("dmarc=fail", value)
        self.assertIn("trusted_forwarder: ARC sealer list.test i=1", value)
        self.assertIn("policy.dmarc=none", value)
        self.assertIn("dkim=fail", value)  # the footer broke the author's signature
        self.check_report_row()

    def check_report_row(self):
        """The aggregate report's row carries the override, type and comment."""
        out_dir = tempfile.mkdtemp(dir=self.milter.workdir)
        config = os.path.join(out_dir, "report.yaml")
        with open(config, "w") as handle:
            handle.write("\n".join([
                "dns:",
                f"  resolvers: ['127.0.0.1@{ENV.dns.port}']",
                "store:",
                f"  url: 'sqlite://{os.path.join(self.milter.workdir, 'records.db')}'",
                "reports:",
                "  org_name: Harness Receiver",
                "  email: dmarc-reports@mx.test",
                "",
            ]))
        tomorrow = str(int(time.time()) + 86400)
        binary = os.path.join(harness.build_dir(), "filter", "authmilter-report")
        done = subprocess.run([binary, "--config", config, "--until", tomorrow, "--dry-run",
                               "--out-dir", out_dir, "--domain", "author.test"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        reports = glob.glob(os.path.join(out_dir, "*.xml*"))
        self.assertEqual(len(reports), 1, f"{reports}\n{done.stdout}{done.stderr}")
        root = parse_report_file(reports[0])
        reasons = [(r.findtext(NS + "type"), r.findtext(NS + "comment") or "")
                   for r in root.iter(NS + "reason")]
        self.assertTrue(any(kind == "trusted_forwarder" and "list.test" in comment
                            for kind, comment in reasons), reasons)

    def test_check_tool_shows_the_same_clause(self):
        message = through_list(authored("offline check"))
        path = os.path.join(self.milter.workdir, "sealed.eml")
        with open(path, "wb") as handle:
            handle.write(message)
        binary = os.path.join(harness.build_dir(), "filter", "authmilter-check")
        done = subprocess.run([binary, "--config", self.milter.config_path, "--client-ip",
                               "127.0.0.1", "--helo", "list.test", "--mail-from", "bounce@list.test",
                               path],
                              capture_output=True, text=True, timeout=60)
        self.assertIn("arc=pass", done.stdout, done.stdout + done.stderr)
        self.assertIn("trusted_forwarder", done.stdout, done.stdout + done.stderr)


def parse_report_file(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return ElementTree.fromstring(data)


class UntrustedSealerTest(ArcCase):
    def test_passing_chain_of_an_unknown_sealer_is_held(self):
        result = self.send(through_list(authored("untrusted list")))
        self.assertTrue(result.accepted, str(result))
        deadline = time.monotonic() + HOLD_TIMEOUT
        while time.monotonic() < deadline:
            if result.queue_id in [m["queue_id"] for m in self.env.postfix.held_messages()]:
                break
            time.sleep(0.1)
        else:
            self.fail(f"{result.queue_id} not in the hold queue")
        self.addCleanup(self.env.postfix.delete_queued, result.queue_id)
        lines = [line for line in self.milter.log_text().splitlines() if result.queue_id in line]
        self.assertTrue(any("arc=pass" in line and "forwarded" in line for line in lines), lines)

    def test_chain_broken_after_sealing_is_refused(self):
        sealed = through_list(authored("broken after sealing"))
        result = self.send(sealed + b"tampered after the seal\r\n")
        self.assert_refused(result)
        lines = [line for line in self.milter.log_text().splitlines() if "arc=fail" in line]
        self.assertTrue(lines, self.milter.log_text()[-2000:])

    def test_bare_forged_seal_no_longer_saves_spoofed_mail(self):
        forged = (b"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=list.test; s=arc; t=1; b=Zm9yZ2Vk\r\n"
                  + harness.make_message("forged seal", sender=AUTHOR))
        self.assert_refused(self.send(forged))


if __name__ == "__main__":
    unittest.main()
