"""sendmail_instance - a private Sendmail 8.17 (run as root) on loopback, relaying into a sink.

Purpose: the second real MTA in front of authmilter. Debian's sendmail-bin conflicts with the
postfix package, so it is never installed: sendmail_setup.sh unpacks the Debian packages into a
private prefix (PREFIX, default /var/cache/authmilter-tests/sendmail) and this module runs that
binary with its own configuration, queue and pid file under the test's temp dir.

Contract:
  Sendmail(workdir, source_dir, milter_socket).start() ... stop()
    sendmail.cf is built by m4 from the prefix's sendmail-cf and an .mc that holds the harness
    settings and then contrib/sendmail/authmilter.mc verbatim, only its S= socket replaced by
    milter_socket (a MilterSocket). The daemon (sendmail -bD, in the foreground) listens on
    127.0.0.1:port() only and relays every message to an SmtpSink on another loopback port: all
    mailers (smtp, esmtp, smtp8, dsmtp, relay) connect to that port, never to port 25.
    It runs in its own UTS and mount namespaces (unshare): hostname mx.test, so Sendmail finds a
    qualified name of its own (an unqualified one costs a 60 s sleep per start); private
    /etc/hosts and /etc/resolv.conf (nameserver 127.0.0.1), so it never asks the host's
    resolver; a private Cyrus SASL directory bound over the system's (Sendmail.conf: AUTH PLAIN
    checked by a fake saslauthd, SaslAuthd, in this process); a private /dev whose log is a
    SyslogSink writing maillog_path. Nothing outside the namespaces changes.
  send(...) is smtp_client.send to port(); wait_delivered(queue_id) returns the message as the
  sink received it (found by Sendmail's "with ESMTP id QUEUEID" Received line);
  quarantined() is `mailq -qQ` (Sendmail's quarantine queue) parsed to {queue_id: reason}.
  Sendmail logs only to syslog: maillog_path is what it logged (LogLevel 14, milter actions
  included), log_path the daemon's own output, traffic_path the SMTP traffic (-X).
"""

import os
import re
import shutil
import socket
import socketserver
import struct
import threading

import smtp_client
from postfix_instance import proc_net_address
from processes import Daemon, free_port, run_checked, tail, tcp_accepts, wait_until

PREFIX = os.environ.get("AUTHMILTER_SENDMAIL_PREFIX", "/var/cache/authmilter-tests/sendmail")
SETUP_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sendmail_setup.sh")
CONTRIB_SOCKET = "S=unix:/run/authmilter/authmilter.sock"
HOSTNAME = "mx.test"
RECIPIENT_DOMAIN = "example.net"
SASL_SYSTEM_DIR = "/usr/lib/x86_64-linux-gnu/sasl2"  # Cyrus SASL's plugin and config dir
SASL_USER, SASL_PASSWORD = "submitter", "secret-password"
START_TIMEOUT = 15.0
DELIVERY_TIMEOUT = 15.0
MAX_SINK_MESSAGE = 10 * 1024 * 1024
DEV_NODES = ("null", "zero", "full", "random", "urandom", "tty")


def setup(prefix=PREFIX):
    """Runs sendmail_setup.sh (a no-op once the prefix is there); returns the version stamp."""
    done = run_checked([SETUP_SCRIPT, prefix], "sendmail_setup.sh", timeout=300)
    return done.stdout.strip()


def contrib_filter_lines(path, milter_socket):
    """contrib/sendmail/authmilter.mc without its dnl comments; the S= socket replaced."""
    with open(path) as handle:
        lines = [line for line in handle.read().splitlines() if not line.startswith("dnl")]
    filters = [line for line in lines if line.startswith("INPUT_MAIL_FILTER(")]
    if len(filters) != 1 or CONTRIB_SOCKET not in filters[0]:
        raise RuntimeError(f"{path}: expected one INPUT_MAIL_FILTER line with {CONTRIB_SOCKET}")
    return [line.replace(CONTRIB_SOCKET, f"S={milter_socket.milter}") for line in lines]


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it receives (the delivery target)."""

    def __init__(self):
        self.messages = []  # bytes of each message, in order of arrival
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def reply(self, text):
                self.wfile.write(text.encode() + b"\r\n")

            def handle(self):
                self.reply("220 sink.test ESMTP")
                while True:
                    line = self.rfile.readline(4096)
                    if not line:
                        return
                    verb = line.strip().split(b" ", 1)[0].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250-sink.test\r\n250-8BITMIME\r\n250 PIPELINING")
                    elif verb == b"DATA":
                        self.reply("354 go on")
                        data, size = [], 0
                        while True:
                            chunk = self.rfile.readline(65536)
                            if not chunk or chunk == b".\r\n":
                                break
                            size += len(chunk)
                            if size <= MAX_SINK_MESSAGE:
                                data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        with sink._lock:
                            sink.messages.append(b"".join(data))
                        self.reply("250 2.0.0 kept")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self.reply("250 2.0.0 ok")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.port = free_port()
        self._server = Server(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def snapshot(self):
        with self._lock:
            return list(self.messages)


class SaslAuthd:
    """saslauthd's protocol on a unix socket (four length-prefixed strings: login, password,
    service, realm; answer "OK" or "NO"), accepting one user and password."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "mux")
        self.requests = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self._sock.listen(8)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self._thread.start()
        return self

    @staticmethod
    def _read_string(conn):
        header = conn.recv(2, socket.MSG_WAITALL)
        if len(header) != 2:
            raise ConnectionError("short saslauthd request")
        (length,) = struct.unpack("!H", header)
        return conn.recv(length, socket.MSG_WAITALL).decode("utf-8", "replace") if length else ""

    def _serve(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(10)
                    login, password, service, realm = (self._read_string(conn) for _ in range(4))
                    self.requests.append((login, service, realm))
                    ok = login == SASL_USER and password == SASL_PASSWORD
                    answer = b"OK" if ok else b"NO authentication failed"
                    conn.sendall(struct.pack("!H", len(answer)) + answer)
                except (OSError, ConnectionError):
                    continue

    def stop(self):
        self._sock.close()


class SyslogSink:
    """A unix datagram socket that writes each syslog message it receives as a line of a file:
    Sendmail's mail log (it logs only to syslog; /dev/log in its namespace points here)."""

    def __init__(self, directory, log_path):
        self.path = os.path.join(directory, "syslog.sock")
        self.log_path = log_path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _serve(self):
        with open(self.log_path, "ab", buffering=0) as log:
            while True:
                try:
                    data = self._sock.recv(65536)
                except OSError:
                    return
                # "<22>Dec  4 23:42:51 sm-mta[123]: text": keep from the program name on.
                data = re.sub(rb"^<\d+>", b"", data).rstrip(b"\0\n")
                log.write(data + b"\n")

    def stop(self):
        self._sock.close()


class Sendmail:
    def __init__(self, workdir, source_dir, milter_socket, prefix=PREFIX):
        self.prefix = prefix
        self.binary = os.path.join(prefix, "usr", "libexec", "sendmail", "sendmail")
        self.root = os.path.join(workdir, "sendmail")
        self.queue_dir = os.path.join(self.root, "mqueue")
        self.sasl_dir = os.path.join(self.root, "sasl2")
        self.cf_path = os.path.join(self.root, "sendmail.cf")
        self.mc_path = os.path.join(self.root, "sendmail.mc")
        self.log_path = os.path.join(self.root, "sendmail.log")
        self.maillog_path = os.path.join(self.root, "maillog")
        self.traffic_path = os.path.join(self.root, "traffic.log")
        self.wrapper_path = os.path.join(self.root, "in-namespace.sh")
        self.contrib_mc = os.path.join(source_dir, "contrib", "sendmail", "authmilter.mc")
        self.milter_socket = milter_socket
        self.smtp_port = free_port()
        self.sink = SmtpSink()
        self.saslauthd = None
        self.syslog = None
        self._daemon = None
        self._delivered = {}
        self._seen = 0

    def mc_text(self):
        cf_dir = os.path.join(self.prefix, "usr", "share", "sendmail", "cf")
        sink = f"TCP $h {self.sink.port}"
        lines = [
            "divert(-1)",
            "dnl Written by tests/integration/sendmail_instance.py: a private loopback instance.",
            "divert(0)dnl",
            f"include(`{cf_dir}/m4/cf.m4')dnl",
            "VERSIONID(`authmilter integration harness')dnl",
            "OSTYPE(`linux')dnl",
            f"define(`confDOMAIN_NAME', `{HOSTNAME}')dnl",
            "define(`confDONT_PROBE_INTERFACES', `True')dnl",
            f"define(`QUEUE_DIR', `{self.queue_dir}')dnl",
            f"define(`confPID_FILE', `{os.path.join(self.root, 'sendmail.pid')}')dnl",
            f"define(`STATUS_FILE', `{os.path.join(self.root, 'statistics')}')dnl",
            f"define(`HELP_FILE', `{os.path.join(self.prefix, 'etc', 'mail', 'helpfile')}')dnl",
            "define(`ALIAS_FILE', `')dnl",
            f"define(`confHOSTS_FILE', `{os.path.join(self.root, 'hosts')}')dnl",
            f"define(`confSERVICE_SWITCH_FILE', `{os.path.join(self.root, 'service.switch')}')dnl",
            # Deliver by SMTP to the sink whatever the destination: no MX lookups, no port 25.
            "define(`SMART_HOST', `[127.0.0.1]')dnl",
            *(f"define(`{mailer}_MAILER_ARGS', `{sink}')dnl"
              for mailer in ("SMTP", "ESMTP", "SMTP8", "DSMTP", "RELAY")),
            "define(`confLOG_LEVEL', `14')dnl",
            "define(`confTO_IDENT', `0s')dnl",
            "define(`confDELIVERY_MODE', `background')dnl",
            "define(`confAUTH_MECHANISMS', `PLAIN')dnl",
            "TRUST_AUTH_MECH(`PLAIN')dnl",
            # AUTH PLAIN without TLS on loopback (a test; 'p' would demand an encrypted link).
            "define(`confAUTH_OPTIONS', `A')dnl",
            "FEATURE(`no_default_msa')dnl",
            "FEATURE(`accept_unresolvable_domains')dnl",
            "FEATURE(`accept_unqualified_senders')dnl",
            "FEATURE(`nouucp', `reject')dnl",
            f"DAEMON_OPTIONS(`Port={self.smtp_port}, Addr=127.0.0.1, Name=MTA')dnl",
            f"RELAY_DOMAIN(`{RECIPIENT_DOMAIN}')dnl",
            "dnl ---- contrib/sendmail/authmilter.mc follows (S= socket replaced) ----",
            *contrib_filter_lines(self.contrib_mc, self.milter_socket),
            "MAILER(`smtp')dnl",
        ]
        return "\n".join(lines) + "\n"

    def _write_config(self):
        for directory in (self.root, self.queue_dir, self.sasl_dir):
            os.makedirs(directory, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(self.queue_dir, 0o700)
        with open(self.mc_path, "w") as handle:
            handle.write(self.mc_text())
        cf_dir = os.path.join(self.prefix, "usr", "share", "sendmail", "cf")
        done = run_checked(["m4", f"-D_CF_DIR_={cf_dir}/", self.mc_path], "m4 sendmail.mc")
        with open(self.cf_path, "w") as handle:
            handle.write(done.stdout)
        with open(os.path.join(self.root, "hosts"), "w") as handle:
            handle.write(f"127.0.0.1 {HOSTNAME} localhost\n::1 {HOSTNAME} localhost\n")
        with open(os.path.join(self.root, "resolv.conf"), "w") as handle:
            handle.write("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n")
        with open(os.path.join(self.root, "statistics"), "w"):
            pass
        with open(os.path.join(self.root, "service.switch"), "w") as handle:
            handle.write("hosts files\naliases files\n")
        # Cyrus SASL for Sendmail: its PLAIN plugin and a Sendmail.conf asking our saslauthd.
        for name in os.listdir(SASL_SYSTEM_DIR):
            if name.startswith("libplain.so"):
                shutil.copy(os.path.join(SASL_SYSTEM_DIR, name), self.sasl_dir,
                            follow_symlinks=True)
        with open(os.path.join(self.sasl_dir, "Sendmail.conf"), "w") as handle:
            handle.write(f"pwcheck_method: saslauthd\nmech_list: PLAIN\n"
                         f"saslauthd_path: {self.saslauthd.path}\n")
        with open(self.wrapper_path, "w") as handle:
            handle.write(self.wrapper_text())
        os.chmod(self.wrapper_path, 0o755)

    def wrapper_text(self):
        """The script run inside `unshare --uts --mount`: private hostname, SASL dir, /dev/log."""
        dev = os.path.join(self.root, "dev")
        nodes = " ".join(DEV_NODES)
        return f"""#!/bin/sh
# Written by tests/integration/sendmail_instance.py; runs in private UTS and mount namespaces.
set -e
hostname {HOSTNAME}
# Its name resolves from a private hosts file; any other lookup stays on loopback (port 53 there
# is closed: an immediate refusal), never the host's resolver.
mount --bind {self.root}/hosts /etc/hosts
mount --bind {self.root}/resolv.conf /etc/resolv.conf
mount --bind {self.sasl_dir} {SASL_SYSTEM_DIR}
# A /dev of our own whose log is the harness's syslog socket (the host runs no syslog).
mkdir -p {dev}
for node in {nodes}; do
    [ -e {dev}/$node ] || touch {dev}/$node
    mount --bind /dev/$node {dev}/$node
done
ln -sf {self.syslog.path} {dev}/log
mount --rbind {dev} /dev
exec {self.binary} -C {self.cf_path} "$@"
"""

    def command(self, *args):
        """argv running this instance's sendmail binary with args, inside its namespaces."""
        return ["unshare", "--uts", "--mount", "--propagation", "private",
                "/bin/sh", self.wrapper_path, *args]

    def start(self):
        self.sink.start()
        os.makedirs(self.root, exist_ok=True)
        self.saslauthd = SaslAuthd(self.root).start()
        self.syslog = SyslogSink(self.root, self.maillog_path).start()
        self._write_config()
        # -bD: the daemon in the foreground; its own output (errors before it listens) goes to
        # log_path. No -d: debug output of a connection's child goes into the SMTP session.
        self._daemon = Daemon(self.command("-bD", "-X", self.traffic_path), self.log_path,
                              "sendmail")
        wait_until(self._ready, START_TIMEOUT, f"Sendmail on 127.0.0.1:{self.smtp_port}")
        return self

    def _ready(self):
        self._daemon.check_running()
        return tcp_accepts(self.smtp_port)

    def stop(self):
        try:
            if self._daemon is not None:
                self._daemon.stop()
                self._daemon = None
        finally:
            self.sink.stop()
            for helper in (self.saslauthd, self.syslog):
                if helper is not None:
                    helper.stop()

    def port(self):
        return self.smtp_port

    def send(self, mail_from, rcpts, message, helo="client.test", auth=None):
        return smtp_client.send(self.smtp_port, mail_from, rcpts, message, helo, auth=auth)

    def _scan(self):
        messages = self.sink.snapshot()
        for data in messages[self._seen:]:
            match = re.search(rb"\bwith E?SMTPS?A? id ([0-9A-Za-z]+)", data)
            if match:
                self._delivered[match.group(1).decode()] = data
        self._seen = len(messages)

    def wait_delivered(self, queue_id, timeout=DELIVERY_TIMEOUT):
        """The message carrying Sendmail queue id queue_id, as the sink received it."""
        if not queue_id:
            raise ValueError("no queue id: the message was not accepted")

        def delivered():
            self._scan()
            return self._delivered.get(queue_id)

        try:
            return wait_until(delivered, timeout, f"delivery of {queue_id}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}\nmailq:\n{self.mailq_text()}") from None

    def delivered(self, queue_id):
        """The message if it reached the sink by now, else None."""
        self._scan()
        return self._delivered.get(queue_id)

    def quarantined(self):
        """{queue_id: reason} from `mailq -qQ` (Sendmail's quarantine queue)."""
        done = run_checked(self.command("-bp", "-qQ"), "mailq -qQ")
        found, current = {}, None
        for line in done.stdout.splitlines():
            match = re.match(r"^([0-9A-Za-z]{8,})\*?\s", line)
            if match:
                current = match.group(1)
                found[current] = ""
                continue
            reason = re.match(r"^\s+QUARANTINE:\s*(.*)$", line)
            if reason and current:
                found[current] = reason.group(1)
        return found

    def run(self, *args):
        """This instance's sendmail with args (e.g. a queue run); raises if it fails."""
        return run_checked(self.command(*args), f"sendmail {' '.join(args)}")

    def mailq_text(self, *args):
        return run_checked(self.command("-bp", *args), "mailq").stdout

    def listening_sockets(self):
        """ip:port of every TCP/UDP socket the daemon listens on (from /proc)."""
        pid = self._daemon.process.pid  # unshare and the wrapper exec: this is sendmail
        inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[len("socket:["):-1]
                  for fd in os.listdir(f"/proc/{pid}/fd")
                  if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")}
        found = []
        for table in ("tcp", "tcp6", "udp", "udp6"):
            with open(f"/proc/net/{table}") as handle:
                for row in handle.read().splitlines()[1:]:
                    fields = row.split()
                    if fields[9] in inodes and fields[3] in ("0A", "07"):  # LISTEN, or UDP
                        found.append(proc_net_address(fields[1]))
        return found

    def maillog(self):
        return tail(self.maillog_path)

