"""The daemon as an operator runs it: reload on SIGHUP, privilege drop, --check-config.

- SIGHUP: a new configuration applies to new connections; an SMTP session that was open across
  the reload keeps the rules it started with (libmilter keeps its connection, the Session keeps
  its Runtime); a broken file on reload is logged and the running configuration kept.
- Privileges: started as root with `user: nobody`, the daemon binds, then runs as nobody
  (all four uids) and still serves mail.
- --check-config on a typo names file:line:col and the key, and exits non-zero; an unknown user
  or one with uid 0 is refused.
- kill -9 leaves a stale unix socket; the restarted daemon binds it again and serves mail.
- Open files: under systemd's default soft limit (1024) the daemon raises its own soft limit to
  fit limits.max_connections plus the descriptors its resolver and store need; under a hard
  limit too low for that it says so and serves fewer connections (descriptor_budget.h).
"""

import os
import pwd
import re
import signal
import subprocess
import threading
import time
import unittest

import harness
import smtp_client
from milter_process import binary_path, sanitized

ENV = harness.Environment("daemon")
ZONES = {
    "example.org": [
        'example.org. TXT "v=spf1 ip4:127.0.0.1 -all"',
        '_dmarc.example.org. TXT "v=DMARC1; p=none"',
    ]
}


def setUpModule():
    ENV.start(zones=ZONES)


def daemon_pid(milter):
    with open(os.path.join(milter.workdir, "authmilter.pid")) as handle:
        return int(handle.read().strip())


def wait_for_log(milter, pattern, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, milter.log_text()):
            return True
        time.sleep(0.05)
    return False


def authserv_ids(delivered):
    return [value.split(";", 1)[0].strip().lower()
            for name, value in harness.header_fields(delivered)
            if name.lower() == "authentication-results"]


class ReloadTest(harness.MilterTestCase):
    env = ENV

    def send(self, subject):
        return self.send_and_receive(harness.make_message(subject))

    def rewrite_config(self, text):
        with open(self.milter.config_path, "w") as handle:
            handle.write(text)

    def test_reload_applies_to_new_connections_and_keeps_open_ones(self):
        self.assertEqual(authserv_ids(self.send("before reload")), ["mx.test"])
        original = self.milter.config_text
        port = self.env.postfix.port("main")
        with smtp_client.Session(port) as session:
            first = session.transaction("sender@example.org", harness.RECIPIENT,
                                        harness.make_message("open session, before"))
            self.assertTrue(first.accepted, first)
            try:
                self.rewrite_config(original.replace('authserv_id: "mx.test"',
                                                     'authserv_id: "mx-reloaded.test"'))
                os.kill(daemon_pid(self.milter), signal.SIGHUP)
                self.assertTrue(wait_for_log(self.milter, "configuration reloaded"),
                                self.milter.log_text())
                # The open SMTP session (and its milter connection) keeps the old rules.
                second = session.transaction("sender@example.org", harness.RECIPIENT,
                                             harness.make_message("open session, after"))
                self.assertTrue(second.accepted, second)
                kept = self.env.postfix.wait_delivered(second.queue_id)
                self.assertEqual(authserv_ids(kept), ["mx.test"])
                # A new connection gets the new configuration.
                self.assertEqual(authserv_ids(self.send("after reload")), ["mx-reloaded.test"])
                # A broken file: logged, the running configuration stays, the daemon too.
                self.rewrite_config(original + "sokcet: oops\n")
                os.kill(daemon_pid(self.milter), signal.SIGHUP)
                self.assertTrue(wait_for_log(self.milter, r"reload failed.*sokcet: unknown key"),
                                self.milter.log_text())
                self.assertTrue(self.milter.running())
                self.assertEqual(authserv_ids(self.send("after bad reload")),
                                 ["mx-reloaded.test"])
                # Settings used only at start: the reload applies the rest and names these.
                self.rewrite_config(original + "listen_backlog: 64\nmilter_timeout: 61\n")
                os.kill(daemon_pid(self.milter), signal.SIGHUP)
                self.assertTrue(wait_for_log(
                    self.milter, r"reload: changes to listen_backlog, milter_timeout take effect"
                    r" only after a restart"), self.milter.log_text())
                self.assertEqual(authserv_ids(self.send("after restart-only reload")), ["mx.test"])
                # A key written twice is refused, not silently read as its first value.
                self.rewrite_config(original + "listen_backlog: 64\nlisten_backlog: 65\n")
                os.kill(daemon_pid(self.milter), signal.SIGHUP)
                self.assertTrue(wait_for_log(self.milter,
                                             r"reload failed.*listen_backlog: duplicate key"),
                                self.milter.log_text())
            finally:
                self.rewrite_config(original)


class PrivilegeDropTest(harness.MilterTestCase):
    env = ENV
    socket_kind = "unix"

    @classmethod
    def setUpClass(cls):
        # Same milter as the other classes, but told to run as nobody after binding.
        cls.milter = cls.env.milter(cls.socket_kind)
        cls.milter.config_text = cls.milter.config_text.replace('user: ""', "user: nobody")
        # Its work directory (pidfile, record store) belongs to the run-time user, as
        # /var/lib/authmilter does under systemd's StateDirectory=.
        nobody = pwd.getpwnam("nobody")
        os.chown(cls.milter.workdir, nobody.pw_uid, nobody.pw_gid)
        cls.addClassCleanup(cls._stop_milter)
        harness.RUNNING.append(cls.milter)
        harness.LOGS["authmilter"] = cls.milter.log_path
        cls.milter.start()

    def test_runs_as_nobody_and_serves_mail(self):
        nobody = pwd.getpwnam("nobody").pw_uid
        # The socket accepts (the harness's "ready") a moment before the drop: poll for it.
        deadline, uids = time.monotonic() + 5.0, []
        while time.monotonic() < deadline:
            with open(f"/proc/{daemon_pid(self.milter)}/status") as handle:
                status = handle.read()
            uids = [int(uid) for uid in re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()]
            if uids == [nobody] * 4:
                break
            time.sleep(0.05)
        self.assertEqual(uids, [nobody] * 4)
        stat = os.stat(self.milter.socket.path)
        self.assertEqual(stat.st_uid, nobody, "the socket belongs to the run-time user")
        self.assertEqual(stat.st_mode & 0o777, 0o666, "socket_mode as configured")
        # The store is opened after the drop, a moment after the socket accepts.
        store_path = os.path.join(self.milter.workdir, "records.db")
        deadline = time.monotonic() + 5.0
        while not os.path.exists(store_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        store = os.stat(store_path)
        self.assertEqual(store.st_uid, nobody, "the store belongs to the run-time user")
        self.assertEqual(store.st_mode & 0o007, 0, "the store is not world-accessible")
        delivered = self.send_and_receive(harness.make_message("as nobody"), listener="unix")
        self.assertEqual(authserv_ids(delivered), ["mx.test"])


class LeakCheckTest(harness.MilterTestCase):
    """The daemon serves a few hundred messages (SPF, DMARC, a report row each), then stops on
    SIGTERM: no leak. On the ASan build (run-tests.sh's second pass) LeakSanitizer checks at exit
    and a leak makes the exit status non-zero; on the plain build the daemon runs under valgrind
    memcheck, which must count no definitely or indirectly lost bytes and no invalid access."""

    env = ENV
    socket_kind = "unix"
    SENDERS = 4
    PER_SENDER = 75

    @classmethod
    def setUpClass(cls):
        cls.milter = cls.env.milter(cls.socket_kind)
        cls.valgrind_log = os.path.join(cls.milter.workdir, "valgrind.log")
        if not sanitized(cls.milter.binary):
            cls.milter.wrapper = [
                "valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                "--num-callers=30", f"--log-file={cls.valgrind_log}"]
        cls.addClassCleanup(cls._stop_milter)
        harness.RUNNING.append(cls.milter)
        harness.LOGS["authmilter"] = cls.milter.log_path
        cls.milter.start(timeout=60.0)

    def send_many(self, results, index):
        for i in range(self.PER_SENDER):
            message = harness.make_message(f"leak check {index} {i}")
            results.append(self.env.postfix.send("sender@example.org", harness.RECIPIENT,
                                                 message, listener="unix"))

    def test_hundreds_of_messages_then_clean_exit_without_leaks(self):
        results = []
        threads = [threading.Thread(target=self.send_many, args=(results, n))
                   for n in range(self.SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        accepted = [r for r in results if r.accepted]
        self.assertEqual(len(accepted), self.SENDERS * self.PER_SENDER,
                         [r for r in results if not r.accepted][:3])
        self.assertEqual(self.milter.stop(), 0)  # raises with the log on a non-zero status
        if sanitized(self.milter.binary):
            self.assertNotIn("LeakSanitizer", self.milter.log_text())
            return
        with open(self.valgrind_log) as handle:
            report = handle.read()
        self.assertRegex(report, r"ERROR SUMMARY: 0 errors", report)  # and valgrind did run
        self.assertNotRegex(report, r"definitely lost: [1-9]|indirectly lost: [1-9]", report)
        summary = re.findall(r"(?:definitely|indirectly|possibly) lost: .*|in use at exit: .*",
                             report)
        print(f"\nvalgrind, {len(accepted)} messages: {'; '.join(summary)}", flush=True)


class CheckConfigTest(unittest.TestCase):
    def test_typo_is_reported_with_position_and_key(self):
        path = os.path.join(ENV.workdir, "typo.yaml")
        with open(path, "w") as handle:
            handle.write('socket: "inet:8891@127.0.0.1"\nsokcet_mode: "0600"\n')
        result = subprocess.run([binary_path(harness.build_dir()), "--check-config", "--config",
                                 path], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"{path}:2:1: sokcet_mode: unknown key", result.stderr)

    def check_config(self, text, name):
        path = os.path.join(ENV.workdir, name)
        with open(path, "w") as handle:
            handle.write(text)
        return subprocess.run([binary_path(harness.build_dir()), "--check-config", "--config",
                               path], capture_output=True, text=True, timeout=30)

    def shipped_config(self, user):
        # --check-config looks the user up, and this machine need not have `authmilter`.
        with open(os.path.join(harness.source_dir(), "conf", "authmilter.yaml")) as handle:
            text = handle.read()
        self.assertIn("\nuser: authmilter\n", text)
        return text.replace("\nuser: authmilter\n", f"\nuser: {user}\n")

    def test_valid_file_passes(self):
        result = self.check_config(self.shipped_config("nobody"), "shipped.yaml")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_unknown_user_is_refused(self):
        result = self.check_config(self.shipped_config("no-such-user-x"), "nouser.yaml")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("user 'no-such-user-x' does not exist", result.stderr)

    def test_user_with_uid_0_is_refused(self):
        # Naming a user promises that root is given up after binding; root would not.
        result = self.check_config(self.shipped_config("root"), "root.yaml")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("user 'root' has uid 0", result.stderr)


class RestartAfterKillTest(harness.MilterTestCase):
    """kill -9 leaves the unix socket file behind; a new daemon binds the same path and serves."""

    env = ENV
    socket_kind = "unix"

    def test_restart_on_the_same_socket_after_kill_dash_nine(self):
        first = self.send_and_receive(harness.make_message("before the kill"), listener="unix")
        self.assertEqual(authserv_ids(first), ["mx.test"])
        pid = daemon_pid(self.milter)
        os.kill(pid, signal.SIGKILL)
        self.milter.forget_killed()
        self.assertTrue(os.path.exists(self.milter.socket.path), "a stale socket file remains")
        self.milter.start()
        self.assertNotEqual(daemon_pid(self.milter), pid)
        second = self.send_and_receive(harness.make_message("after the restart"), listener="unix")
        self.assertEqual(authserv_ids(second), ["mx.test"])


class StopWhileStartingTest(unittest.TestCase):
    """SIGTERM while the daemon is still starting: a requested stop, exit 0, never a failure.

    The socket accepts as soon as it is opened (as root, before the store, the resolver and
    smfi_main()); a SIGTERM sent then waits, pending. Handed to libmilter's signal thread as
    smfi_main() starts, it closed the listening socket under libmilter's listener, which then
    failed to bind the path again ("Address already in use") and the daemon exited 70: the
    cause of a rare test_first_run failure. strace delays every clone3() return by 0.3 s, so the
    SIGTERM is always pending by then and the race is lost every time without the fix.
    """

    ATTEMPTS = 3

    def test_sigterm_while_starting_is_a_clean_stop(self):
        for attempt in range(self.ATTEMPTS):
            milter = ENV.milter("unix")
            milter.wrapper = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=clone3",
                              "-e", "inject=clone3:delay_exit=300000"]
            if sanitized(milter.binary):  # LeakSanitizer cannot run under ptrace
                options = os.environ.get("ASAN_OPTIONS", "")
                milter.wrapper = ["env", f"ASAN_OPTIONS={options}:detect_leaks=0".lstrip(":")] + \
                    milter.wrapper
            milter.start()  # returns as soon as the socket accepts
            daemon = milter._daemon.process
            children = subprocess.run(["pgrep", "-P", str(daemon.pid)], capture_output=True,
                                      text=True, check=False).stdout.split()
            self.assertEqual(len(children), 1, f"strace should have one child: {children}")
            os.kill(int(children[0]), signal.SIGTERM)
            status = daemon.wait(timeout=30)
            log = milter.log_text()
            milter.forget_killed()
            self.assertEqual(status, 0, f"attempt {attempt}: exit {status}; log:\n{log[-1500:]}")
            self.assertIn("stopped", log)


class JournalStreamTest(unittest.TestCase):
    """--foreground copies log lines to stderr, except when stderr is the systemd journal
    (JOURNAL_STREAM names it), which already gets them through syslog: once, not twice."""

    # Runs the daemon with JOURNAL_STREAM set to its own stderr's "device:inode", as systemd does.
    AS_JOURNAL = ["sh", "-c", 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$@"', "sh"]
    # A stream that is not our stderr: lines are copied to stderr as ever.
    ELSEWHERE = ["env", "JOURNAL_STREAM=1:1"]

    def run_daemon(self, wrapper):
        milter = ENV.milter("unix")
        milter.wrapper = wrapper
        milter.start()
        self.addCleanup(milter.stop)
        return milter

    def test_no_copy_on_stderr_when_it_is_the_journal(self):
        control = self.run_daemon(self.ELSEWHERE)
        self.assertTrue(wait_for_log(control, r"listening on"), control.log_text())
        control.stop()
        journal = self.run_daemon(self.AS_JOURNAL)
        # Started (the socket answers) and still running after the control's start-up time, but
        # its lines went to syslog alone.
        self.assertFalse(wait_for_log(journal, r"listening on", timeout=3.0), journal.log_text())
        self.assertIsNone(journal._daemon.process.poll(), journal.log_text())


# filter/daemon/descriptor_budget.cpp: dns::kUpstreamSockets (192) + 64 for everything else.
DESCRIPTOR_RESERVE = 256


def soft_open_file_limit(pid):
    with open(f"/proc/{pid}/limits") as handle:
        for line in handle:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError(f"no 'Max open files' line in /proc/{pid}/limits")


class OpenFileLimitTest(unittest.TestCase):
    def start(self, nofile):
        milter = ENV.milter("unix")
        milter.wrapper = ["prlimit", f"--nofile={nofile}", "--"]
        milter.start()
        self.addCleanup(milter.stop)
        # The socket accepts before the limit is set; "listening on" is logged after it.
        self.assertTrue(wait_for_log(milter, r"listening on"), milter.log_text())
        return milter

    def test_the_soft_limit_is_raised_to_fit_max_connections(self):
        milter = self.start("1024:4096")
        self.assertEqual(soft_open_file_limit(milter.pid()), 1000 + DESCRIPTOR_RESERVE)
        self.assertNotIn("open files", milter.log_text())

    def test_a_hard_limit_too_low_cuts_the_connections_served(self):
        milter = self.start("1024:1024")
        self.assertEqual(soft_open_file_limit(milter.pid()), 1024)
        self.assertTrue(wait_for_log(
            milter, r"limits.max_connections=1000 needs 1256 open files but the hard limit is "
                    rf"1024: at most {1024 - DESCRIPTOR_RESERVE} connections are served"),
            milter.log_text())


if __name__ == "__main__":
    unittest.main()
