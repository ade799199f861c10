"""milter_process - the real authmilter daemon, configured for one test class.

Purpose: write an authmilter configuration (ONE function, milter_config_yaml, so that a change of
the daemon's schema is a change in one place), validate it with --check-config, start
`authmilter --foreground --config FILE` with its stderr in a log file, wait until its socket
accepts, and stop it with SIGTERM, checking that it exits cleanly.

Contract:
  MilterSocket.inet(port) / MilterSocket.unix(path): one socket in both spellings, `milter`
      (authmilter's libmilter form) and `postfix` (the smtpd_milters form).
  Milter(build_dir, source_dir, workdir, socket, dns_port, authserv_id).start() ... stop()
      The record store is a SQLite file in the milter's work directory.
      start() raises with the log if the binary is missing, --check-config rejects the file, the
      daemon exits early, or the socket does not accept within START_TIMEOUT. stop() raises if
      the exit status is not 0. log_text() for failure messages.
"""

import dataclasses
import os
import textwrap

from processes import Daemon, run_checked, tail, tcp_accepts, unix_accepts, wait_until

START_TIMEOUT = 15.0
DNS_TIMEOUT_MS = 2000


@dataclasses.dataclass(frozen=True)
class MilterSocket:
    milter: str  # authmilter/libmilter spelling: inet:PORT@127.0.0.1 or unix:/path
    postfix: str  # Postfix smtpd_milters spelling: inet:127.0.0.1:PORT or unix:/path
    port: int = 0
    path: str = ""

    @staticmethod
    def inet(port):
        return MilterSocket(f"inet:{port}@127.0.0.1", f"inet:127.0.0.1:{port}", port=port)

    @staticmethod
    def unix(path, postfix_name=None):
        """postfix_name: how Postfix names it (e.g. relative to its queue directory)."""
        return MilterSocket(f"unix:{path}", postfix_name or f"unix:{path}", path=path)

    def accepts(self):
        return tcp_accepts(self.port) if self.port else unix_accepts(self.path)


def yaml_string(value):
    # JSON string syntax is valid YAML double-quoted syntax.
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def dns_section_lines(dns_port, dns_extra=""):
    """The `dns:` section: the test defaults plus dns_extra.

    dns_extra is YAML for keys inside `dns:`, written without indentation (it is dedented and
    indented two spaces here, keeping nested indentation), e.g.
    "message_budget_ms: 500\nmax_txt_bytes: 1000". A key given there replaces the default
    line of the same key (resolvers, timeout_ms, unblock_local_zones).
    """
    extra_lines = [
        "  " + line if line.strip() else line
        for line in textwrap.dedent(dns_extra).strip("\n").splitlines()
    ]
    extra_keys = {
        line.strip().split(":", 1)[0]
        for line in extra_lines
        if line.startswith("  ") and not line.startswith("   ") and ":" in line
    }
    defaults = [
        ("resolvers", f"  resolvers: [{yaml_string(f'127.0.0.1@{dns_port}')}]"),
        ("timeout_ms", f"  timeout_ms: {DNS_TIMEOUT_MS}"),
        ("unblock_local_zones", '  unblock_local_zones: ["test."]'),
    ]
    return ["dns:"] + [line for key, line in defaults if key not in extra_keys] + extra_lines


def milter_config_yaml(sock, workdir, dns_port, authserv_id, extra="", dns_extra="",
                       store_extra=""):
    """The one place that knows authmilter's configuration schema.

    extra is appended at top level (whole sections such as spf:); dns_extra goes inside the
    dns: section (see dns_section_lines); store_extra is lines of keys inside store: (after url),
    written without indentation.
    """
    lines = [
        f"socket: {yaml_string(sock.milter)}",
        'socket_mode: "0666"',
        'user: ""',
        f"pidfile: {yaml_string(os.path.join(workdir, 'authmilter.pid'))}",
        f"probe_key_file: {yaml_string(os.path.join(workdir, 'probe.key'))}",
        f"authserv_id: {yaml_string(authserv_id)}",
    ]
    lines += dns_section_lines(dns_port, dns_extra)
    lines += [
        "store:",
        f"  url: {yaml_string('sqlite://' + os.path.join(workdir, 'records.db'))}",
    ]
    lines += ["  " + line for line in textwrap.dedent(store_extra).strip("\n").splitlines()]
    return "\n".join(lines) + "\n" + extra


def binary_path(build_dir):
    return os.path.join(build_dir, "filter", "authmilter")


def sanitized(binary):
    """True for an AddressSanitizer build (run-tests.sh's second pass)."""
    with open(binary, "rb") as handle:
        return b"__asan_init" in handle.read()


class Milter:
    def __init__(
        self, build_dir, source_dir, workdir, sock, dns_port, authserv_id, extra="", dns_extra="",
        store_extra=""
    ):
        self.binary = binary_path(build_dir)
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.socket = sock
        self.config_path = os.path.join(workdir, "authmilter.yaml")
        self.log_path = os.path.join(workdir, "authmilter.log")
        self.config_text = milter_config_yaml(
            sock, workdir, dns_port, authserv_id, extra, dns_extra, store_extra
        )
        self._daemon = None
        self.wrapper = []  # argv prefix, e.g. valgrind and its options

    def start(self, timeout=START_TIMEOUT):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(
                f"authmilter binary not found at {self.binary}: build the 'authmilter' target"
            )
        with open(self.config_path, "w") as handle:
            handle.write(self.config_text)
        run_checked(
            [self.binary, "--check-config", "--config", self.config_path],
            f"authmilter --check-config on\n{self.config_text}",
        )
        self._daemon = Daemon(
            self.wrapper + [self.binary, "--foreground", "--config", self.config_path],
            self.log_path, "authmilter"
        )
        wait_until(self._ready, timeout, f"authmilter socket {self.socket.milter}")
        return self

    def _ready(self):
        self._daemon.check_running()
        return self.socket.accepts()

    def running(self):
        return self._daemon is not None and self._daemon.running()

    def pid(self):
        """The daemon's process id (it runs in the foreground: the process we started)."""
        return self._daemon.process.pid

    def forget_killed(self):
        """After the test killed the daemon itself: reap it, so start() can run again."""
        daemon, self._daemon = self._daemon, None
        daemon.process.wait()

    def stop(self):
        """Stops the daemon with SIGTERM; raises unless it exits with status 0."""
        if self._daemon is None:
            return None
        daemon, self._daemon = self._daemon, None
        status = daemon.stop()
        if status != 0:
            raise RuntimeError(
                f"authmilter exited with status {status} on SIGTERM; log:\n{daemon.log_text()}"
            )
        return status

    def log_text(self):
        if self._daemon is not None:
            return self._daemon.log_text()
        return tail(self.log_path)
