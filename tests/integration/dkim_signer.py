"""dkim_signer - sign test messages with DKIM (RFC 6376, rsa-sha256, relaxed/relaxed).

Purpose: the DNS fault tests need signatures for domains they make up, so that the key lookup
goes to a name whose DNS misbehaves; a pre-signed message (tests/data/dkim) cannot do that. The
canonicalisation is written here (RFC 6376 section 3.4.2 and 3.4.4); the RSA signature comes from
the openssl command (PKCS#1 v1.5 over SHA-256, RFC 6376 section 3.3.1).

Contract:
  SigningKey(workdir).generate()   an RSA key in workdir/dkim-key.pem; key_record() is the TXT
                                   value to publish at <selector>._domainkey.<domain>.
  key.sign(message, domain, selector)  the message (bytes, CRLF lines) with a DKIM-Signature
                                   field prepended over SIGNED_FIELDS (those present).
"""

import base64
import hashlib
import os
import re

import subprocess

KEY_BITS = 2048
OPENSSL_TIMEOUT = 60
SIGNED_FIELDS = ("from", "to", "subject", "date", "message-id")
WSP_RUN = re.compile(rb"[ \t]+")
BARE_LF = re.compile(rb"\r?\n")


def split_message(message):
    head, _, body = message.partition(b"\r\n\r\n")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields, body


def field_name(field):
    return field.split(b":", 1)[0].strip(b" \t").decode("ascii", "replace").lower()


def relaxed_header(field):
    """RFC 6376 section 3.4.2: lower-case name, unfolded, WSP runs to one SP, trimmed."""
    name, _, value = field.partition(b":")
    value = WSP_RUN.sub(b" ", value.replace(b"\r\n", b"")).strip(b" ")
    return name.strip(b" \t").lower() + b":" + value


def relaxed_body(body):
    """RFC 6376 section 3.4.4: WSP runs to one SP, no trailing WSP, no trailing empty lines."""
    lines = [WSP_RUN.sub(b" ", line).rstrip(b" ") for line in body.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(line + b"\r\n" for line in lines)


def openssl(args, data=None):
    done = subprocess.run(
        ["openssl", *args], input=data, capture_output=True, timeout=OPENSSL_TIMEOUT, check=False
    )
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace")
        raise RuntimeError(f"openssl {' '.join(args)} failed: {error}")
    return done.stdout


class SigningKey:
    def __init__(self, workdir):
        self.path = os.path.join(workdir, "dkim-key.pem")
        self._public = ""

    def generate(self):
        openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{KEY_BITS}",
                 "-out", self.path])
        der = openssl(["pkey", "-in", self.path, "-pubout", "-outform", "DER"])
        self._public = base64.b64encode(der).decode("ascii")
        return self

    def key_record(self):
        return f"v=DKIM1; k=rsa; p={self._public}"

    def sign(self, message, domain, selector):
        # SMTP carries CRLF lines (smtplib converts bare LF): sign what the verifier will see.
        message = BARE_LF.sub(b"\r\n", message)
        fields, body = split_message(message)
        body_hash = base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode()
        signed = [f for f in fields if field_name(f) in SIGNED_FIELDS]
        names = ":".join(field_name(f) for f in signed)
        unsigned = (
            f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector}; "
            f"h={names}; bh={body_hash}; b="
        ).encode()
        data = b"".join(relaxed_header(f) + b"\r\n" for f in signed) + relaxed_header(unsigned)
        signature = openssl(["dgst", "-sha256", "-sign", self.path], data)
        field = unsigned + base64.b64encode(signature)
        return field + b"\r\n" + message
