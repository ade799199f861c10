"""fault_dns - an authoritative DNS server on loopback that misbehaves on purpose.

Purpose: the DNS fault tests (issue 8) need the real chain an operator has - authmilter's
libunbound asks the test unbound, which asks an authoritative server - with that server timing
out, failing, truncating, or sending oversized and malformed answers. This is that server: UDP and
TCP on 127.0.0.1, RFC 1035 wire format written by hand (standard library only).

Contract:
  FaultDns(zones).start() ... stop()    serves every name below the given zones (each one becomes
      a stub-zone of the test unbound, see DnsServer(stub_zones=...)); port is its UDP/TCP port.
  behave(name, behaviour)               how TXT queries for exactly `name` are answered from now
      on (a cname behaviour: queries of every type); the behaviours are the module functions
      below (txt, silent, rcode, truncated, oversized_strings, many_records, malformed, cname).
  queries(name)                         [(qtype, transport)] received for name, to assert e.g.
      that a truncated UDP answer really was retried over TCP.
  Names without a behaviour: the zone apex answers SOA/NS, an ancestor of a configured name is
  NODATA (empty non-terminal; qname minimisation asks those), anything else NXDOMAIN; names
  outside the zones are REFUSED. Every answer has AA set (the test unbound treats us as the
  authority of a stub zone). Queries are parsed defensively: a bad one is dropped.
"""

import dataclasses
import socket
import struct
import threading

from processes import free_port

TYPE_A, TYPE_NS, TYPE_CNAME, TYPE_SOA, TYPE_TXT, TYPE_OPT = 1, 2, 5, 6, 16, 41
CLASS_IN = 1
RCODE_SERVFAIL, RCODE_NXDOMAIN, RCODE_REFUSED = 2, 3, 5
FLAG_QR, FLAG_AA, FLAG_TC, FLAG_RD = 0x8000, 0x0400, 0x0200, 0x0100
CLASSIC_UDP_LIMIT = 512  # RFC 1035 section 4.2.1, without EDNS
MAX_UDP_PAYLOAD = 4096  # cap on the EDNS size a client may ask for (RFC 6891 section 6.2.5)
MAX_QUERY_BYTES = 512  # a query with one question and one OPT record is far shorter
MAX_LABEL, MAX_NAME = 63, 255  # RFC 1035 section 2.3.4
MAX_TXT_STRING = 255  # one character-string (RFC 1035 section 3.3.14)
MAX_LOGGED_QUERIES = 10000
TTL = 0  # nothing is worth caching between tests: every test uses fresh names
TCP_IDLE_SECONDS = 10.0
POLL_SECONDS = 0.2


@dataclasses.dataclass(frozen=True)
class Behaviour:
    kind: str
    records: tuple = ()  # TXT records, each a tuple of character-strings (bytes)
    rcode: int = 0
    tcp: str = "answer"  # for kind "truncated": "answer" or "close"
    target: str = ""  # for kind "cname"


def _strings(record):
    raw = record.encode("latin-1") if isinstance(record, str) else bytes(record)
    return tuple(raw[i : i + MAX_TXT_STRING] for i in range(0, len(raw), MAX_TXT_STRING)) or (b"",)


def txt(*records):
    """A normal answer: one TXT RR per record, split into 255-octet character-strings."""
    return Behaviour("answer", records=tuple(_strings(r) for r in records))


def silent():
    """No reply at all, over UDP or TCP: the resolver times out."""
    return Behaviour("silent")


def rcode(code):
    """An empty reply with the given RCODE (SERVFAIL, REFUSED, ...)."""
    return Behaviour("rcode", rcode=code)


def truncated(record, tcp="answer"):
    """TC over UDP whatever the size; over TCP the record ("answer") or a closed connection."""
    return Behaviour("truncated", records=(_strings(record),), tcp=tcp)


def oversized_strings(prefix, count=200):
    """One TXT RR of `count` full 255-octet strings, the first starting with prefix."""
    text = prefix.encode("latin-1") + b"x" * (count * MAX_TXT_STRING - len(prefix))
    return Behaviour("answer", records=(_strings(text),))


def many_records(record, count=100):
    """`count` TXT RRs: the record, then filler ("filler 1", ...) that is no SPF/DKIM/DMARC."""
    texts = [record] + [f"filler {i}" for i in range(1, count)]
    return Behaviour("answer", records=tuple(_strings(text) for text in texts))


def malformed(kind, record):
    """The record, answered with a flaw: bad_txt_length (a string length byte past RDLENGTH),
    bad_pointer (compression pointer past the message), wrong_id, wrong_question (another QNAME
    echoed), wrong_owner (the TXT RR is for another name)."""
    if kind not in ("bad_txt_length", "bad_pointer", "wrong_id", "wrong_question", "wrong_owner"):
        raise ValueError(f"unknown malformation {kind}")
    return Behaviour(kind, records=(_strings(record),))


def cname(target):
    return Behaviour("cname", target=target.rstrip(".").lower())


def encode_name(name):
    out = bytearray()
    for label in [part for part in name.rstrip(".").split(".") if part]:
        raw = label.encode("ascii")
        if len(raw) > MAX_LABEL:
            raise ValueError(f"label too long in {name!r}")
        out += bytes([len(raw)]) + raw
    out += b"\0"
    if len(out) > MAX_NAME:
        raise ValueError(f"name too long: {name!r}")
    return bytes(out)


@dataclasses.dataclass
class Query:
    ident: int
    flags: int
    name: str  # lower-case, no trailing dot
    raw_name: bytes  # as received, echoed in the question section
    qtype: int
    edns_size: int  # 0 without an OPT record


def parse_query(packet):
    """The one question of a query, or None if the packet is not a plain query."""
    if len(packet) < 12 or len(packet) > MAX_QUERY_BYTES:
        return None
    ident, flags, qdcount, _, _, arcount = struct.unpack("!6H", packet[:12])
    if flags & FLAG_QR or qdcount != 1:
        return None
    offset, labels = 12, []
    while True:  # queries are never compressed; a pointer or overrun makes it unparseable
        if offset >= len(packet) or packet[offset] > MAX_LABEL:
            return None
        length = packet[offset]
        if length == 0:
            break
        labels.append(packet[offset + 1 : offset + 1 + length].decode("latin-1"))
        offset += 1 + length
    raw_name = packet[12 : offset + 1]
    if offset + 5 > len(packet) or len(raw_name) > MAX_NAME:
        return None
    qtype, _ = struct.unpack("!HH", packet[offset + 1 : offset + 5])
    offset += 5
    edns_size = 0
    if arcount >= 1 and offset + 11 <= len(packet) and packet[offset] == 0:
        rrtype, size = struct.unpack("!HH", packet[offset + 1 : offset + 5])
        if rrtype == TYPE_OPT:
            edns_size = max(CLASSIC_UDP_LIMIT, min(size, MAX_UDP_PAYLOAD))
    name = ".".join(labels).lower()
    return Query(ident, flags, name, raw_name, qtype, edns_size)


def rr(owner, rrtype, rdata):
    return owner + struct.pack("!HHIH", rrtype, CLASS_IN, TTL, len(rdata)) + rdata


def txt_rdata(strings):
    return b"".join(bytes([len(s)]) + s for s in strings)


def opt_rr():
    return b"\0" + struct.pack("!HHIH", TYPE_OPT, MAX_UDP_PAYLOAD, 0, 0)


class Reply:
    """A response under construction: header fields, question, and three RR sections."""

    def __init__(self, query, rcode_value=0):
        self.query = query
        self.ident = query.ident
        self.rcode = rcode_value
        self.flags = FLAG_QR | FLAG_AA | (query.flags & FLAG_RD)
        self.question_name = query.raw_name
        self.answers, self.authority = [], []

    def encode(self, truncate=False):
        flags = self.flags | self.rcode | (FLAG_TC if truncate else 0)
        answers = [] if truncate else self.answers
        authority = [] if truncate else self.authority
        additional = [opt_rr()] if self.query.edns_size else []
        header = struct.pack(
            "!6H", self.ident, flags, 1, len(answers), len(authority), len(additional)
        )
        question = self.question_name + struct.pack("!HH", self.query.qtype, CLASS_IN)
        return header + question + b"".join(answers + authority + additional)


class FaultDns:
    def __init__(self, zones):
        self.zones = [zone.rstrip(".").lower() for zone in zones]
        self.port = free_port()
        self._behaviours = {}
        self._log = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = []
        self._udp = self._tcp = None

    # --- configuration, called by tests -------------------------------------------------------
    def behave(self, name, behaviour):
        name = name.rstrip(".").lower()
        if self._zone_of(name) is None:
            raise ValueError(f"{name} is outside the fault zones {self.zones}")
        with self._lock:
            self._behaviours[name] = behaviour

    def queries(self, name):
        name = name.rstrip(".").lower()
        with self._lock:
            return [(qtype, transport) for logged, qtype, transport in self._log if logged == name]

    # --- lifetime -------------------------------------------------------------------------------
    def start(self):
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._udp.settimeout(POLL_SECONDS)
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._tcp.bind(("127.0.0.1", self.port))
        self._tcp.listen(16)
        self._tcp.settimeout(POLL_SECONDS)
        for target in (self._serve_udp, self._serve_tcp):
            thread = threading.Thread(target=target, daemon=True, name=f"fault-dns-{self.port}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self):
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5.0)
        for sock in (self._udp, self._tcp):
            if sock is not None:
                sock.close()
        return 0

    def _serve_udp(self):
        while not self._stopping.is_set():
            try:
                packet, peer = self._udp.recvfrom(MAX_QUERY_BYTES + 1)
            except socket.timeout:
                continue
            except OSError:
                return
            reply = self.respond(packet, "udp")
            if reply is not None:
                self._udp.sendto(reply, peer)

    def _serve_tcp(self):
        while not self._stopping.is_set():
            try:
                conn, _ = self._tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve_connection, args=(conn,), daemon=True)
            thread.start()

    def _serve_connection(self, conn):
        # RFC 7766: several length-prefixed queries may come on one connection.
        with conn:
            conn.settimeout(TCP_IDLE_SECONDS)
            try:
                while not self._stopping.is_set():
                    size = _read_exactly(conn, 2)
                    if size is None:
                        return
                    packet = _read_exactly(conn, struct.unpack("!H", size)[0])
                    if packet is None:
                        return
                    reply = self.respond(packet, "tcp")
                    if reply == b"":
                        return  # close the connection unanswered
                    if reply is not None:
                        conn.sendall(struct.pack("!H", len(reply)) + reply)
            except OSError:
                return

    # --- answering ------------------------------------------------------------------------------
    def respond(self, packet, transport):
        """The reply bytes; None for no reply; b"" (TCP) to close the connection."""
        query = parse_query(packet)
        if query is None:
            return None
        with self._lock:
            if len(self._log) < MAX_LOGGED_QUERIES:
                self._log.append((query.name, query.qtype, transport))
            behaviour = self._behaviours.get(query.name)
        zone = self._zone_of(query.name)
        if zone is None:
            return Reply(query, RCODE_REFUSED).encode()
        # A fault hits the TXT query the checks make (and a CNAME every type); other types asked
        # of the name, e.g. by qname minimisation (RFC 9156), get the ordinary answer.
        if behaviour is None or (behaviour.kind != "cname" and query.qtype != TYPE_TXT):
            return self._fit(self._default_reply(query, zone), transport)
        return self._faulty_reply(query, zone, behaviour, transport)

    def _faulty_reply(self, query, zone, behaviour, transport):
        kind = behaviour.kind
        if kind == "silent":
            return None
        if kind == "rcode":
            return Reply(query, behaviour.rcode).encode()
        if kind == "truncated":
            if transport == "udp":
                return Reply(query).encode(truncate=True)
            if behaviour.tcp == "close":
                return b""
        if kind == "cname":
            reply = Reply(query)
            reply.answers.append(rr(query.raw_name, TYPE_CNAME, encode_name(behaviour.target)))
            return self._fit(reply, transport)
        reply = Reply(query)
        reply.answers = [rr(query.raw_name, TYPE_TXT, txt_rdata(r)) for r in behaviour.records]
        return self._malform(reply, behaviour, zone, transport)

    def _malform(self, reply, behaviour, zone, transport):
        kind, records = behaviour.kind, behaviour.records
        if kind == "wrong_id":
            reply.ident ^= 0x5A5A
        elif kind == "wrong_question":
            reply.question_name = encode_name(f"elsewhere.{zone}")
        elif kind == "wrong_owner" and reply.answers:
            owner = encode_name(f"elsewhere.{zone}")
            reply.answers = [rr(owner, TYPE_TXT, txt_rdata(r)) for r in records]
        elif kind == "bad_txt_length" and reply.answers:
            # After the record's strings, a length byte claims 40 octets; RDLENGTH ends there.
            rdata = txt_rdata(records[0]) + bytes([40])
            reply.answers = [rr(reply.query.raw_name, TYPE_TXT, rdata)]
        elif kind == "bad_pointer" and reply.answers:
            # The owner name is a compression pointer to offset 0x3fff, past the message's end.
            reply.answers = [rr(b"\xff\xff", TYPE_TXT, txt_rdata(r)) for r in records]
        return self._fit(reply, transport)

    def _default_reply(self, query, zone):
        reply = Reply(query)
        if query.name == zone and query.qtype in (TYPE_SOA, TYPE_NS):
            if query.qtype == TYPE_SOA:
                reply.answers.append(self._soa(zone))
            else:
                reply.answers.append(rr(encode_name(zone), TYPE_NS, encode_name(f"ns.{zone}")))
            return reply
        with self._lock:
            names = list(self._behaviours)
        suffix = "." + query.name
        if query.name != zone and not any(name.endswith(suffix) for name in names):
            reply.rcode = RCODE_NXDOMAIN
        reply.authority.append(self._soa(zone))
        return reply

    def _fit(self, reply, transport):
        encoded = reply.encode()
        limit = reply.query.edns_size or CLASSIC_UDP_LIMIT
        if transport == "udp" and len(encoded) > limit:
            return reply.encode(truncate=True)  # RFC 1035 section 4.2.1: retry over TCP
        return encoded

    def _soa(self, zone):
        rdata = encode_name(f"ns.{zone}") + encode_name(f"hostmaster.{zone}")
        rdata += struct.pack("!5I", 1, 3600, 600, 86400, TTL)
        return rr(encode_name(zone), TYPE_SOA, rdata)

    def _zone_of(self, name):
        """The longest configured zone containing name, or None."""
        best = None
        for zone in self.zones:
            if name == zone or name.endswith("." + zone):
                if best is None or len(zone) > len(best):
                    best = zone
        return best

    def log_text(self):
        with self._lock:
            return "\n".join(f"{name} {qtype} {transport}" for name, qtype, transport in self._log)


def _read_exactly(conn, count):
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data
