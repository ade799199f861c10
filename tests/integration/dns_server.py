"""dns_server - the test DNS: a real unbound daemon serving test zones as local data.

Purpose: authmilter resolves through libunbound; in the integration tests it asks this unbound on
127.0.0.1:port, which answers from the zones a test gives it and never touches the internet.

Contract:
  DnsServer(workdir, zones, silent_zones).start() ... stop()
    zones         {"example.test": ['example.test. TXT "v=spf1 -all"', ...]}: each zone becomes a
                  `local-zone: static` (names without data are NXDOMAIN), each line a `local-data`
                  in zone-file syntax with absolute owner names.
    silent_zones  names whose queries go to a loopback UDP socket the harness holds and never
                  reads: resolution of anything below them times out (the temperror cases).
    stub_zones    {"fault.test": port}: each zone is a stub-zone whose authority is a server on
                  127.0.0.1@port (fault_dns.FaultDns), asked without recursion as an operator's
                  unbound asks a domain's name servers.
  Anything outside the given zones is answered from `local-zone: "." static`, i.e. NXDOMAIN:
  the test DNS has no path to the internet. start() waits until unbound answers; stop() ends it
  and checks it exited cleanly. port is the UDP/TCP port to put into resolver configurations.
"""

import os
import socket

import dns_query
from processes import Daemon, free_port, run_checked, wait_until

UNBOUND = "/usr/sbin/unbound"
UNBOUND_CHECKCONF = "/usr/sbin/unbound-checkconf"
START_TIMEOUT = 10.0


def check_record(line):
    # The record goes inside a single-quoted unbound string: forbid what would break out of it.
    if "'" in line or "\n" in line or "\r" in line:
        raise ValueError(f"record not expressible as unbound local-data: {line!r}")
    return line


def fqdn(name):
    return name if name.endswith(".") else name + "."


class DnsServer:
    def __init__(self, workdir, zones=None, silent_zones=(), stub_zones=None):
        self.workdir = os.path.join(workdir, "unbound")
        os.makedirs(self.workdir, exist_ok=True)
        self.zones = dict(zones or {})
        self.silent_zones = list(silent_zones)
        self.stub_zones = dict(stub_zones or {})
        self.port = free_port(socket.SOCK_DGRAM)
        self.conf_path = os.path.join(self.workdir, "unbound.conf")
        self.log_path = os.path.join(self.workdir, "unbound.log")
        self._silent_socket = None
        self._daemon = None

    def config_text(self, silent_port):
        lines = [
            "server:",
            f"    interface: 127.0.0.1@{self.port}",
            "    do-ip4: yes",
            "    do-ip6: no",
            # Its query source ports stay out of the range the harness listens in.
            "    outgoing-port-avoid: 20000-32767",
            '    username: ""',
            '    chroot: ""',
            f'    directory: "{self.workdir}"',
            f'    pidfile: "{self.workdir}/unbound.pid"',
            "    use-syslog: no",
            "    verbosity: 1",
            "    num-threads: 1",
            "    so-reuseport: no",
            "    access-control: 127.0.0.0/8 allow",
            # The silent forwarder is on loopback; unbound refuses that unless told.
            "    do-not-query-localhost: no",
            # No DNSSEC validation: test zones are unsigned and there is no trust anchor.
            '    module-config: "iterator"',
            # Give up on the silent forwarder quickly so a stuck query costs seconds, not minutes.
            "    infra-host-ttl: 60",
            '    local-zone: "." static',
        ]
        for zone, records in self.zones.items():
            lines.append(f'    local-zone: "{fqdn(zone)}" static')
            lines += [f"    local-data: '{check_record(r)}'" for r in records]
        for zone in [*self.silent_zones, *self.stub_zones]:
            # transparent: not answered locally, so the forward-/stub-zone below is consulted.
            lines.append(f'    local-zone: "{fqdn(zone)}" transparent')
        lines += ["remote-control:", "    control-enable: no"]
        for zone in self.silent_zones:
            lines += [
                "forward-zone:",
                f'    name: "{fqdn(zone)}"',
                f"    forward-addr: 127.0.0.1@{silent_port}",
            ]
        for zone, port in self.stub_zones.items():
            lines += ["stub-zone:", f'    name: "{fqdn(zone)}"', f"    stub-addr: 127.0.0.1@{port}"]
        return "\n".join(lines) + "\n"

    def start(self):
        # A UDP socket that is bound but never read: queries to it simply go unanswered.
        self._silent_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._silent_socket.bind(("127.0.0.1", 0))
        silent_port = self._silent_socket.getsockname()[1]
        with open(self.conf_path, "w") as handle:
            handle.write(self.config_text(silent_port))
        run_checked([UNBOUND_CHECKCONF, self.conf_path], "unbound-checkconf")
        self._daemon = Daemon([UNBOUND, "-d", "-c", self.conf_path], self.log_path, "unbound")
        wait_until(self._answers, START_TIMEOUT, f"unbound on 127.0.0.1:{self.port}")
        return self

    def _answers(self):
        self._daemon.check_running()
        try:
            reply = dns_query.query(self.port, "localhost.", "A", timeout=0.3)
        except (OSError, ValueError):
            return False
        return reply.rcode == dns_query.RCODE_NOERROR

    def query(self, name, rrtype="TXT", timeout=2.0):
        return dns_query.query(self.port, name, rrtype, timeout)

    def resolver_address(self):
        """The address in the form authmilter's dns.resolvers (libunbound) expects."""
        return f"127.0.0.1@{self.port}"

    def stop(self):
        status = None
        if self._daemon is not None:
            status = self._daemon.stop()
            self._daemon = None
        if self._silent_socket is not None:
            self._silent_socket.close()
            self._silent_socket = None
        return status

    def log_text(self):
        return self._daemon.log_text() if self._daemon else ""
