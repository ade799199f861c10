"""faults - what the chaos schedule does to the servers around a running authmilter.

Each injector is a function(run) that breaks something, waits, repairs it, and returns an Event
with the wall-clock window [start, end] in which the fault was in effect (end includes the time
the repair took) and a one-line note. `allows` names the answers the fault may cause for the
regular mail sent during its window (chaos.py judges every message against it):
  tempfail     a 4xx for the message (milter_default_action = tempfail while authmilter is down,
               451 4.3.2 over limits.max_connections, 451 4.3.0 when the store cannot record)
  temperror    temperror results instead of the healthy ones (a DNS outage; dmarc.temperror and
               spf.temperror are `accept`, so such mail is accepted, with no report row)
`others` is False for faults that only concern their own message (a stalled client, hostile
mail): they do not widen what other messages may get, nor cut the latency figure.
`settle` is how long after `end` the fault may still show (3 s; longer for DNS, see below).
"""

import dataclasses
import json
import os
import signal
import smtplib
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGRATION = os.path.abspath(os.path.join(HERE, "..", "..", "integration"))


@dataclasses.dataclass
class Event:
    kind: str
    start: float
    end: float
    allows: tuple = ()
    others: bool = True
    note: str = ""
    settle: float = 3.0
    ok: bool = True
    rss_kib: int = 0
    fds: int = 0


def sighup(run):
    """A changed configuration (the quarantine marker header's value), then SIGHUP."""
    start = time.time()
    run.config_generation += 1
    run.write_config()
    offset = run.milter_log_size()
    os.kill(run.milter.pid(), signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "configuration reloaded" in run.milter_log_since(offset):
            break
        time.sleep(0.05)
    else:
        return Event("sighup", start, time.time(), note="no 'configuration reloaded' line",
                     ok=False)
    return Event("sighup", start, time.time(), note=f"marker v{run.config_generation}")


# After unbound is back, a name that failed meanwhile may still fail for: libunbound's failure
# cache (5 s per name, RFC 9520 section 3.2's "at least 1 s" as unbound does it), plus how long
# it remembers the server as slow or down (dns::kUpstreamStateSeconds, 5 s), plus one query
# timeout (milter_process.DNS_TIMEOUT_MS, 2 s) for a query sent just before the restart.
DNS_RECOVERY = 5.0 + 5.0 + 2.0


def dns_outage(run, seconds=20.0):
    start = time.time()
    run.dns.stop()
    time.sleep(seconds)
    run.dns.start()
    return Event("dns-down", start, time.time(), allows=("temperror",), settle=DNS_RECOVERY,
                 note=f"unbound stopped {seconds:.0f} s")


def postgres_restart(run, seconds=5.0):
    start = time.time()
    run.postgres.stop()
    time.sleep(seconds)
    run.postgres.restart()
    return Event("pg-restart", start, time.time(), allows=("tempfail",),
                 note=f"PostgreSQL down {time.time() - start:.1f} s")


def disk_full(run, seconds=10.0):
    """Fills the store's tmpfs to the last byte, holds it full, frees it."""
    start = time.time()
    filler = os.path.join(run.store_disk, "filler")
    written = 0
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 4096, 1):  # unbuffered: nothing is left to fail at close
            block = b"\0" * size
            try:
                while True:
                    written += os.write(fd, block)
            except OSError:
                pass
    finally:
        os.close(fd)
    time.sleep(seconds)
    os.unlink(filler)
    return Event("disk-full", start, time.time(), allows=("tempfail",),
                 note=f"store file system full {seconds:.0f} s ({written >> 20} MiB filler)")


def kill9(run):
    start = time.time()
    pid = run.milter.pid()
    os.kill(pid, signal.SIGKILL)
    run.milter.forget_killed()
    run.start_milter()
    return Event("kill-9", start, time.time(), allows=("tempfail",),
                 note=f"pid {pid} killed, back in {time.time() - start:.2f} s")


BURST_CODE = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import milter_wire
from milter_process import MilterSocket
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
sock, count, hold = MilterSocket.unix(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
conns, counts = [], {"continue": 0, "refused": 0, "error": 0}
errors = []
for i in range(count):
    try:
        conn = milter_wire.MilterConnection(sock, timeout=10)
        reply = conn.connect()
        conns.append(conn)
        if reply is None or reply.code == b"c":
            counts["continue"] += 1
        else:
            counts["refused"] += 1
    except Exception as error:
        counts["error"] += 1
        if len(errors) < 3:
            errors.append(repr(error))
time.sleep(hold)
for conn in conns:
    conn.close()
counts["errors"] = errors
print(json.dumps(counts))
"""


def burst(run, count=1000, hold=5.0):
    """count milter connections straight to the daemon's socket (OPTNEG + CONNECT each), held,
    then closed, while the regular mail goes on."""
    start = time.time()
    done = subprocess.run(["/usr/bin/python3", "-c", BURST_CODE, INTEGRATION,
                           run.milter.socket.path, str(count), str(hold)],
                          capture_output=True, text=True, timeout=300, check=False)
    end = time.time()
    try:
        counts = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Event("burst", start, end, allows=("tempfail",), ok=False,
                     note=f"burst client failed: {done.stderr[-300:]}")
    note = (f"{count} connections: {counts['continue']} served, {counts['refused']} refused "
            f"(451 4.3.2), {counts['error']} failed {counts['errors'][:1]}")
    # With room for count connections, none may fail; the Postfix sessions beside it may get
    # the 451 at connect (allowed).
    ok = counts["error"] == 0 and counts["continue"] + counts["refused"] == count
    return Event("burst", start, end, allows=("tempfail",), ok=ok, note=note)


def big_message(run):
    start = time.time()
    record = run.send(run.corpus.kinds["big"], phase="fault")
    return Event("big-100MiB", start, time.time(), note=f"{record.outcome} in "
                 f"{record.t1 - record.t0:.1f} s", others=True)


def hostile(run):
    start = time.time()
    outcomes = []
    for kind in run.corpus.hostile():
        record = run.send(kind, phase="fault")
        outcomes.append(f"{kind.name}={record.code}")
    return Event("hostile", start, time.time(), others=False, note=" ".join(outcomes))


def stall(run, seconds=30.0, drop=False):
    """An SMTP client that sends half of its message and then goes quiet for `seconds` (its
    smtpd, cleanup and milter connection stay open), then finishes (or drops the connection)."""
    kind = run.corpus.kinds["stall-drop" if drop else "stall"]
    start = time.time()

    def client():
        record = run.new_record(kind, "fault")
        try:
            smtp = smtplib.SMTP("127.0.0.1", run.port, timeout=seconds + 60)
            smtp.ehlo("client.test")
            smtp.docmd("MAIL", f"FROM:<{kind.mail_from}>")
            smtp.docmd("RCPT", f"TO:<{kind.rcpts[0]}>")
            smtp.docmd("DATA")
            data = kind.message
            half = data.index(b"\r\n\r\n") + 4 + 10
            smtp.send(data[:half])
            time.sleep(seconds)
            if drop:
                smtp.sock.close()
                run.finish(record, 0, "dropped by the client", None)
                return
            smtp.send(data[half:] + b".\r\n")
            code, text = smtp.getreply()
            text = text.decode(errors="replace")
            queue_id = None
            if code == 250 and "queued as " in text:
                queue_id = text.split("queued as ", 1)[1].split()[0]
            run.finish(record, code, text, queue_id)
            smtp.quit()
        except Exception as error:  # recorded, judged with the rest
            run.finish(record, 0, f"client error {error!r}", None)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    run.side_threads.append(thread)
    return Event("stall-drop" if drop else "stall", start, start + seconds, others=False,
                 note=f"{seconds:.0f} s mid-message" + (", then dropped" if drop else ""))
