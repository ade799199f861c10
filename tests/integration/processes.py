"""processes - free loopback ports, polling, and daemons whose output goes to a log file.

Purpose: the shared plumbing of the integration harness. Every server the harness starts binds
127.0.0.1 only, on a port the kernel chose, and is stopped again whatever happens.

Contract:
  free_port(kind)       a port that was free on 127.0.0.1 a moment ago (TCP or UDP). The socket
                        is closed before returning, so the caller must bind it soon.
  wait_until(pred, ...) polls pred() until it returns a true value (returned) or the deadline
                        passes (TimeoutError naming what was awaited).
  Daemon(argv, log)     starts argv with stdout+stderr appended to log; stop() sends SIGTERM,
                        waits, escalates to SIGKILL, and returns the exit status; log_text()
                        is what a failing test prints.
"""

import os
import random
import signal
import socket
import subprocess
import time

POLL_INTERVAL = 0.02
STOP_GRACE_SECONDS = 10.0
LOG_TAIL_CHARS = 6000


# Listening ports come from below Linux's ephemeral range (32768-60999 by default): ports that
# bind(0) hands out are drawn from that range, as are the source ports of every outgoing
# connection and DNS query of the servers under test, so such a port can be taken by the time
# the server binds it.
LISTEN_PORTS = range(20000, 32768)
_RANDOM = random.SystemRandom()


def free_port(kind=socket.SOCK_STREAM):
    """A loopback port free for both TCP and UDP right now (kind is kept for callers)."""
    del kind
    for _ in range(200):
        port = _RANDOM.choice(LISTEN_PORTS)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, \
                    socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                tcp.bind(("127.0.0.1", port))
                udp.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free loopback port below the ephemeral range")


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(POLL_INTERVAL)


def tcp_accepts(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def unix_accepts(path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            sock.connect(path)
            return True
    except OSError:
        return False


def tail(path, limit=LOG_TAIL_CHARS):
    try:
        with open(path, "r", errors="replace") as handle:
            text = handle.read()
    except OSError as error:
        return f"<cannot read {path}: {error}>"
    return text if len(text) <= limit else "...\n" + text[-limit:]


def run_checked(argv, what, timeout=60, env=None):
    """Runs a short command; raises RuntimeError carrying its output if it fails."""
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    return done


class Daemon:
    """A child process in the foreground of its own process group, logging to a file."""

    def __init__(self, argv, log_path, name):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def running(self):
        return self.process.poll() is None

    def check_running(self):
        if not self.running():
            raise RuntimeError(
                f"{self.name} exited early with status {self.process.returncode}; "
                f"log {self.log_path}:\n{self.log_text()}"
            )
        return True

    def stop(self):
        """SIGTERM, then SIGKILL after a grace period; returns the exit status."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def log_text(self):
        if not self._log.closed:
            self._log.flush()
        return tail(self.log_path)
