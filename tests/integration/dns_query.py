"""dns_query - a minimal stub DNS client (UDP, one question) for the integration harness.

Purpose: let the harness check that the test unbound is up and serves what a test configured,
without any package beyond the Python standard library (RFC 1035 wire format, section 4).

Contract: query(server_port, name, rrtype, timeout) sends one query with RD set to
127.0.0.1:server_port and returns a Reply (rcode, answers as (type, text) pairs), or raises
socket.timeout when no reply arrives in time. Replies are parsed defensively: every length is
checked against the packet, compression pointers are bounded, and a malformed reply raises
ValueError (never an endless loop or a silent empty answer).
"""

import dataclasses
import random
import socket
import struct

TYPE_A = 1
TYPE_MX = 15
TYPE_TXT = 16
TYPE_CODES = {"A": TYPE_A, "MX": TYPE_MX, "TXT": TYPE_TXT}

RCODE_NOERROR = 0
RCODE_SERVFAIL = 2
RCODE_NXDOMAIN = 3
RCODE_REFUSED = 5

MAX_LABEL = 63  # RFC 1035 section 2.3.4
MAX_NAME = 255  # RFC 1035 section 2.3.4
MAX_UDP_REPLY = 65535
MAX_POINTER_HOPS = 32  # bound on compression pointers followed while skipping one name


@dataclasses.dataclass
class Reply:
    rcode: int
    answers: list  # of (rrtype:int, text:str)

    def texts(self, rrtype):
        return [text for kind, text in self.answers if kind == rrtype]


def encode_name(name):
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not raw or len(raw) > MAX_LABEL:
            raise ValueError(f"bad label in {name!r}")
        out += bytes([len(raw)]) + raw
    out += b"\0"
    if len(out) > MAX_NAME:
        raise ValueError(f"name too long: {name!r}")
    return bytes(out)


def skip_name(packet, offset):
    """Returns the offset just past the (possibly compressed) name starting at offset."""
    hops = 0
    end = None
    while True:
        if offset >= len(packet):
            raise ValueError("name runs past the packet")
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(packet):
                raise ValueError("truncated compression pointer")
            hops += 1
            if hops > MAX_POINTER_HOPS:
                raise ValueError("compression pointer loop")
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | packet[offset + 1]
            continue
        if length == 0:
            return end if end is not None else offset + 1
        offset += 1 + length


def decode_rdata(rrtype, packet, offset, length):
    rdata = packet[offset : offset + length]
    if rrtype == TYPE_A and length == 4:
        return socket.inet_ntoa(rdata)
    if rrtype == TYPE_TXT:
        parts, pos = [], 0
        while pos < length:
            size = rdata[pos]
            if pos + 1 + size > length:
                raise ValueError("TXT character-string runs past its RR")
            parts.append(rdata[pos + 1 : pos + 1 + size].decode("latin-1"))
            pos += 1 + size
        return "".join(parts)
    return rdata.hex()


def parse_reply(packet, query_id):
    if len(packet) < 12:
        raise ValueError("reply shorter than a DNS header")
    ident, flags, qdcount, ancount, _, _ = struct.unpack("!6H", packet[:12])
    if ident != query_id:
        raise ValueError("reply id does not match the query")
    offset = 12
    for _ in range(qdcount):
        offset = skip_name(packet, offset) + 4
    answers = []
    for _ in range(ancount):
        offset = skip_name(packet, offset)
        if offset + 10 > len(packet):
            raise ValueError("truncated resource record")
        rrtype, _, _, rdlength = struct.unpack("!HHIH", packet[offset : offset + 10])
        offset += 10
        if offset + rdlength > len(packet):
            raise ValueError("RDATA runs past the packet")
        answers.append((rrtype, decode_rdata(rrtype, packet, offset, rdlength)))
        offset += rdlength
    return Reply(rcode=flags & 0x000F, answers=answers)


def query(port, name, rrtype="TXT", timeout=2.0, host="127.0.0.1"):
    query_id = random.randrange(0, 0x10000)
    header = struct.pack("!6H", query_id, 0x0100, 1, 0, 0, 0)
    question = encode_name(name) + struct.pack("!HH", TYPE_CODES[rrtype], 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(header + question, (host, port))
        packet, _ = sock.recvfrom(MAX_UDP_REPLY)
    return parse_reply(packet, query_id)
