"""The first run on Debian's Postfix: smtpd and cleanup chrooted, the lines we document, a probe.

Debian's master.cf runs smtpd and cleanup chrooted in the queue directory, so a milter socket
outside it does not exist for them, and with milter_default_action = accept every message then
passes unchecked. The harness's Postfix keeps Debian's chroot column; here:
- the chroot is real (each smtpd's /proc/PID/root is the queue directory);
- contrib/postfix/main.cf's line (unix:authmilter/authmilter.sock, relative to the queue
  directory) reaches authmilter from chrooted smtpd and from chrooted cleanup (non_smtpd_milters,
  mail submitted with sendmail(1)), and quickstart prints exactly the lines in effect here;
- authmilter-check --smtp gets authmilter's answer through Postfix when it is wired right, and
  when it is not (the reported set-up: an absolute socket path that the chroot hides; the daemon
  stopped), says "NOT FILTERED" with the cause, while Postfix really delivers mail unchecked.
"""

import grp
import os
import re
import subprocess
import urllib.request
import uuid

import harness
from processes import free_port, tcp_accepts, wait_until

ENV = harness.Environment("firstrun")
TOOL_TIMEOUT = 60
ZONES = {"example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"']}


def setUpModule():
    # "hidden": smtpd_milters names the socket by its host path, as quickstart used to print it.
    ENV.start(zones=ZONES, listeners={
        "hidden": {"smtpd_milters": "unix:HOST_PATH"},
        "strict": {"smtpd_milters": "unix:authmilter/authmilter.sock",
                   "milter_default_action": "tempfail"},
    })


def check_tool():
    return os.path.join(harness.build_dir(), "filter", "authmilter-check")


def authserv_ids(message):
    return [value.split(";", 1)[0].strip() for name, value in harness.header_fields(message)
            if name.lower() == "authentication-results"]


def smtpd_roots():
    """/proc/PID/root of every running smtpd child of the harness's Postfix master."""
    master, roots = str(ENV.postfix.master_pid()), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                program = handle.read().split(b"\0")[0]
            if fields[1] == master and program.endswith(b"smtpd"):
                roots.append(os.readlink(f"/proc/{pid}/root"))
        except (OSError, IndexError):
            continue
    return roots


class ChrootedPostfixTest(harness.MilterTestCase):
    env = ENV
    socket_kind = "unix"

    @classmethod
    def setUpClass(cls):
        # The "hidden" listener names the real socket by its host path (what a chrooted smtpd
        # cannot see); the path is known only now that the harness has placed it.
        master_cf = os.path.join(ENV.postfix.config_dir, "master.cf")
        with open(master_cf) as handle:
            text = handle.read()
        with open(master_cf, "w") as handle:
            handle.write(text.replace("unix:HOST_PATH", f"unix:{ENV.unix_socket.path}"))
        subprocess.run(["/usr/sbin/postfix", "-c", ENV.postfix.config_dir, "reload"],
                       check=True, capture_output=True)
        super().setUpClass()

    def probe(self, port_name, rcpt=harness.RECIPIENT):
        argv = [check_tool(), "--config", self.milter.config_path, "--smtp",
                f"127.0.0.1:{self.env.postfix.port(port_name)}", "--rcpt", rcpt,
                "--postfix-config", self.env.postfix.config_dir]
        return subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT)

    def test_smtpd_and_cleanup_are_chrooted_as_debian_ships_them(self):
        services = self.env.postfix.postconf_master()
        self.assertEqual(services[f"127.0.0.1:{self.env.postfix.port('unix')}/inet"][4], "y")
        self.assertEqual(services["cleanup/unix"][4], "y")
        self.assertEqual(services[f"127.0.0.1:{self.env.postfix.port('main')}/inet"][4], "y")
        self.assertEqual(services["pickup/unix"][4], "y")
        self.send_and_receive(harness.make_message("wake an smtpd"), listener="unix")
        # A process the master has just started chroots itself a moment later: poll.
        jail = os.path.realpath(self.env.postfix.queue_dir)

        def all_jailed():
            roots = [os.path.realpath(root) for root in smtpd_roots()]
            return roots if roots and set(roots) == {jail} else None

        self.assertTrue(wait_until(all_jailed, 5.0, f"every smtpd chrooted in {jail}"))

    def test_contrib_line_reaches_authmilter_from_chrooted_smtpd(self):
        self.assertEqual(self.env.postfix.postconf("smtpd_milters")["smtpd_milters"],
                         "unix:authmilter/authmilter.sock")
        delivered = self.send_and_receive(harness.make_message("chrooted smtpd"), listener="unix")
        self.assertEqual(authserv_ids(delivered), [harness.AUTHSERV_ID])

    def test_socket_directory_created_for_the_postfix_group(self):
        directory = os.path.dirname(self.milter.socket.path)
        info = os.stat(directory)
        self.assertEqual(info.st_mode & 0o777, 0o750)
        self.assertEqual(grp.getgrgid(info.st_gid).gr_name, "postfix")
        self.assertEqual(grp.getgrgid(os.stat(self.milter.socket.path).st_gid).gr_name, "postfix")

    def test_sendmail_submission_reaches_authmilter_through_chrooted_cleanup(self):
        message_id = f"{uuid.uuid4().hex}@harness.test"
        message = re.sub(rb"Message-ID: <[^>]+>", f"Message-ID: <{message_id}>".encode(),
                         harness.make_message("via sendmail(1)"))
        done = subprocess.run(
            ["/usr/sbin/sendmail", "-C", self.env.postfix.config_dir, "-f", "sender@example.org",
             harness.RECIPIENT], input=message, capture_output=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stderr)
        delivered = wait_until(lambda: self.env.postfix.delivered_with(message_id.encode()),
                               15.0, "delivery of the sendmail(1) message")
        self.assertEqual(authserv_ids(delivered), [harness.AUTHSERV_ID],
                         self.env.postfix.maillog())

    def test_quickstart_prints_the_lines_in_effect_here(self):
        script = os.path.join(harness.source_dir(), "contrib", "quickstart.sh")
        env = dict(os.environ, AUTHMILTER_POSTFIX_CONFIG=self.env.postfix.config_dir)
        done = subprocess.run(["sh", script, "--print-postfix-lines"], capture_output=True,
                              text=True, env=env, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stderr)
        printed = dict(re.findall(r"'(\w+) = ([^']*)'", done.stdout))
        self.assertEqual(set(printed), {"smtpd_milters", "non_smtpd_milters", "milter_protocol",
                                        "milter_default_action"})
        in_effect = self.env.postfix.postconf(*printed)
        for name, value in printed.items():
            self.assertEqual(value.replace("\\$", "$"), in_effect[name], name)
        self.assertIn("chrooted in " + self.env.postfix.queue_dir, done.stdout)
        self.assertIn("smtp", done.stdout)

    def test_probe_through_the_wired_listener_shows_our_header(self):
        done = self.probe("unix")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("OK: authmilter answered through the MTA", done.stdout)
        self.assertRegex(done.stdout, r"Authentication-Results: mx\.test; .*spf=")
        self.assertRegex(self.milter.log_text(), r"probe [0-9a-f]{32} answered")

    def test_probe_names_the_chroot_when_the_socket_is_hidden_from_smtpd(self):
        # The reported first run: Postfix delivers unchecked, and the probe says so and why.
        unchecked = self.env.postfix.send("sender@example.org", harness.RECIPIENT,
                                          harness.make_message("hidden socket"),
                                          listener="hidden")
        self.assertTrue(unchecked.accepted, str(unchecked))
        self.assertEqual(authserv_ids(self.env.postfix.wait_delivered(unchecked.queue_id)), [])
        done = self.probe("hidden")
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("NOT FILTERED: the MTA accepted the probe without authmilter", done.stdout)
        self.assertIn(f"runs chrooted in {self.env.postfix.queue_dir}", done.stdout)
        self.assertIn("smtpd_milters = unix:authmilter/authmilter.sock", done.stdout)
        self.assertIn("milter_default_action = accept", done.stdout)

    def test_probe_names_a_socket_the_postfix_user_cannot_open(self):
        os.chmod(self.milter.socket.path, 0o600)  # root's alone: smtpd runs as postfix
        try:
            done = self.probe("unix")
        finally:
            os.chmod(self.milter.socket.path, 0o666)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("the postfix user cannot write to the socket", done.stdout)
        self.assertIn("(mode 0600, owner root, group postfix)", done.stdout)

    def test_probe_says_nothing_filters_without_a_milter(self):
        done = self.probe("nomilter")
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("smtpd_milters is empty for service", done.stdout)

    def test_forged_probe_header_is_ordinary_mail(self):
        forged = "0" * 32 + "." + "0" * 64
        delivered = self.send_and_receive(
            harness.make_message("forged probe", [("X-Authmilter-Probe", forged)]),
            listener="unix")
        self.assertEqual(authserv_ids(delivered), [harness.AUTHSERV_ID])
        self.assertIn("header without a valid token", self.milter.log_text())


class TrustedClientProbeTest(harness.MilterTestCase):
    """A probe from a client whose mail is not checked proves the wiring and says so."""

    env = ENV
    socket_kind = "unix"
    extra_config = 'trusted_networks: ["127.0.0.0/8"]\n'

    def test_probe_from_a_trusted_network(self):
        argv = [check_tool(), "--config", self.milter.config_path, "--smtp",
                f"127.0.0.1:{self.env.postfix.port('unix')}", "--rcpt", harness.RECIPIENT]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("Note: checks skipped for this client (trusted network)", done.stdout)


class ProbeMetricsTest(harness.MilterTestCase):
    """An answered probe is counted as action "probe", never as a reject of real mail."""

    env = ENV
    socket_kind = "unix"
    metrics_port = free_port()
    extra_config = f'metrics:\n  listen: "127.0.0.1:{metrics_port}"\n'

    def messages_by_action(self):
        wait_until(lambda: tcp_accepts(self.metrics_port), 10.0, "the metrics listener")
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
        return {action: float(value) for action, value in
                re.findall(r'^authmilter_messages_total\{action="(\w+)"\} (\S+)$', text, re.M)}

    def test_probe_counts_as_probe(self):
        before = self.messages_by_action()
        argv = [check_tool(), "--config", self.milter.config_path, "--smtp",
                f"127.0.0.1:{self.env.postfix.port('unix')}", "--rcpt", harness.RECIPIENT]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        after = self.messages_by_action()
        self.assertEqual(after["probe"] - before["probe"], 1)
        self.assertEqual(after["reject"], before["reject"])


class DaemonDownTest(harness.MilterTestCase):
    """The daemon stopped: the probe is delivered unchecked and the cause is named."""

    env = ENV
    socket_kind = "unix"

    def test_probe_names_the_stopped_daemon(self):
        config = self.milter.config_path
        self._stop_milter()
        argv = [check_tool(), "--config", config, "--smtp",
                f"127.0.0.1:{self.env.postfix.port('unix')}", "--rcpt", harness.RECIPIENT,
                "--postfix-config", self.env.postfix.config_dir]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("NOT FILTERED", done.stdout)
        self.assertIn("authmilter is not answering on unix:", done.stdout)
        # With milter_default_action = tempfail nothing gets through, and the probe says why.
        argv[argv.index("--smtp") + 1] = f"127.0.0.1:{self.env.postfix.port('strict')}"
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertRegex(done.stdout, r"NO ANSWER FROM AUTHMILTER: the MTA answered 4\d\d 4\.7\.1")
        self.assertIn("authmilter is not answering on unix:", done.stdout)
        self.assertNotIn("milter_default_action = accept:", done.stdout)

    def test_unreachable_mta_is_its_own_exit_status(self):
        argv = [check_tool(), "--config", self.milter.config_path, "--smtp",
                f"127.0.0.1:{free_port()}"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        self.assertEqual(done.returncode, 69, done.stdout + done.stderr)
        self.assertIn("cannot talk to the MTA", done.stdout)
