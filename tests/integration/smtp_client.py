"""smtp_client - send one message over SMTP and report the server's reply at every stage.

Purpose: tests assert on what Postfix answered (and so on what authmilter decided) at each
stage, not merely on "it worked". Uses smtplib only.

Contract: send(port, mail_from, rcpts, message, helo, xclient, auth) connects to 127.0.0.1:port,
optionally sends XCLIENT (Postfix smtpd_authorized_xclient_hosts) to claim another client
address/name/HELO, then EHLO, AUTH PLAIN if auth=(user, password) is given (stage "auth"), MAIL,
RCPT (each), DATA. It stops at the first refusal and returns a SendResult: one Reply per stage
reached, queue_id from Postfix's "250 ... queued as ID" or Sendmail's "250 2.0.0 ID Message
accepted for delivery" (or None), and elapsed seconds from connect to the DATA reply. A dropped
connection is recorded as stage "disconnect" with code 0, never raised, so a test can assert on
it.
"""

import dataclasses
import re
import smtplib
import time

SMTP_TIMEOUT = 30.0
QUEUED_RE = re.compile(rb"queued as ([0-9A-Za-z]+)|^2\.0\.0 ([0-9A-Za-z]+) Message accepted")


def queue_id_of(code, text):
    match = QUEUED_RE.search(text)
    if code != 250 or not match:
        return None
    return (match.group(1) or match.group(2)).decode()


@dataclasses.dataclass
class Reply:
    stage: str
    code: int
    text: str


@dataclasses.dataclass
class SendResult:
    replies: list
    queue_id: str = None
    elapsed: float = 0.0

    def code(self, stage):
        for reply in self.replies:
            if reply.stage == stage:
                return reply.code
        return None

    @property
    def final(self):
        return self.replies[-1]

    @property
    def accepted(self):
        return self.final.stage == "data" and self.final.code == 250

    def __str__(self):
        return "; ".join(f"{r.stage}: {r.code} {r.text}" for r in self.replies)


def xclient_arguments(xclient):
    # XCLIENT attribute values are xtext (RFC 3461 section 4); the harness only needs plain
    # addresses and host names, so refuse anything that would need encoding.
    parts = []
    for key, value in xclient.items():
        if not re.fullmatch(r"[0-9A-Za-z.:\-\[\]_]+", value):
            raise ValueError(f"XCLIENT {key} value needs xtext encoding: {value!r}")
        parts.append(f"{key.upper()}={value}")
    return " ".join(parts)


def _stage(replies, stage, response):
    code, text = response
    replies.append(Reply(stage, code, text.decode("utf-8", "replace")))
    return 200 <= code < 400


def _auth(smtp, replies, auth):
    user, password = auth
    try:
        smtp.login(user, password)
    except smtplib.SMTPAuthenticationError as error:
        replies.append(Reply("auth", error.smtp_code, error.smtp_error.decode("utf-8", "replace")))
        return False
    replies.append(Reply("auth", 235, "authenticated"))
    return True


def _conversation(smtp, replies, mail_from, rcpts, message, helo, xclient, auth=None):
    if not _stage(replies, "ehlo", smtp.ehlo(helo)):
        return None
    if xclient:
        if not _stage(replies, "xclient", smtp.docmd("XCLIENT", xclient_arguments(xclient))):
            return None
        # XCLIENT restarts the session: the server greets again and expects a new EHLO.
        smtp.ehlo_resp = None
        if not _stage(replies, "ehlo", smtp.ehlo(helo)):
            return None
    if auth and not _auth(smtp, replies, auth):
        return None
    if not _stage(replies, "mail", smtp.docmd("MAIL", f"FROM:<{mail_from}>")):
        return None
    for rcpt in rcpts:
        if not _stage(replies, "rcpt", smtp.docmd("RCPT", f"TO:<{rcpt}>")):
            return None
    if not _stage(replies, "data_start", smtp.docmd("DATA")):
        return None
    code, text = _send_body(smtp, message)
    _stage(replies, "data", (code, text))
    return queue_id_of(code, text)


def _send_body(smtp, message):
    # smtplib.SMTP.data() sends DATA itself; we already did (to record its reply), so send the
    # body with CRLF line ends and dot-stuffing (RFC 5321 section 4.5.2) as data() would.
    body = message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    body = re.sub(rb"(?m)^\.", b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    return smtp.getreply()


def send(port, mail_from, rcpts, message, helo="client.test", xclient=None, auth=None):
    if isinstance(rcpts, str):
        rcpts = [rcpts]
    if isinstance(message, str):
        message = message.encode("utf-8")
    replies = []
    started = time.monotonic()
    queue_id = None
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=SMTP_TIMEOUT) as smtp:
            queue_id = _conversation(smtp, replies, mail_from, rcpts, message, helo, xclient,
                                     auth)
            elapsed = time.monotonic() - started
            try:
                smtp.quit()
            except smtplib.SMTPException:
                pass
    except smtplib.SMTPConnectError as error:
        replies.append(Reply("connect", error.smtp_code, str(error.smtp_error)))
        elapsed = time.monotonic() - started
    except (smtplib.SMTPServerDisconnected, ConnectionError) as error:
        replies.append(Reply("disconnect", 0, str(error)))
        elapsed = time.monotonic() - started
    return SendResult(replies=replies, queue_id=queue_id, elapsed=elapsed)


class Session:
    """Several transactions on one SMTP connection (RFC 5321 section 4.1.4: RSET, new MAIL).

    Session(port, helo, xclient) connects, sends XCLIENT (if given) and EHLO; each
    transaction(...) returns a SendResult of its own stages (no "ehlo"), stopping at the first
    refusal; rset() returns the RSET reply code. close() sends QUIT. Use as a context manager.
    """

    def __init__(self, port, helo="client.test", xclient=None):
        self.smtp = smtplib.SMTP("127.0.0.1", port, timeout=SMTP_TIMEOUT)
        self.greeting = []
        if not _stage(self.greeting, "ehlo", self.smtp.ehlo(helo)):
            raise smtplib.SMTPException(f"EHLO refused: {self.greeting}")
        if xclient:
            if not _stage(self.greeting, "xclient",
                          self.smtp.docmd("XCLIENT", xclient_arguments(xclient))):
                raise smtplib.SMTPException(f"XCLIENT refused: {self.greeting}")
            self.smtp.ehlo_resp = None
            if not _stage(self.greeting, "ehlo", self.smtp.ehlo(helo)):
                raise smtplib.SMTPException(f"EHLO after XCLIENT refused: {self.greeting}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def transaction(self, mail_from, rcpts, message=None):
        """MAIL, RCPT (each) and, if message is given, DATA; without message it stops after
        RCPT, leaving the transaction open (for rset())."""
        if isinstance(rcpts, str):
            rcpts = [rcpts]
        if isinstance(message, str):
            message = message.encode("utf-8")
        replies = []
        started = time.monotonic()
        queue_id = None
        if _stage(replies, "mail", self.smtp.docmd("MAIL", f"FROM:<{mail_from}>")) and all(
            _stage(replies, "rcpt", self.smtp.docmd("RCPT", f"TO:<{rcpt}>")) for rcpt in rcpts
        ):
            if message is not None and _stage(replies, "data_start", self.smtp.docmd("DATA")):
                code, text = _send_body(self.smtp, message)
                _stage(replies, "data", (code, text))
                queue_id = queue_id_of(code, text)
        return SendResult(replies, queue_id, time.monotonic() - started)

    def rset(self):
        return self.smtp.docmd("RSET")[0]

    def close(self):
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
