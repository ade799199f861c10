"""harness - the integration test harness: real unbound, real authmilter, real Postfix on loopback.

Purpose: one import for test modules. Re-exports the pieces (DnsServer, Milter, MilterSocket,
Postfix) and adds what tests share: the per-module Environment, message construction, zone
lines for TXT records, and header-section parsing for Authentication-Results checks (RFC 8601).

Call order in a test module:
    ENV = harness.Environment("name")          # module global
    def setUpModule(): ENV.start(zones=..., milter_listeners=...)   # unbound + Postfix, once
    class T(harness.MilterTestCase): socket_kind = "inet"          # authmilter per class
Every server is registered for cleanup (unittest.addModuleCleanup / addClassCleanup) before it
is started, so it is stopped even when a later start or a test fails. Logs of every running
server are registered in LOGS; the runner (run_tests.py) prints them under a failing test.

Configuration comes from the environment: AUTHMILTER_BUILD_DIR (the CMake build directory, where
filter/authmilter is) and AUTHMILTER_SOURCE_DIR (the source tree, for contrib/postfix).
"""

import os
import shutil
import tempfile
import unittest
import uuid

import postfix_instance  # noqa: F401  (re-exported)
import sendmail_instance
from authres_parse import AuthResults, Resinfo, parse_auth_results  # noqa: F401
from dns_server import DnsServer  # noqa: F401
from milter_process import Milter, MilterSocket  # noqa: F401
from postfix_instance import Postfix, RECIPIENT_DOMAIN  # noqa: F401
from processes import free_port

AUTHSERV_ID = "mx.test"

# Whatever umask the caller has, the configuration files the tests write come out 0644: the
# daemon refuses a world-writable configuration file.
os.umask(0o022)
RECIPIENT = f"rcpt@{RECIPIENT_DOMAIN}"
MAX_HEADER_FIELDS = 1000  # bound on what header_fields() parses from a delivered message
LOGS = {}  # name -> log path of every server currently running, for failure output
RUNNING = []  # everything started and not yet stopped; run_tests.py stops it on SIGTERM/SIGINT


def stop_everything():
    """Last-resort cleanup (the runner was interrupted): stop all that is still running."""
    while RUNNING:
        try:
            RUNNING.pop().stop()
        except Exception as error:  # keep stopping the rest
            print(f"cleanup: {error}")


def source_dir():
    default = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.environ.get("AUTHMILTER_SOURCE_DIR", default)


def build_dir():
    value = os.environ.get("AUTHMILTER_BUILD_DIR")
    if not value:
        raise RuntimeError("AUTHMILTER_BUILD_DIR is not set (run-integration.sh sets it)")
    return value


class Environment:
    """unbound + Postfix for one test module, and the milter sockets Postfix points at."""

    def __init__(self, name):
        self.name = name
        self.workdir = None
        self.dns = None
        self.postfix = None
        self.inet_socket = None
        self.unix_socket = None

    def start(self, zones=None, silent_zones=(), listeners=None):
        self.workdir = tempfile.mkdtemp(prefix=f"authmilter-it-{self.name}-")
        unittest.addModuleCleanup(self.stop)
        RUNNING.append(self)
        self.inet_socket = MilterSocket.inet(free_port())
        os.chmod(self.workdir, 0o755)
        self.dns = DnsServer(self.workdir, zones, silent_zones)
        LOGS["unbound"] = self.dns.log_path
        self.dns.start()
        # "unix" uses main.cf's smtpd_milters as contrib/postfix/main.cf writes it: a socket
        # inside the (chrooted) queue directory, whose directory the daemon creates.
        all_listeners = {"nomilter": {"smtpd_milters": ""}, "unix": {}}
        all_listeners.update(listeners or {})
        self.postfix = Postfix(self.workdir, source_dir(), self.inet_socket.postfix, all_listeners)
        self.unix_socket = MilterSocket.unix(self.postfix.socket_path(),
                                             self.postfix.milter_address())
        LOGS["maillog"] = self.postfix.maillog_path
        self.postfix.start()
        return self

    def milter(self, kind="inet", extra_config="", dns_port=None, dns_extra=""):
        """A Milter (not yet started) on the socket the given listener points at.

        extra_config is appended to the YAML (top-level sections such as spf:); dns_port
        points the milter at another DnsServer than the module's (None: the module's);
        dns_extra is YAML inside the dns: section (milter_process.dns_section_lines).
        """
        sock = self.inet_socket if kind == "inet" else self.unix_socket
        workdir = tempfile.mkdtemp(prefix="milter-", dir=self.workdir)
        port = self.dns.port if dns_port is None else dns_port
        return Milter(
            build_dir(), source_dir(), workdir, sock, port, AUTHSERV_ID, extra_config, dns_extra
        )

    def stop(self):
        if self in RUNNING:
            RUNNING.remove(self)
        LOGS.pop("maillog", None)
        LOGS.pop("unbound", None)
        try:
            if self.postfix is not None:
                self.postfix.stop()
        finally:
            if self.dns is not None:
                self.dns.stop()
            if self.workdir and not os.environ.get("AUTHMILTER_KEEP_TMP"):
                shutil.rmtree(self.workdir, ignore_errors=True)


class SendmailEnvironment(Environment):
    """unbound + a private Sendmail (sendmail_instance) instead of Postfix, for one module.

    Its one milter socket is a unix socket in the temp dir (contrib/sendmail/authmilter.mc's
    kind), so milter(kind) ignores kind. Test classes use MilterTestCase as with Postfix; their
    send_and_receive goes through Sendmail (sendmail_send_and_receive).
    """

    def __init__(self, name):
        super().__init__(name)
        self.sendmail = None
        self.socket_dir = None
        self.version = None

    def start(self, zones=None, silent_zones=(), listeners=None):
        if listeners:
            raise ValueError("Sendmail has one listener")
        self.version = sendmail_instance.setup()
        self.workdir = tempfile.mkdtemp(prefix=f"authmilter-it-{self.name}-")
        unittest.addModuleCleanup(self.stop)
        RUNNING.append(self)
        os.chmod(self.workdir, 0o755)
        # Sendmail refuses a unix milter socket below a world-writable directory (/tmp): the
        # socket lives under /run, as contrib's /run/authmilter/authmilter.sock does.
        socket_dir = tempfile.mkdtemp(prefix=f"authmilter-it-{self.name}-", dir="/run")
        self.socket_dir = socket_dir
        os.chmod(socket_dir, 0o755)
        self.unix_socket = MilterSocket.unix(os.path.join(socket_dir, "authmilter.sock"))
        self.inet_socket = self.unix_socket
        self.dns = DnsServer(self.workdir, zones, silent_zones)
        LOGS["unbound"] = self.dns.log_path
        self.dns.start()
        self.sendmail = sendmail_instance.Sendmail(self.workdir, source_dir(), self.unix_socket)
        LOGS["sendmail"] = self.sendmail.log_path
        LOGS["sendmail-maillog"] = self.sendmail.maillog_path
        LOGS["sendmail-traffic"] = self.sendmail.traffic_path
        self.sendmail.start()
        return self

    def stop(self):
        LOGS.pop("sendmail", None)
        LOGS.pop("sendmail-maillog", None)
        LOGS.pop("sendmail-traffic", None)
        try:
            if self.sendmail is not None:
                self.sendmail.stop()
        finally:
            if self.socket_dir:
                shutil.rmtree(self.socket_dir, ignore_errors=True)
            super().stop()


class MilterTestCase(unittest.TestCase):
    """A test class with its own authmilter, started once for the class (socket_kind)."""

    env = None  # set by the module: its Environment
    socket_kind = "inet"
    extra_config = ""  # YAML appended to the milter's configuration for this class
    dns_port = None  # another DnsServer's port for this class's milter (None: the module's)
    dns_extra = ""  # YAML inside the milter's dns: section for this class (e.g. a budget)
    milter = None

    @classmethod
    def setUpClass(cls):
        cls.milter = cls.env.milter(
            cls.socket_kind, cls.extra_config, cls.dns_port, cls.dns_extra
        )
        cls.addClassCleanup(cls._stop_milter)
        RUNNING.append(cls.milter)
        LOGS["authmilter"] = cls.milter.log_path
        cls.milter.start()

    @classmethod
    def _stop_milter(cls):
        LOGS.pop("authmilter", None)
        if cls.milter in RUNNING:
            RUNNING.remove(cls.milter)
        cls.milter.stop()

    def send_and_receive(self, message, listener="main", mail_from="sender@example.org", **kw):
        """Sends message; asserts it was accepted; returns the delivered bytes."""
        result = self.env.postfix.send(mail_from, RECIPIENT, message, listener=listener, **kw)
        self.assertTrue(result.accepted, f"not accepted: {result}")
        return self.env.postfix.wait_delivered(result.queue_id)


def make_message(subject, extra_headers=(), body="Test body.\n", sender="sender@example.org"):
    """An RFC 5322 message; extra_headers (name, value) pairs come first, in the given order."""
    lines = [f"{name}: {value}" for name, value in extra_headers]
    lines += [
        f"From: <{sender}>",
        f"To: <{RECIPIENT}>",
        f"Subject: {subject}",
        "Date: Thu, 26 Nov 2026 12:00:00 +0000",
        f"Message-ID: <{uuid.uuid4().hex}@harness.test>",
        "",
        body,
    ]
    return "\r\n".join(lines).encode("utf-8")


def txt_lines(name, value):
    """The zone-file TXT line of name, value cut into character-strings of 200 octets (one
    string holds at most 255, RFC 1035 section 3.3.14), as a one-line list for a zone."""
    chunks = " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))
    return [f"{name}. TXT {chunks}"]


def tab_records(path):
    """Zone-file TXT lines of an owner<TAB>value file (lines starting with '#' and lines without
    a tab skipped), such as the key records of the RFC 8463 test data (dns-records.txt)."""
    lines = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or "\t" not in line:
                continue
            name, value = line.rstrip("\n").split("\t", 1)
            lines += txt_lines(name, value)
    return lines


def header_fields(message):
    """(name, unfolded value) for each field of the header section, in order."""
    head = message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    fields = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and fields:
            fields[-1][1] += " " + line.strip()
        elif ":" in line:
            name, value = line.split(":", 1)
            fields.append([name.strip(), value.strip()])
        if len(fields) > MAX_HEADER_FIELDS:
            raise ValueError("too many header fields")
    return [tuple(field) for field in fields]


def strip_comments(text):
    """Removes RFC 5322 comments (nested, with quoted-pairs) outside quoted strings."""
    out, depth, quoted, i = [], 0, False, 0
    while i < len(text):
        char = text[i]
        if char == "\\" and (depth or quoted):
            if not depth:
                out.append(text[i : i + 2])
            i += 2
            continue
        if char == '"' and not depth:
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            out.append(" ")
            i += 1
            continue
        if not depth:
            out.append(char)
        i += 1
    return "".join(out)


def authserv_id(value):
    """The authserv-id of an Authentication-Results value (RFC 8601 section 2.2), lowercased."""
    head = strip_comments(value).split(";", 1)[0].strip()
    token = head.split()[0] if head.split() else ""
    return token.strip('"').lower()


def auth_results(message, our_id=AUTHSERV_ID):
    """[(index, value)] of Authentication-Results fields with authserv-id our_id."""
    return [
        (index, value)
        for index, (name, value) in enumerate(header_fields(message))
        if name.lower() == "authentication-results" and authserv_id(value) == our_id.lower()
    ]


def parsed_auth_results(message, our_id=AUTHSERV_ID):
    """[AuthResults] of the Authentication-Results fields with authserv-id our_id, parsed."""
    return [parse_auth_results(value) for _, value in auth_results(message, our_id)]


def field_index(message, name, contains=""):
    """Index of the first header field called name whose value contains the given text."""
    for index, (field, value) in enumerate(header_fields(message)):
        if field.lower() == name.lower() and contains in value:
            return index
    return None
