"""postfix_instance - a private Postfix (run as root) on loopback, delivering into a Maildir.

Purpose: the real MTA in front of authmilter, chrooted as Debian ships it. Its own
config_directory, queue_directory and data_directory live under the test's temp dir; the system
Postfix (if any) is not touched.

Contract:
  Postfix(workdir, source_dir, main_milter, listeners).start() ... stop()
    main.cf   = harness base settings + contrib/postfix/main.cf verbatim (its smtpd_milters,
                unix:authmilter/authmilter.sock, names a socket inside queue_dir: socket_path()).
    master.cf = /etc/postfix/master.cf (Debian's) with every inet service removed and the chroot
                column as Debian ships it (smtpd, cleanup, pickup chrooted in queue_dir), plus
                chrooted smtpd listeners on free 127.0.0.1 ports: "main" (-o smtpd_milters=
                main_milter, an inet socket), "submission" (contrib/postfix/master.cf's service,
                renamed to a loopback port) and one per entry of listeners {name: {param: value}}
                as `-o` overrides. Only the listener named "unix" uses main.cf's smtpd_milters;
                every other one without its own smtpd_milters gets main_milter's.
    Mail for @example.net is delivered by virtual(8) into one Maildir; wait_delivered(queue_id)
    returns the delivered bytes. Sender hold@harness.test is put on hold (for held_messages()).
  port(name) is a listener's port; send(...) is smtp_client.send to it; maillog() reads the
  log written by postlogd (maillog_file; no syslog is needed).
"""

import json
import os
import pwd
import re
import subprocess
import time

import smtp_client
from processes import free_port, run_checked, tail, tcp_accepts, wait_until

POSTFIX = "/usr/sbin/postfix"
POSTQUEUE = "/usr/sbin/postqueue"
POSTSUPER = "/usr/sbin/postsuper"
# Debian's master.cf; the copy in /usr/share is what the package installs if /etc has none.
SYSTEM_MASTER_CF = ("/etc/postfix/master.cf", "/usr/share/postfix/master.cf.dist")
DELIVERY_TIMEOUT = 15.0
START_TIMEOUT = 15.0
RECIPIENT_DOMAIN = "example.net"
HOLD_SENDER = "hold@harness.test"
DELIVERY_UID = 65534  # nobody: virtual(8) refuses to deliver as root (virtual_minimum_uid)


def contrib_milter_address(path):
    """The value of smtpd_milters in contrib/postfix/main.cf (one line, as it is written)."""
    with open(path) as handle:
        for line in handle.read().splitlines():
            match = re.match(r"smtpd_milters\s*=\s*(\S+)\s*$", line)
            if match:
                return match.group(1)
    raise RuntimeError(f"{path} has no one-line smtpd_milters setting")


def contrib_main_cf(path):
    """contrib/postfix/main.cf verbatim (checked to name its milter as the harness expects)."""
    contrib_milter_address(path)
    with open(path) as handle:
        return handle.read()


def system_master_cf():
    """Debian's master.cf without inet listeners; the chroot column stays as Debian ships it."""
    out, dropping = [], False
    path = next((p for p in SYSTEM_MASTER_CF if os.path.exists(p)), SYSTEM_MASTER_CF[0])
    with open(path) as handle:
        for line in handle.read().splitlines():
            if line[:1] in (" ", "\t") and line.strip():
                if not dropping:
                    out.append(line)
                continue
            fields = line.split()
            dropping = False
            if line.startswith("#") or len(fields) < 8:
                out.append(line)
            elif fields[1] == "inet":
                dropping = True
            else:
                out.append(line)
    return "\n".join(out) + "\n"


def snippet_master_cf(path, port):
    """contrib/postfix/master.cf with its service bound to 127.0.0.1:port (chroot as written)."""
    out = []
    with open(path) as handle:
        for line in handle.read().splitlines():
            fields = line.split()
            if line and not line[0].isspace() and not line.startswith("#") and len(fields) >= 8:
                fields[0] = f"127.0.0.1:{port}"
                line = " ".join(fields)
            out.append(line)
    return "\n".join(out) + "\n"


class Postfix:
    def __init__(self, workdir, source_dir, main_milter, listeners=None):
        self.root = os.path.join(workdir, "postfix")
        self.config_dir = os.path.join(self.root, "etc")
        self.queue_dir = os.path.join(self.root, "spool")
        self.data_dir = os.path.join(self.root, "data")
        self.mail_dir = os.path.join(self.root, "mail")
        self.maillog_path = os.path.join(self.root, "maillog")
        self.contrib_dir = os.path.join(source_dir, "contrib", "postfix")
        self.main_milter = main_milter
        self.listeners = {"main": {}, "submission": None}
        self.listeners.update(listeners or {})
        self.ports = {name: free_port() for name in self.listeners}
        self._delivered = {}  # queue id -> delivered bytes
        self._seen_files = set()
        self._started = False

    def main_cf_text(self):
        base = f"""# Written by tests/integration/postfix_instance.py: a private loopback instance.
compatibility_level = 3.6
config_directory = {self.config_dir}
queue_directory = {self.queue_dir}
data_directory = {self.data_dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test
mydomain = test
myorigin = $myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_peername_lookup = no
smtpd_sender_restrictions = check_sender_access inline:{{{HOLD_SENDER}=HOLD}}
alias_maps =
alias_database =
biff = no
maillog_file = {self.maillog_path}
maillog_file_prefixes = {self.root}
virtual_mailbox_domains = {RECIPIENT_DOMAIN}
virtual_mailbox_base = {self.mail_dir}
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:{DELIVERY_UID}
virtual_gid_maps = static:{DELIVERY_UID}
delay_warning_time = 0
# ---- contrib/postfix/main.cf follows, verbatim ----
"""
        return base + contrib_main_cf(os.path.join(self.contrib_dir, "main.cf"))

    def milter_address(self):
        """main.cf's smtpd_milters (contrib/postfix/main.cf's), Postfix spelling."""
        return contrib_milter_address(os.path.join(self.contrib_dir, "main.cf"))

    def socket_path(self):
        """Where main.cf's unix milter socket is on the host: relative to queue_directory."""
        address = self.milter_address()
        if not address.startswith("unix:"):
            raise RuntimeError(f"contrib main.cf names {address}, not a unix socket")
        path = address[len("unix:"):]
        return os.path.join(self.queue_dir, path.lstrip("/"))

    def master_cf_text(self):
        text = system_master_cf()
        text += f"127.0.0.1:{self.ports['main']} inet n - y - - smtpd\n"
        text += f"  -o smtpd_milters={self.main_milter}\n"
        text += snippet_master_cf(
            os.path.join(self.contrib_dir, "master.cf"), self.ports["submission"]
        )
        for name, overrides in self.listeners.items():
            if name in ("main", "submission"):
                continue
            text += f"127.0.0.1:{self.ports[name]} inet n - y - - smtpd\n"
            text += f"  -o syslog_name=postfix/{name}\n"
            if name != "unix" and "smtpd_milters" not in overrides:
                overrides = dict(overrides, smtpd_milters=self.main_milter)
            for key, value in overrides.items():
                if re.search(r"\s", value):
                    raise ValueError(f"master.cf -o value must not contain spaces: {value!r}")
                text += f"  -o {key}={value}\n"
        return text

    def _write_config(self):
        for directory in (self.config_dir, self.queue_dir, self.data_dir, self.mail_dir):
            os.makedirs(directory, exist_ok=True)
        # Postfix daemons and virtual(8) (as uid nobody) must traverse the path to their dirs.
        for directory in (os.path.dirname(self.root), self.root):
            os.chmod(directory, 0o755)
        os.chown(self.mail_dir, DELIVERY_UID, DELIVERY_UID)
        owner = pwd.getpwnam("postfix")
        os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
        with open(os.path.join(self.config_dir, "main.cf"), "w") as handle:
            handle.write(self.main_cf_text())
        with open(os.path.join(self.config_dir, "master.cf"), "w") as handle:
            handle.write(self.master_cf_text())

    def _postfix(self, *args, what=None, timeout=60):
        return run_checked([POSTFIX, "-c", self.config_dir, *args], what or f"postfix {args[0]}",
                           timeout=timeout)

    def start(self):
        self._write_config()
        self._postfix("check")
        self._started = True
        self._postfix("start")
        for name, port in self.ports.items():
            wait_until(lambda p=port: tcp_accepts(p), START_TIMEOUT,
                       f"Postfix listener {name} on 127.0.0.1:{port}")
        return self

    def stop(self):
        if not self._started:
            return
        self._started = False
        pid = self.master_pid()
        subprocess.run([POSTFIX, "-c", self.config_dir, "stop"], capture_output=True, check=False)
        if pid:
            try:
                wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 10.0, "Postfix master exit")
            except TimeoutError:
                subprocess.run([POSTFIX, "-c", self.config_dir, "abort"], capture_output=True,
                               check=False)

    def master_pid(self):
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid")) as handle:
                return int(handle.read().strip())
        except (OSError, ValueError):
            return None

    def port(self, name="main"):
        return self.ports[name]

    def send(self, mail_from, rcpts, message, helo="client.test", xclient=None, listener="main"):
        return smtp_client.send(self.port(listener), mail_from, rcpts, message, helo, xclient)

    def _scan_maildir(self):
        for sub in ("new", "cur"):
            directory = os.path.join(self.mail_dir, "inbox", sub)
            if not os.path.isdir(directory):
                continue
            for name in os.listdir(directory):
                if name in self._seen_files:
                    continue
                self._seen_files.add(name)
                with open(os.path.join(directory, name), "rb") as handle:
                    data = handle.read()
                match = re.search(rb"\bwith E?SMTP id ([0-9A-Za-z]+)", data)
                if match:
                    self._delivered[match.group(1).decode()] = data

    def wait_delivered(self, queue_id, timeout=DELIVERY_TIMEOUT):
        """The delivered message (bytes) carrying Postfix queue id queue_id."""
        if not queue_id:
            raise ValueError("no queue id: the message was not accepted")

        def delivered():
            self._scan_maildir()
            return self._delivered.get(queue_id)

        try:
            return wait_until(delivered, timeout, f"delivery of {queue_id}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}\nmaillog:\n{self.maillog()}") from None

    def delivered_with(self, needle):
        """The delivered message (bytes) containing needle, if any (mail without a queue id in
        an SMTP Received line: sendmail(1) submissions)."""
        self._scan_maildir()
        for sub in ("new", "cur"):
            directory = os.path.join(self.mail_dir, "inbox", sub)
            for name in os.listdir(directory) if os.path.isdir(directory) else []:
                with open(os.path.join(directory, name), "rb") as handle:
                    data = handle.read()
                if needle in data:
                    return data
        return None

    def postconf_master(self):
        """postconf -M as {"service/type": [the 8 columns]}."""
        done = run_checked(["/usr/sbin/postconf", "-c", self.config_dir, "-M"], "postconf -M")
        services = {}
        for line in done.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 8 and not line[0].isspace():
                services[f"{fields[0]}/{fields[1]}"] = fields[:8]
        return services

    def queue(self):
        """postqueue -j: one dict per queued message (queue_name is e.g. 'hold')."""
        done = run_checked([POSTQUEUE, "-c", self.config_dir, "-j"], "postqueue -j")
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def held_messages(self):
        return [entry for entry in self.queue() if entry.get("queue_name") == "hold"]

    def delete_queued(self, queue_id):
        run_checked([POSTSUPER, "-c", self.config_dir, "-d", queue_id], "postsuper -d")

    def maillog(self):
        return tail(self.maillog_path)

    def postconf(self, *names):
        """{name: value} of main.cf parameters as this instance sees them."""
        done = run_checked(["/usr/sbin/postconf", "-c", self.config_dir, *names], "postconf")
        pairs = (line.split(" = ", 1) for line in done.stdout.splitlines() if " = " in line)
        return {name.strip(): value.strip() for name, value in pairs}

    def master_service(self, name_type):
        """The master.cf entry (service/type) as postconf -M prints it."""
        done = run_checked(["/usr/sbin/postconf", "-c", self.config_dir, "-M", name_type],
                           "postconf -M")
        return done.stdout

    def listening_sockets(self):
        """ip:port of every TCP/UDP socket the master process listens on (from /proc)."""
        pid = self.master_pid()
        if not pid:
            raise RuntimeError("Postfix master is not running")
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
        found = []
        for table in ("tcp", "tcp6", "udp", "udp6"):
            with open(f"/proc/net/{table}") as handle:
                for row in handle.read().splitlines()[1:]:
                    fields = row.split()
                    if fields[9] in inodes:
                        found.append(proc_net_address(fields[1]))
        return found


def proc_net_address(hex_address):
    """/proc/net/tcp "0100007F:1F90" -> "127.0.0.1:8080" (IPv6 rows print as hex)."""
    address, port = hex_address.split(":")
    if len(address) == 8:
        address = ".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return f"{address}:{int(port, 16)}"
