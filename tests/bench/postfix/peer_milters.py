"""peer_milters - OpenDKIM and OpenDMARC, configured minimally for verification only.

Purpose: the peer chain of issue 7's comparison (OpenDKIM verifies, OpenDMARC evaluates DMARC
and SPF from OpenDKIM's Authentication-Results), each on an inet socket on 127.0.0.1, in the
foreground, logging to a file, run with the same test DNS as authmilter:
  OpenDKIM   libunbound forwarding to PEER_DNS_ADDRESS port 53 (Nameservers). Not through
             ResolverConfiguration: OpenDKIM then parses an unbound.conf per resolver context,
             and libunbound's flex parser is not reentrant: under 20 parallel sessions OpenDKIM
             dies with "fatal flex scanner internal error--end of buffer missed".
  OpenDMARC  has no resolver setting (res_query + /etc/resolv.conf, also inside libspf2), so it
             runs in its own mount namespace (unshare -m) where a private resolv.conf naming
             PEER_DNS_ADDRESS is bind-mounted over /etc/resolv.conf; the system file is untouched.
Both would skip mail from 127.0.0.1 by default (InternalHosts / IgnoreHosts), which is where
smtp-source connects from, so those lists are set to an unused TEST-NET address.
rspamd 3.4 (rspamd_available()) runs from a top-level configuration of our own that loads only
its DKIM (C module), SPF, DMARC and ARC checks and the Authentication-Results routine of
milter_headers, with no Redis, Bayes, fuzzy, RBLs or regexp rules; its rspamd_proxy worker is
the milter and scans in-process (self_scan, one proxy process per core), its resolver is the bench unbound (any port), and
check_local is on because the bench client is 127.0.0.1, which rspamd otherwise does not check.
Contract: available() says whether both binaries exist; PeerMilter(...).start() ... stop();
pid is the daemon's pid for CPU accounting (for rspamd: the main process; its CPU is counted
over its whole process tree by tree_pids()).
"""

import os
import shutil

import bench_env
from processes import Daemon, tcp_accepts, wait_until

OPENDKIM = "/usr/sbin/opendkim"
OPENDMARC = "/usr/sbin/opendmarc"
RSPAMD = "/usr/bin/rspamd"
START_TIMEOUT = 15.0
UNUSED_HOST = "192.0.2.254"  # RFC 5737 TEST-NET-1: no bench client uses it


def available():
    return all(os.access(path, os.X_OK) for path in (OPENDKIM, OPENDMARC)) and bool(
        shutil.which("unshare")
    )


def rspamd_available():
    return os.access(RSPAMD, os.X_OK)


class PeerMilter:
    def __init__(self, name, workdir, argv, port):
        self.name = name
        self.workdir = workdir
        self.argv = argv
        self.port = port
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._daemon = None

    @property
    def pid(self):
        return self._daemon.process.pid

    def start(self):
        self._daemon = Daemon(self.argv, self.log_path, self.name)
        wait_until(self._ready, START_TIMEOUT, f"{self.name} on 127.0.0.1:{self.port}")
        return self

    def _ready(self):
        self._daemon.check_running()
        return tcp_accepts(self.port)

    def stop(self):
        if self._daemon is not None:
            self._daemon.stop()
            self._daemon = None


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)
    return path


def opendkim(workdir, port, authserv_id):
    root = os.path.join(workdir, "opendkim")
    os.makedirs(root, exist_ok=True)
    hosts = _write(os.path.join(root, "internal-hosts"), UNUSED_HOST + "\n")
    config = _write(os.path.join(root, "opendkim.conf"), f"""Mode v
Socket inet:{port}@127.0.0.1
PidFile {root}/opendkim.pid
AuthservID {authserv_id}
Nameservers {bench_env.PEER_DNS_ADDRESS}
InternalHosts {hosts}
Syslog no
SoftwareHeader no
Background no
""")
    return PeerMilter("opendkim", root, [OPENDKIM, "-f", "-x", config], port)


def opendmarc(workdir, port, authserv_id):
    root = os.path.join(workdir, "opendmarc")
    os.makedirs(root, exist_ok=True)
    hosts = _write(os.path.join(root, "ignore-hosts"), UNUSED_HOST + "\n")
    resolv = _write(os.path.join(root, "resolv.conf"),
                    f"nameserver {bench_env.PEER_DNS_ADDRESS}\noptions attempts:1 timeout:2\n")
    config = _write(os.path.join(root, "opendmarc.conf"), f"""Socket inet:{port}@127.0.0.1
PidFile {root}/opendmarc.pid
AuthservID {authserv_id}
TrustedAuthservIDs {authserv_id}
IgnoreHosts {hosts}
IgnoreAuthenticatedClients false
SPFSelfValidate true
RejectFailures false
FailureReports false
PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat
Syslog false
Background false
""")
    script = (f"mount --bind {resolv} /etc/resolv.conf && "
              f"exec {OPENDMARC} -f -c {config}")
    return PeerMilter("opendmarc", root, ["unshare", "-m", "sh", "-c", script], port)


def rspamd(workdir, port, dns_port, authserv_id):
    root = os.path.join(workdir, "rspamd")
    os.makedirs(os.path.join(root, "db"), exist_ok=True)
    # rspamd drops to _rspamd when started as root; its directories must be its own.
    shutil.chown(root, "_rspamd", "_rspamd")
    shutil.chown(os.path.join(root, "db"), "_rspamd", "_rspamd")
    config = _write(os.path.join(root, "rspamd.conf"), f"""# Written by peer_milters.py
.include "$CONFDIR/metrics.conf"
.include "$CONFDIR/actions.conf"
.include "$CONFDIR/groups.conf"
options {{
  pidfile = "{root}/rspamd.pid";
  filters = "dkim";
  dns {{ nameserver = ["127.0.0.1:{dns_port}"]; timeout = 2s; retransmits = 2; }}
  local_addrs = [];
  hs_cache_dir = "{root}/db/";
  cache_file = "{root}/db/symbols.cache";
  control_socket = "{root}/db/rspamd.sock mode=0600";
  task_timeout = 8s;
}}
logging {{ type = "file"; filename = "{root}/rspamd.log"; level = "error"; }}
modules {{ path = "${{PLUGINSDIR}}"; }}
dkim {{ check_local = true; check_authed = true; }}
spf {{ check_local = true; check_authed = true; }}
dmarc {{ check_local = true; check_authed = true; }}
arc {{ }}
milter_headers {{
  use = ["authentication-results"];
  skip_local = false;
  skip_authenticated = false;
  routines {{ authentication-results {{ header = "Authentication-Results"; remove = 0; }} }}
}}
worker "rspamd_proxy" {{
  bind_socket = "127.0.0.1:{port}";
  milter = yes;
  timeout = 120s;
  count = {os.cpu_count() or 1};  # self_scan: each proxy scans; one per core is its best
  upstream "local" {{ default = yes; self_scan = yes; }}
}}
""")
    argv = [RSPAMD, "-f", "-c", config, "-u", "_rspamd", "-g", "_rspamd"]
    return PeerMilter("rspamd", root, argv, port)
