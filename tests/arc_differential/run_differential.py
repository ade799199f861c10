#!/usr/bin/python3
"""ARC differential test: authmilter's ArcVerifier against dkimpy and Mail::DKIM.

Builds ARC chains (RFC 8617) of 1, 2 and 3 hops at run time, in a temporary directory, with
two independent implementations packaged in Debian 12: dkimpy (python3-dkim, arc_sign /
ARC.sign and arc_verify) and Mail::DKIM (libmail-dkim-perl, ARC::Signer and ARC::Verifier,
driven through mail_dkim_arc.pl). Chains are made by one library alone and by both in turn
(hop 1 by one, hop 2 by the other, ...), with RSA-2048 and, where the library can, Ed25519.
Every chain is then tampered with in several ways (body or signed header changed after the last
seal, a seal's b= altered, an instance removed or duplicated). Every message (chain or tampered
variant) is verified by dkimpy, by Mail::DKIM and by our arc_verify_tool (body chunk sizes 1
and 65536, and an LF-only copy of the file), and the verdicts (cv, and oldest-pass on a pass)
are compared with each other and with the verdict the construction implies: pass for an
untampered chain, fail for every tampered one, and fail for the few chains built to fail (a hop
that seals a broken chain with cv=fail; signatures dated a day ahead).

Keys are generated for the run (openssl for RSA, PyNaCl for Ed25519) and served from a key file
(name<TAB>TXT record) to all three verifiers: dkimpy through dnsfunc=, Mail::DKIM through a
replaced Mail::DKIM::DNS::query, ours through a ZoneResolver. Nothing touches the network.

Exit status: 0 when every case agrees (or its difference is listed in KNOWN_DIFFERENCES below,
with the reason and the RFC 8617 section); 1 on any other disagreement; 2 on a setup error
(a library missing, a chain that its own maker does not verify).

Without --tool only the oracle half runs (dkimpy against Mail::DKIM and the expected verdicts).
"""

import argparse
import base64
import contextlib
import hashlib
import logging
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PERL_ORACLE = os.path.join(HERE, "mail_dkim_arc.pl")

try:
    import dkim
    import nacl.encoding
    import nacl.signing
except ImportError as error:  # pragma: no cover - a setup problem, not a verdict
    print("arc-differential: setup error: %s (needs python3-dkim and python3-nacl)" % error)
    sys.exit(2)
try:
    import authres  # noqa: F401  dkimpy's ARC signer parses Authentication-Results with it
except ImportError:
    print("arc-differential: setup error: dkimpy's ARC signer needs python3-authres "
          "(only a Suggests of python3-dkim; contrib/setup-debian.sh --with-tests installs it)")
    sys.exit(2)


class SetupError(Exception):
    """The test could not build what it needs; not a verdict about any verifier."""


# --------------------------------------------------------------------------------------------
# What each library supports (found by reading their installed sources; recorded in README).
#   dkimpy 1.1.4: ARC is rsa-sha256 only as shipped, signing and verifying: arc_sign() ignores
#     its signature_algorithm argument, ARC.sign() parses every private key as an RSA PEM, and
#     ARC_HASH_ALGORITHMS (the a= values arc_verify accepts) holds rsa-sha256 alone, although
#     its DKIM side signs and verifies ed25519-sha256 (PyNaCl). Ed25519 chains are made and
#     verified by dkimpy with that list extended for the call (Dkimpy.ed25519_extension);
#     the table marks their maker and dkimpy verdicts "dkimpy+ed".
#   Mail::DKIM 1.20230212: ARC::Signer dies unless Algorithm is rsa-sha256 ("add ed25519
#     sometime"), and it has no ed25519 algorithm class to verify with either. Its verdict on
#     a chain holding any Ed25519 signature is shown in the table but not compared.
# --------------------------------------------------------------------------------------------
MAKER_ALGORITHMS = {"dkimpy": {"rsa", "ed25519"}, "mail-dkim": {"rsa"}}
VERIFIER_ALGORITHMS = {
    "dkimpy": {"rsa", "ed25519"}, "mail-dkim": {"rsa"}, "ours": {"rsa", "ed25519"}}

# Differences accepted with a reason: (chain id or "*", tamper, verifier) -> (reason, RFC 8617
# section). A case listed here that agrees after all is reported, so that stale entries show.
KNOWN_DIFFERENCES = {
    ("*", "t=+1d", "mail-dkim"): (
        "Mail::DKIM 1.20230212's ARC verifier never compares t= with the clock, so it passes a "
        "chain whose AMS and seal are dated a day ahead; dkimpy and ours fail it (ArcOptions "
        "clock_skew_seconds). t= is RFC 6376's, where a verifier MAY ignore such signatures",
        "RFC 8617 §4.1.2 and §4.1.3 (t= as in RFC 6376 §3.5)"),
}

# (maker, algorithm, modifies): a hop by `maker` seals with `algorithm`; when `modifies`, the
# list tags the Subject and appends a footer before sealing (breaking older AMSes).
M, K = True, False
CHAINS = [
    ("py-rsa-1", [("dkimpy", "rsa", M)], {}),
    ("py-rsa-2", [("dkimpy", "rsa", M), ("dkimpy", "rsa", M)], {}),
    ("py-rsa-3", [("dkimpy", "rsa", M), ("dkimpy", "rsa", K), ("dkimpy", "rsa", M)], {}),
    ("pl-rsa-1", [("mail-dkim", "rsa", M)], {}),
    ("pl-rsa-2", [("mail-dkim", "rsa", M), ("mail-dkim", "rsa", K)], {}),
    ("pl-rsa-3", [("mail-dkim", "rsa", M), ("mail-dkim", "rsa", M), ("mail-dkim", "rsa", M)], {}),
    ("py+pl-rsa-2", [("dkimpy", "rsa", M), ("mail-dkim", "rsa", M)], {}),
    ("pl+py-rsa-2", [("mail-dkim", "rsa", M), ("dkimpy", "rsa", K)], {}),
    ("py+pl+py-rsa-3", [("dkimpy", "rsa", M), ("mail-dkim", "rsa", K), ("dkimpy", "rsa", K)], {}),
    ("pl+py+pl-rsa-3",
     [("mail-dkim", "rsa", M), ("dkimpy", "rsa", M), ("mail-dkim", "rsa", M)], {}),
    ("py-ed-1", [("dkimpy", "ed25519", M)], {}),
    ("py-ed-2", [("dkimpy", "ed25519", M), ("dkimpy", "ed25519", M)], {}),
    ("py-ed-3", [("dkimpy", "ed25519", M), ("dkimpy", "ed25519", K), ("dkimpy", "ed25519", M)], {}),
    ("py-rsa+ed-2", [("dkimpy", "rsa", M), ("dkimpy", "ed25519", M)], {}),
    ("py-ed+rsa+ed-3",
     [("dkimpy", "ed25519", M), ("dkimpy", "rsa", K), ("dkimpy", "ed25519", K)], {}),
    ("pl-rsa+py-ed-2", [("mail-dkim", "rsa", M), ("dkimpy", "ed25519", M)], {}),
]

# Chains that must fail although nobody tampered with the result (expected verdict: fail):
#   cvfail: the body is changed in transit before the last hop, which seals with cv=fail
#           (RFC 8617 §5.2 step 2: the newest seal's cv=fail ends validation with fail).
#   future: every signature's t= is a day ahead (RFC 6376 §3.5 t=; ArcOptions' clock skew).
SPECIAL_CHAINS = [
    ("py-rsa-2-cvfail", [("dkimpy", "rsa", M), ("dkimpy", "rsa", K)],
     {"broken_before": 2, "label": "sealed-cv=fail"}),
    ("pl-rsa-2-cvfail", [("mail-dkim", "rsa", M), ("mail-dkim", "rsa", K)],
     {"broken_before": 2, "label": "sealed-cv=fail"}),
    ("py+pl-rsa-3-cvfail",
     [("dkimpy", "rsa", M), ("mail-dkim", "rsa", M), ("dkimpy", "rsa", K)],
     {"broken_before": 3, "label": "sealed-cv=fail"}),
    ("py-rsa-1-future", [("dkimpy", "rsa", M)], {"t_offset": 86400, "label": "t=+1d"}),
    ("pl-rsa-1-future", [("mail-dkim", "rsa", M)], {"t_offset": 86400, "label": "t=+1d"}),
]

LISTS = ["list1.example", "list2.example", "list3.example"]  # hop k is run by LISTS[k-1]
SELECTORS = {"rsa": "rsa2048", "ed25519": "ed1"}

ORIGINAL_MESSAGE = (
    b"Return-Path: <alice@origin.example>\r\n"
    b"From: Alice Example <alice@origin.example>\r\n"
    b"To: discuss@list1.example,\r\n"
    b"\tdiscuss@list2.example\r\n"
    b"Subject: Quarterly numbers for the\r\n"
    b" committee\r\n"
    b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
    b"Message-ID: <q4-numbers@origin.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"\r\n"
    b"Hello list,\r\n"
    b"\r\n"
    b"the numbers  are   attached  below.\t(Whitespace is relaxed.)\r\n"
    b"1 2 3\r\n"
    b"\r\n"
    b"Alice\r\n"
)


# ------------------------------------------------------------------------- message handling --

def split_message(raw):
    """[(name, whole field bytes with its CRLFs)], body (bytes after the blank line)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise SetupError("message without a header/body separator")
    fields = []
    for line in (head + b"\r\n").split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t"):
            name, text = fields[-1]
            fields[-1] = (name, text + line + b"\r\n")
        else:
            fields.append((line.split(b":", 1)[0].strip(), line + b"\r\n"))
    return fields, body


def join_message(fields, body):
    return b"".join(text for _, text in fields) + b"\r\n" + body


def unfolded_value(field_text):
    value = field_text.split(b":", 1)[1]
    return re.sub(rb"\r\n([ \t])", rb"\1", value).strip()


ARC_NAMES = (b"arc-seal", b"arc-message-signature", b"arc-authentication-results")


def arc_instance(name, field_text):
    """i= of an ARC-* field, None for other fields."""
    if name.lower() not in ARC_NAMES:
        return None
    match = re.search(rb"(?:^|;)\s*i\s*=\s*(\d+)", unfolded_value(field_text))
    if not match:
        raise SetupError("ARC field without i=: %r" % field_text)
    return int(match.group(1))


def tag_value(field_text, tag):
    for part in unfolded_value(field_text).split(b";"):
        key, _, value = part.partition(b"=")
        if key.strip() == tag:
            return value.strip()
    return None


def find_field(fields, name, instance):
    for index, (field_name, text) in enumerate(fields):
        if field_name.lower() == name and arc_instance(field_name, text) == instance:
            return index
    raise SetupError("no %s i=%d" % (name.decode(), instance))


def hop_modify(raw, hop):
    """What mailing list `hop` does to a message before sealing it."""
    fields, body = split_message(raw)
    tag = b"[list%d] " % hop
    for index, (name, text) in enumerate(fields):
        if name.lower() == b"subject":
            head, _, rest = text.partition(b":")
            fields[index] = (name, head + b": " + tag + rest.lstrip(b" \t"))
    body += b"-- \r\nList %d footer: https://list%d.example/discuss\r\n" % (hop, hop)
    return join_message(fields, body)


def add_authentication_results(raw, hop, chain_status):
    srv_id = LISTS[hop - 1].encode()
    field = (b"Authentication-Results: " + srv_id +
             b"; spf=pass smtp.mailfrom=origin.example; arc=" + chain_status.encode() + b"\r\n")
    return field + raw


# ---------------------------------------------------------------------------------- tampers --

def flip_base64(value_text):
    """Change one base64 character in the middle of a b= value (whitespace kept)."""
    positions = [i for i, c in enumerate(value_text) if chr(c).isalnum() or c in b"+/"]
    if len(positions) < 8:
        raise SetupError("b= too short to alter")
    at = positions[len(positions) // 2]
    replacement = b"B" if value_text[at:at + 1] == b"A" else b"A"
    return value_text[:at] + replacement + value_text[at + 1:]


def alter_b(fields, name, instance):
    index = find_field(fields, name, instance)
    field_name, text = fields[index]
    match = re.search(rb"(;\s*b\s*=)([^;]*)", text)
    if not match:
        raise SetupError("no b= in %r" % text)
    altered = text[:match.start(2)] + flip_base64(match.group(2)) + text[match.end(2):]
    fields[index] = (field_name, altered)


def tamper_body(fields, body, hops):
    return fields, body + b"Added after the last seal.\r\n"


def tamper_header(fields, body, hops):
    ams = fields[find_field(fields, b"arc-message-signature", hops)][1]
    signed = [h.strip().lower() for h in tag_value(ams, b"h").split(b":")]
    if b"subject" not in signed:
        raise SetupError("newest AMS does not sign Subject: %r" % signed)
    for index, (name, text) in enumerate(fields):
        if name.lower() == b"subject":
            fields[index] = (name, text.replace(b"Quarterly", b"Annual"))
            return fields, body
    raise SetupError("no Subject")


def tamper_newest_seal(fields, body, hops):
    alter_b(fields, b"arc-seal", hops)
    return fields, body


def tamper_first_seal(fields, body, hops):
    alter_b(fields, b"arc-seal", 1)
    return fields, body


def tamper_first_ams(fields, body, hops):
    alter_b(fields, b"arc-message-signature", 1)
    return fields, body


def drop_instance(instance):
    def tamper(fields, body, hops):
        kept = [(n, t) for n, t in fields if arc_instance(n, t) != instance]
        if len(kept) != len(fields) - 3:
            raise SetupError("instance %d is not three fields" % instance)
        return kept, body
    return tamper


def duplicate_instance(which):
    def tamper(fields, body, hops):
        instance = hops if which == "newest" else 1
        members = [i for i, (n, t) in enumerate(fields) if arc_instance(n, t) == instance]
        if len(members) != 3:
            raise SetupError("instance %d is not three fields" % instance)
        copies = [fields[i] for i in members]
        return fields[:members[-1] + 1] + copies + fields[members[-1] + 1:], body
    return tamper


# name -> (function, minimum hops, exact hops or None)
TAMPERS = [
    ("body", tamper_body, 1, None),
    ("header", tamper_header, 1, None),
    ("seal-b", tamper_newest_seal, 1, None),
    ("seal1-b", tamper_first_seal, 2, None),
    ("ams1-b", tamper_first_ams, 2, None),
    ("drop-1", drop_instance(1), 2, None),
    ("drop-2", drop_instance(2), 3, 3),
    ("dup-1", duplicate_instance("first"), 1, None),
    ("dup-newest", duplicate_instance("newest"), 2, None),
]


# ------------------------------------------------------------------------------------- keys --

class Keys:
    """Per list domain: an RSA-2048 key (openssl) and an Ed25519 key (PyNaCl)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.records = {}  # owner name -> TXT
        self.private = {}  # (domain, algorithm) -> (PEM path or base64 seed, selector)
        for domain in LISTS:
            pem = os.path.join(workdir, "%s.rsa.pem" % domain)
            run(["openssl", "genrsa", "-traditional", "-out", pem, "2048"])
            der = run(["openssl", "rsa", "-in", pem, "-pubout", "-outform", "DER"])
            self.add(domain, "rsa", pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode())
            seed = nacl.signing.SigningKey.generate()
            public = seed.verify_key.encode(encoder=nacl.encoding.Base64Encoder).decode()
            self.add(domain, "ed25519", seed.encode(encoder=nacl.encoding.Base64Encoder),
                     "v=DKIM1; k=ed25519; p=" + public)
        self.path = os.path.join(workdir, "keys.tsv")
        with open(self.path, "w") as out:
            for name, record in sorted(self.records.items()):
                out.write("%s\t%s\n" % (name, record))

    def add(self, domain, algorithm, private, record):
        selector = SELECTORS[algorithm]
        self.records["%s._domainkey.%s" % (selector, domain)] = record
        self.private[(domain, algorithm)] = (private, selector)

    def dnsfunc(self, name, timeout=5):
        """dkimpy's key lookup: the key file, nothing else."""
        key = name.decode() if isinstance(name, bytes) else name
        record = self.records.get(key.rstrip(".").lower())
        return record.encode() if record is not None else None


def run(argv, data=None):
    process = subprocess.run(argv, input=data, capture_output=True)
    if process.returncode != 0:
        raise SetupError("%s failed: %s" % (" ".join(argv),
                                            process.stderr.decode(errors="replace")))
    return process.stdout


# ---------------------------------------------------------------------------------- oracles --

def contiguous_oldest_pass(ams_valid):
    """oldest-pass from {instance: AMS verifies}: walk down from the newest while AMSes verify."""
    oldest = 0
    for instance in sorted(ams_valid, reverse=True):
        if not ams_valid[instance]:
            break
        oldest = instance
    return oldest


class Verdict:
    def __init__(self, cv, oldest_pass=None, reason=""):
        self.cv = cv
        self.oldest_pass = oldest_pass
        self.reason = reason

    def cell(self):
        if self.cv == "pass" and self.oldest_pass is not None:
            return "pass/%d" % self.oldest_pass
        return self.cv


class Dkimpy:
    def __init__(self, keys):
        self.keys = keys
        self.logger = logging.getLogger("arc-differential-dkimpy")
        self.logger.addHandler(logging.NullHandler())
        self.logger.propagate = False

    def verify(self, raw, ed25519=False):
        with self.ed25519_extension(ed25519):
            cv, results, reason = dkim.arc_verify(raw, logger=self.logger,
                                                  dnsfunc=self.keys.dnsfunc)
        if cv is None:  # dkimpy: "a seal reported failure, the chain is terminated"
            return Verdict("fail", None, "terminated: " + reason)
        cv = cv.decode()
        oldest = None
        if cv == "pass":
            oldest = contiguous_oldest_pass({r["instance"]: r["ams-valid"] for r in results})
        return Verdict(cv, oldest, reason)

    def seal(self, raw, domain, algorithm, timestamp):
        private, selector = self.keys.private[(domain, algorithm)]
        if algorithm == "rsa":
            with open(private, "rb") as pem:
                private = pem.read()
        signer = dkim.ARC(raw, logger=self.logger,
                          signature_algorithm={"rsa": b"rsa-sha256",
                                               "ed25519": b"ed25519-sha256"}[algorithm])
        with self.ed25519_extension(algorithm == "ed25519"):
            fields = signer.sign(selector.encode(), domain.encode(), private, domain.encode(),
                                 timestamp=timestamp)
        if not fields:
            raise SetupError("dkimpy did not seal for %s" % domain)
        return b"".join(fields)

    @staticmethod
    @contextlib.contextmanager
    def ed25519_extension(active):
        """dkimpy 1.1.4 with Ed25519 in ARC, for the duration of one call.

        As shipped, dkimpy's ARC is rsa-sha256 only: ARC_HASH_ALGORITHMS (the a= values an ARC
        signature may carry) lists rsa-sha256 alone, and ARC.sign() reads every private key
        with parse_pem_private_key() (RSA PEM). Its DKIM side has Ed25519 (RFC 8463) through
        PyNaCl, and ARC signs and verifies through the same code (gen_header, verify_sig). This
        adds ed25519-sha256 to the ARC list and lets the key parser return the PyNaCl key;
        canonicalization, hashing and the signature code stay dkimpy's own.
        """
        if not active:
            yield
            return
        pem_parser = dkim.parse_pem_private_key
        dkim.ARC_HASH_ALGORITHMS[b"ed25519-sha256"] = hashlib.sha256
        dkim.parse_pem_private_key = lambda data: nacl.signing.SigningKey(
            data, encoder=nacl.encoding.Base64Encoder)
        try:
            yield
        finally:
            del dkim.ARC_HASH_ALGORITHMS[b"ed25519-sha256"]
            dkim.parse_pem_private_key = pem_parser


class MailDkim:
    """mail_dkim_arc.pl as a coprocess: one Perl start for the whole run."""

    def __init__(self, keys, workdir):
        self.keys = keys
        self.workdir = workdir
        self.counter = 0
        self.process = subprocess.Popen(["perl", PERL_ORACLE, "--keys", keys.path],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)

    def ask(self, *words):
        self.process.stdin.write("\t".join(words) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        if not reply:
            raise SetupError("mail_dkim_arc.pl exited")
        return reply.rstrip("\n")

    def file_for(self, raw):
        self.counter += 1
        path = os.path.join(self.workdir, "mail-dkim-%d.eml" % self.counter)
        with open(path, "wb") as out:
            out.write(raw)
        return path

    def verify_file(self, path):
        reply = self.ask("verify", path)
        match = re.match(r"cv=(\S+) detail=(.*)", reply)
        if not match:
            raise SetupError("mail_dkim_arc.pl: " + reply)
        cv, detail = match.groups()
        oldest = None
        if cv == "pass":
            ams = {int(i): r == "pass" for i, r in re.findall(r"\bams\.(\d+)\.[^=]*=(\w+)", detail)}
            oldest = contiguous_oldest_pass(ams)
        return Verdict(cv, oldest, detail)

    def verify(self, raw, ed25519=False):  # no Ed25519 in Mail::DKIM: the verdict is fail
        return self.verify_file(self.file_for(raw))

    def seal(self, raw, domain, algorithm, timestamp, chain_status):
        if algorithm != "rsa":
            raise SetupError("Mail::DKIM seals with rsa-sha256 only")
        pem, selector = self.keys.private[(domain, algorithm)]
        out = os.path.join(self.workdir, "mail-dkim-set-%d.txt" % self.counter)
        reply = self.ask("seal", self.file_for(raw), pem, domain, selector, domain, chain_status,
                         str(timestamp), out)
        if reply != "sealed":
            raise SetupError("Mail::DKIM did not seal for %s: %s" % (domain, reply))
        with open(out, "rb") as sealed:
            return sealed.read()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


# --------------------------------------------------------------------------------- our side --

class Ours:
    """arc_verify_tool, run once per (chunk size, line ends) over all the messages."""

    RUNS = [("ours/1", 1, "crlf"), ("ours/64k", 65536, "crlf"), ("ours/lf", 65536, "lf")]

    def __init__(self, tool, keys):
        self.tool = tool
        self.keys = keys

    def verify_all(self, paths):
        """{run name: [Verdict per path]}"""
        verdicts = {}
        for name, chunk, line_ends in self.RUNS:
            files = paths if line_ends == "crlf" else [self.lf_copy(p) for p in paths]
            output = run([self.tool, "--keys", self.keys.path, "--chunk", str(chunk)] + files)
            lines = output.decode().splitlines()
            if len(lines) != len(files):
                raise SetupError("%s printed %d lines for %d messages" %
                                 (self.tool, len(lines), len(files)))
            verdicts[name] = [self.parse(line) for line in lines]
        return verdicts

    @staticmethod
    def lf_copy(path):
        lf_path = path[:-len(".eml")] + ".lf.eml"
        with open(path, "rb") as source, open(lf_path, "wb") as out:
            out.write(source.read().replace(b"\r\n", b"\n"))
        return lf_path

    @staticmethod
    def parse(line):
        match = re.match(r"cv=(\S+) oldest_pass=(\d+) reason=(.*)$", line)
        if not match:
            raise SetupError("arc_verify_tool printed %r" % line)
        cv, oldest, reason = match.groups()
        return Verdict(cv, int(oldest) if cv == "pass" else None, reason)


# ---------------------------------------------------------------------------- chain making --

def make_chain(spec, makers, now, broken_before=None):
    """Runs the message through the hops of `spec`; each maker checks the chain it receives.

    With broken_before=k the body is changed in transit before hop k, which then finds the
    chain failing and seals it with cv=fail (RFC 8617 §5.1.1)."""
    raw = ORIGINAL_MESSAGE
    for hop, (maker_name, algorithm, modifies) in enumerate(spec, start=1):
        maker = makers[maker_name]
        if algorithm not in MAKER_ALGORITHMS[maker_name]:
            raise SetupError("%s cannot seal with %s" % (maker_name, algorithm))
        if hop == broken_before:
            fields, body = split_message(raw)
            raw = join_message(fields, body + b"Changed in transit.\r\n")
        received = maker.verify(raw, ed25519=any(a == "ed25519" for _, a, _ in spec[:hop - 1]))
        expected = "none" if hop == 1 else "fail" if hop == broken_before else "pass"
        if received.cv != expected:
            raise SetupError("hop %d: %s verifies the incoming chain as %s (%s), not %s" %
                             (hop, maker_name, received.cv, received.reason, expected))
        if modifies:
            raw = hop_modify(raw, hop)
        raw = add_authentication_results(raw, hop, received.cv)
        domain = LISTS[hop - 1]
        if maker_name == "dkimpy":
            arc_set = maker.seal(raw, domain, algorithm, now)
        else:
            arc_set = maker.seal(raw, domain, algorithm, now, received.cv)
        raw = arc_set + raw
    return raw


def expected_oldest_pass(spec):
    """AMS i verifies at the end unless a later hop modified the message."""
    modifying = [hop for hop, (_, _, modifies) in enumerate(spec, start=1) if modifies]
    return max(modifying + [1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", help="arc_verify_tool; without it only the oracles run")
    parser.add_argument("--keep", help="write the messages and keys here and keep them")
    parser.add_argument("--verbose", action="store_true", help="print every verdict's reason")
    args = parser.parse_args()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="arc-differential-") as scratch:
        workdir = args.keep or scratch
        os.makedirs(workdir, exist_ok=True)
        try:
            return run_cases(args, workdir, started)
        except SetupError as error:
            print("arc-differential: setup error: %s" % error)
            return 2


def run_cases(args, workdir, started):
    keys = Keys(workdir)
    dkimpy = Dkimpy(keys)
    mail_dkim = MailDkim(keys, workdir)
    makers = {"dkimpy": dkimpy, "mail-dkim": mail_dkim}
    now = int(time.time())

    cases = []  # dicts: id, chain, maker, hops, algorithm, tamper, path, expected, spec
    for chain_id, spec, special in CHAINS + SPECIAL_CHAINS:
        raw = make_chain(spec, makers, now + special.get("t_offset", 0),
                         special.get("broken_before"))
        hops = len(spec)
        algorithms = sorted({a for _, a, _ in spec})
        variants = [(special.get("label", "none"), raw)]
        for name, function, minimum, exact in TAMPERS if not special else []:
            if hops < minimum or (exact is not None and hops != exact):
                continue
            fields, body = split_message(raw)
            fields, body = function(list(fields), body, hops)
            tampered = join_message(fields, body)
            if tampered == raw:
                raise SetupError("tamper %s left %s unchanged" % (name, chain_id))
            variants.append((name, tampered))
        for tamper, message in variants:
            path = os.path.join(workdir, "%s.%s.eml" % (chain_id, tamper))
            with open(path, "wb") as out:
                out.write(message)
            cases.append({
                "chain": chain_id, "spec": spec, "hops": hops, "tamper": tamper,
                "maker": ",".join(m + ("+ed" if a == "ed25519" else "") for m, a, _ in spec),
                "algorithm": "+".join(algorithms), "algorithms": set(algorithms),
                "path": path, "raw": message,
                "expected": Verdict("pass", expected_oldest_pass(spec))
                if not special and tamper == "none" else Verdict("fail"),
            })

    for case in cases:
        case["dkimpy"] = dkimpy.verify(case["raw"], ed25519="ed25519" in case["algorithms"])
        case["mail-dkim"] = mail_dkim.verify_file(case["path"])
    mail_dkim.close()

    columns = ["dkimpy", "mail-dkim"]
    if args.tool:
        ours = Ours(args.tool, keys).verify_all([case["path"] for case in cases])
        for name, verdicts in ours.items():
            for case, verdict in zip(cases, verdicts):
                case[name] = verdict
        columns += [name for name, _, _ in Ours.RUNS]

    return report(cases, columns, args.verbose, started, bool(args.tool))


def compared(verifier, case):
    """Mail::DKIM has no Ed25519: its verdict on such chains is shown, never compared."""
    family = "ours" if verifier.startswith("ours") else verifier
    return case["algorithms"] <= VERIFIER_ALGORITHMS[family]


def known_difference(case, verifier):
    family = "ours" if verifier.startswith("ours") else verifier
    for chain in (case["chain"], "*"):
        entry = KNOWN_DIFFERENCES.get((chain, case["tamper"], family))
        if entry:
            return entry
    return None


def differs(verdict, expected):
    if verdict.cv != expected.cv:
        return True
    return expected.cv == "pass" and verdict.oldest_pass != expected.oldest_pass


def report(cases, columns, verbose, started, with_ours):
    header = ["chain", "maker", "hops", "algorithm", "tamper", "expected"] + columns + ["status"]
    rows = []
    agree = disagree = known = 0
    problems = []
    used_known = set()
    for case in cases:
        expected = case["expected"]
        cells = []
        status = "agree"
        for verifier in columns:
            verdict = case[verifier]
            cell = verdict.cell()
            if not compared(verifier, case):
                cells.append("(%s)" % cell)
                continue
            if differs(verdict, expected):
                entry = known_difference(case, verifier)
                if entry:
                    used_known.add(entry)
                    cell += "*"
                    if status == "agree":
                        status = "known"
                else:
                    cell += "!"
                    status = "DISAGREE"
                    problems.append("%s.%s: %s says %s (%s), expected %s" % (
                        case["chain"], case["tamper"], verifier, verdict.cell(), verdict.reason,
                        expected.cell()))
            cells.append(cell)
        agree += status == "agree"
        known += status == "known"
        disagree += status == "DISAGREE"
        rows.append([case["chain"], case["maker"], str(case["hops"]), case["algorithm"],
                     case["tamper"], expected.cell()] + cells + [status])

    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print()
    print("Legend: pass/N = cv=pass with oldest-pass N; (x) = not compared (Mail::DKIM has no "
          "Ed25519); x* = listed in KNOWN_DIFFERENCES; x! = disagreement;\n"
          "        dkimpy+ed = dkimpy with ed25519-sha256 added to its ARC algorithms "
          "(Dkimpy.ed25519_extension), which also verifies those chains.")
    if verbose:
        for case in cases:
            for verifier in columns:
                print("%s.%s %s: %s" % (case["chain"], case["tamper"], verifier,
                                        case[verifier].reason))
    for problem in problems:
        print("DISAGREE " + problem)
    for key in sorted(k for k, entry in KNOWN_DIFFERENCES.items() if entry in used_known):
        reason, section = KNOWN_DIFFERENCES[key]
        print("known difference %s: %s [%s]" % ("/".join(key), reason, section))
    for key, entry in KNOWN_DIFFERENCES.items():
        if entry not in used_known:
            print("note: KNOWN_DIFFERENCES entry %s did not apply (stale?)" % (key,))
    chains = len({case["chain"] for case in cases})
    print("arc-differential: %d agree, %d disagree%s (%d chains, %d messages%s, %.1f s)" % (
        agree, disagree, ", %d known differences" % known if known else "", chains, len(cases),
        "" if with_ours else "; oracles only, no --tool", time.monotonic() - started))
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
