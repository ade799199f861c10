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
Contract: available() says whether both binaries exist; PeerMilter(...).start() ... stop();
pid is the daemon's pid for CPU accounting.
"""

import os
import shutil

import bench_env
from processes import Daemon, tcp_accepts, wait_until

OPENDKIM = "/usr/sbin/opendkim"
OPENDMARC = "/usr/sbin/opendmarc"
START_TIMEOUT = 15.0
UNUSED_HOST = "192.0.2.254"  # RFC 5737 TEST-NET-1: no bench client uses it


def available():
    return all(os.access(path, os.X_OK) for path in (OPENDKIM, OPENDMARC)) and bool(
        shutil.which("unshare")
    )


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
