"""corpus - the chaos run's mail: DNS zones, signed messages, and what authmilter must answer.

Purpose: one place that knows the domains the test DNS serves and, for every kind of message the
run sends, the envelope, the bytes and the healthy outcome (the answer and the spf/dkim/dmarc/arc
results of the Authentication-Results header when nothing is broken). Messages are made once at
start (DKIM by tests/integration/dkim_signer.py, ARC sets by dkimpy) and sent many times: the
Postfix queue id, not the content, tells the copies apart.

Domains (every record has TTL 2 s, so a DNS outage reaches authmilter after at most that long):
  reject.example  p=reject,   SPF 127.0.0.1, DKIM selector s1      (signed mail passes)
  quar.example    p=quarantine                                      (unsigned mail fails)
  none.example    p=none
  nopol.example   no DMARC record                                   (no report row)
  relay.example   SPF 127.0.0.1: the envelope domain of mail that is not aligned
  list.example    SPF 127.0.0.1, ARC key arc1: a mailing list that seals what it forwards
"""

import base64
import os
import subprocess
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))

import dkim_signer  # noqa: E402

TTL = 2
RCPT = "rcpt@example.net"
RCPTS3 = ["rcpt@example.net", "second@example.net", "third@example.net"]
SPF_FAIL_CLIENT = "192.0.2.99"  # claimed with XCLIENT: outside every SPF record
FORGED_MARKER = "chaos-forged-marker"
TXT_CHUNK = 255


def txt(name, value):
    chunks = [value[i : i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)]
    return f"{name}. {TTL} IN TXT " + " ".join(f'"{chunk}"' for chunk in chunks)


class Kind:
    """One kind of message: envelope, bytes, and the healthy outcome.

    answer   "accept" or "reject" (550 at end of DATA) when nothing is broken
    results  {method: result} the Authentication-Results header must carry when healthy
    row      True if authmilter records a report row (a DMARC policy was found)
    weight   share of the regular mix (0: sent only by a fault event)
    hostile  a 5xx from Postfix or authmilter is allowed as well as the healthy answer
    """

    def __init__(self, name, mail_from, rcpts, message, answer, results, row, weight,
                 xclient=None, hostile=False):
        self.name, self.mail_from, self.rcpts, self.message = name, mail_from, rcpts, message
        self.answer, self.results, self.row, self.weight = answer, results, row, weight
        self.xclient, self.hostile = xclient, hostile


def openssl(*args, data=None):
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args}: {done.stderr.decode(errors='replace')}")
    return done.stdout


def message(subject, sender, extra=(), body="Chaos run message body.\r\n", to=RCPT):
    lines = [f"{name}: {value}" for name, value in extra]
    lines += [f"From: <{sender}>", f"To: {to}", f"Subject: {subject}",
              "Date: Sat, 05 Dec 2026 00:00:00 +0000",
              f"Message-ID: <{uuid.uuid4().hex}@chaos.example>", "", ""]
    return "\r\n".join(lines).encode() + body.encode()


class Corpus:
    def __init__(self, workdir, big_mib=100):
        self.workdir = os.path.join(workdir, "corpus")
        os.makedirs(self.workdir, exist_ok=True)
        self.key = dkim_signer.SigningKey(self.workdir).generate()
        self.arc_key_path = os.path.join(self.workdir, "arc.pem")
        openssl("genrsa", "-traditional", "-out", self.arc_key_path, "2048")
        der = openssl("rsa", "-in", self.arc_key_path, "-pubout", "-outform", "DER")
        self.arc_record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
        self.arc_available = self._arc_available()
        self.kinds = {}
        self._regular()
        self._hostile()
        self._faulty(big_mib)

    def zones(self):
        spf = "v=spf1 ip4:127.0.0.1 -all"
        return {
            "reject.example": [txt("reject.example", spf),
                               txt("_dmarc.reject.example", "v=DMARC1; p=reject"),
                               txt("s1._domainkey.reject.example", self.key.key_record())],
            "quar.example": [txt("quar.example", spf),
                             txt("_dmarc.quar.example", "v=DMARC1; p=quarantine")],
            "none.example": [txt("none.example", spf),
                             txt("_dmarc.none.example", "v=DMARC1; p=none")],
            "nopol.example": [txt("nopol.example", spf)],
            "relay.example": [txt("relay.example", spf)],
            "list.example": [txt("list.example", spf),
                             txt("arc1._domainkey.list.example", self.arc_record)],
        }

    def signed(self, subject, sender="user@reject.example", **kw):
        return self.key.sign(message(subject, sender, **kw), "reject.example", "s1")

    def add(self, *args, **kw):
        kind = Kind(*args, **kw)
        self.kinds[kind.name] = kind

    def _regular(self):
        passing = {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
        self.add("signed-pass", "bounce@reject.example", [RCPT], self.signed("signed pass"),
                 "accept", passing, True, 30)
        self.add("reject-fail", "bounce@relay.example", [RCPT],
                 message("unaligned reject", "user@reject.example"), "reject",
                 {}, True, 10)
        self.add("quarantine-fail", "bounce@relay.example", [RCPT],
                 message("unaligned quarantine", "user@quar.example"), "accept",
                 {"spf": "pass", "dkim": "none", "dmarc": "fail"}, True, 10)
        self.add("none-fail", "bounce@relay.example", [RCPT],
                 message("unaligned p=none", "user@none.example"), "accept",
                 {"spf": "pass", "dkim": "none", "dmarc": "fail"}, True, 10)
        self.add("no-policy", "bounce@nopol.example", [RCPT],
                 message("no DMARC record", "user@nopol.example"), "accept",
                 {"spf": "pass", "dkim": "none", "dmarc": "none"}, False, 10)
        # <>: SPF checks the HELO name (client.test: NXDOMAIN, none); DMARC passes by DKIM.
        self.add("null-sender", "", [RCPT], self.signed("null sender"), "accept",
                 {"spf": "none", "dkim": "pass", "dmarc": "pass"}, True, 8)
        self.add("three-rcpts", "bounce@reject.example", RCPTS3,
                 self.signed("three recipients", to=", ".join(RCPTS3)), "accept", passing, True, 8)
        self.add("spf-fail-signed", "bounce@reject.example", [RCPT],
                 self.signed("spf fails, dkim passes"), "accept",
                 {"spf": "fail", "dkim": "pass", "dmarc": "pass"}, True, 7,
                 xclient={"addr": SPF_FAIL_CLIENT})
        if self.arc_available:
            self.add("arc-list", "bounce@list.example", [RCPT], self.arc_list_message(),
                     "accept", {"spf": "pass", "dkim": "fail", "dmarc": "fail", "arc": "pass"},
                     True, 7)

    def _arc_available(self):
        try:
            import dkim  # noqa: F401  (python3-dkim: dkimpy; run with /usr/bin/python3)
            return True
        except ImportError:
            return False

    def arc_list_message(self):
        """A p=reject author's signed message as a list forwards it: Subject tag and footer added
        (the author's signature breaks), List-Id added, sealed by list.example (i=1) over the
        list's own Authentication-Results of what it received (dkim=pass for reject.example).
        list.example is in arc.trusted_sealers, so DMARC fails but the message is delivered
        (override trusted_forwarder)."""
        import dkim
        original = self.signed("list post")
        head, body = original.split(b"\r\n\r\n", 1)
        head = head.replace(b"Subject: list post", b"Subject: [list] list post")
        ar = (b"Authentication-Results: lists.list.example; dkim=pass header.d=reject.example"
              b" header.s=s1; spf=pass smtp.mailfrom=reject.example")
        head = ar + b"\r\nList-Id: <chaos.list.example>\r\n" + head
        modified = head + b"\r\n\r\n" + body + b"--\r\nList footer\r\n"
        with open(self.arc_key_path, "rb") as handle:
            private = handle.read()
        sealed = dkim.arc_sign(modified, b"arc1", b"list.example", private,
                               b"lists.list.example",
                               include_headers=[b"from", b"to", b"subject", b"date",
                                                b"message-id", b"list-id"])
        return b"".join(sealed) + modified

    def _hostile(self):
        forged = [("Authentication-Results",
                   f"mx.test; dkim=pass header.d=reject.example ({FORGED_MARKER} {i})")
                  for i in range(50)]
        ok = {"spf": "pass", "dkim": "none", "dmarc": "fail"}
        self.add("forged-ar-50", "bounce@relay.example", [RCPT],
                 message("fifty forged AR", "user@none.example", extra=forged), "accept", ok,
                 True, 0, hostile=True)
        forged300 = [("Authentication-Results",
                      f"mx.test; spf=pass smtp.mailfrom=reject.example ({FORGED_MARKER} {i})")
                     for i in range(300)]
        self.add("forged-ar-300", "bounce@relay.example", [RCPT],
                 message("300 forged AR", "user@none.example", extra=forged300), "reject", {},
                 False, 0, hostile=True)
        broken = ("--b1\r\nContent-Type: text/plain\r\n\r\npart one\r\n--b1\r\nContent-Type: "
                  "multipart/alternative; boundary=\"b2\r\n\r\n--b2\r\nno end\r\n--b1--x\r\n")
        self.add("broken-mime", "bounce@relay.example", [RCPT],
                 message("broken MIME", "user@none.example",
                         extra=[("MIME-Version", "1.0"),
                                ("Content-Type", "multipart/mixed; boundary=\"b1")],
                         body=broken), "accept", ok, True, 0, hostile=True)
        nul = message("NUL bytes", "user@none.example", extra=[("X-Nul", "a\0b")],
                      body="before\0after\r\n\0\0\0\r\n")
        self.add("nul-bytes", "bounce@relay.example", [RCPT], nul, "accept", ok, True, 0,
                 hostile=True)
        eight = message("8-bit", "user@none.example", extra=[("X-Latin1", "caf\xe9")])
        eight = eight.replace(b"Subject: 8-bit", "Subject: Grüße aus Köln ✓".encode())
        eight = eight.replace(b"From: <user@none.example>",
                              "From: Jürgen Müller <user@none.example>".encode())
        eight = eight.replace("X-Latin1: caf\xe9".encode(), b"X-Latin1: caf\xe9")
        self.add("8bit-headers", "bounce@relay.example", [RCPT], eight, "accept", ok, True, 0,
                 hostile=True)

    def _faulty(self, big_mib):
        line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-chaos-big-body\r\n"
        body = line * (big_mib * 1024 * 1024 // len(line))
        big = message("100 MiB", "user@reject.example").replace(
            b"Chaos run message body.\r\n", b"") + body
        passing = {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
        self.add("big", "bounce@reject.example", [RCPT],
                 self.key.sign(big, "reject.example", "s1"), "accept", passing, True, 0)
        self.add("stall", "bounce@reject.example", [RCPT], self.signed("stalled client"),
                 "accept", passing, True, 0)
        self.add("stall-drop", "bounce@reject.example", [RCPT],
                 self.signed("stalled client that drops"), "none", {}, False, 0)

    def regular(self):
        return [kind for kind in self.kinds.values() if kind.weight > 0]

    def hostile(self):
        return [kind for kind in self.kinds.values() if kind.hostile]
