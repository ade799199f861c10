"""milter_wire - a tiny MTA side of the Sendmail milter protocol (version 6), Python stdlib only.

Purpose: drive the authmilter daemon directly, without Postfix, where Postfix is in the way: many
concurrent connections (limits.max_connections) and messages larger than a test Postfix queue
should hold (memory must stay flat while 100 MB stream through).

Wire format (libmilter's mfdef.h): every packet is a 4-byte big-endian length (command byte
included), one command byte, then its data; strings are NUL-terminated.

Contract:
  MilterConnection(socket_spec) connects (MilterSocket: unix path or TCP port) and sends OPTNEG
      offering every step Postfix offers; negotiated_steps is what the milter chose. Each stage
      method sends its packet and returns the reply (Reply(code, data)), or None when the
      negotiated SMFIP_NR_* bit for that stage says the milter sends none.
  connect(), helo(), mail(), rcpt(), header(), end_of_headers(), body(), end_of_message()
      end_of_message() returns (final Reply, [modification Reply...]).
  close() sends QUIT and closes. Use as a context manager.
  Every read has a timeout (TIMEOUT); the milter closing early or an oversized packet raises
  WireError, a reset connection OSError.
"""

import dataclasses
import socket
import struct

TIMEOUT = 30.0
MAX_PACKET = 64 * 1024 * 1024  # what we accept from the milter (it sends small replies)
VERSION = 6

# Actions (SMFIF_*) and protocol steps (SMFIP_*), from libmilter's mfapi.h/mfdef.h.
SMFIF_ADDHDRS, SMFIF_CHGHDRS, SMFIF_QUARANTINE = 0x01, 0x10, 0x20
SMFIP_NR_HDR, SMFIP_NOUNKNOWN, SMFIP_NODATA = 0x80, 0x100, 0x200
SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL, SMFIP_NR_RCPT = 0x1000, 0x2000, 0x4000, 0x8000
SMFIP_NR_DATA, SMFIP_NR_EOH, SMFIP_NR_BODY = 0x10000, 0x40000, 0x80000
SMFIP_HDR_LEADSPC = 0x100000
OFFERED_ACTIONS = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE
OFFERED_STEPS = (
    SMFIP_NR_HDR | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_CONN | SMFIP_NR_HELO
    | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_EOH | SMFIP_NR_BODY
    | SMFIP_HDR_LEADSPC
)
# Replies that end a stage; everything else at end of message is a modification.
FINAL_REPLIES = {b"c", b"a", b"r", b"t", b"y", b"d"}


class WireError(Exception):
    pass


@dataclasses.dataclass
class Reply:
    code: bytes  # one byte: b"c" continue, b"a" accept, b"y" reply code, b"i" insert header...
    data: bytes

    def text(self):
        return self.data.rstrip(b"\0").decode("utf-8", "replace")

    def header(self):
        """(name, value) of an SMFIR_INSHEADER (index first) or SMFIR_ADDHEADER packet."""
        data = self.data[4:] if self.code in (b"i", b"m") else self.data
        name, value = data.split(b"\0")[:2]
        return name.decode(), value.decode("utf-8", "replace")


def _strings(*values):
    return b"".join(value.encode() + b"\0" for value in values)


class MilterConnection:
    def __init__(self, sock_spec, timeout=TIMEOUT, offered_actions=OFFERED_ACTIONS):
        if sock_spec.path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address = sock_spec.path
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            address = ("127.0.0.1", sock_spec.port)
        self.sock.settimeout(timeout)
        self.sock.connect(address)
        self.send(b"O", struct.pack(">III", VERSION, offered_actions, OFFERED_STEPS))
        reply = self.read()
        if reply.code != b"O" or len(reply.data) < 12:
            raise WireError(f"bad OPTNEG reply {reply}")
        _, self.actions, self.negotiated_steps = struct.unpack(">III", reply.data[:12])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, command, data=b""):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + command + data)

    def _read_exactly(self, size):
        chunks, left = [], size
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise WireError("connection closed by the milter")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def read(self):
        (length,) = struct.unpack(">I", self._read_exactly(4))
        if length < 1 or length > MAX_PACKET:
            raise WireError(f"unreasonable packet length {length}")
        packet = self._read_exactly(length)
        return Reply(packet[:1], packet[1:])

    def _stage(self, command, data, no_reply_step):
        self.send(command, data)
        if self.negotiated_steps & no_reply_step:
            return None
        return self.read()

    def macros(self, stage, **values):
        """SMFIC_MACRO for the next command (stage: b"C", b"M", b"R", b"E"...)."""
        self.send(b"D", stage + b"".join(_strings(k, v) for k, v in values.items()))

    def connect(self, host="client.test", address="127.0.0.1", port=12345):
        self.macros(b"C", j="mx.test", _="client.test [127.0.0.1]")
        data = _strings(host) + b"4" + struct.pack(">H", port) + _strings(address)
        return self._stage(b"C", data, SMFIP_NR_CONN)

    def helo(self, name="client.test"):
        return self._stage(b"H", _strings(name), SMFIP_NR_HELO)

    def mail(self, sender):
        self.macros(b"M", i="WIRETEST")
        return self._stage(b"M", _strings(f"<{sender}>"), SMFIP_NR_MAIL)

    def rcpt(self, recipient):
        return self._stage(b"R", _strings(f"<{recipient}>"), SMFIP_NR_RCPT)

    def data(self):
        if self.negotiated_steps & SMFIP_NODATA:
            return None
        return self._stage(b"T", b"", SMFIP_NR_DATA)

    def header(self, name, value):
        if self.negotiated_steps & SMFIP_HDR_LEADSPC:
            value = " " + value
        return self._stage(b"L", _strings(name, value), SMFIP_NR_HDR)

    def end_of_headers(self):
        return self._stage(b"N", b"", SMFIP_NR_EOH)

    def body(self, chunk):
        return self._stage(b"B", chunk, SMFIP_NR_BODY)

    def end_of_message(self):
        self.macros(b"E", i="WIRETEST")
        self.send(b"E")
        modifications = []
        while True:
            reply = self.read()
            if reply.code in FINAL_REPLIES:
                return reply, modifications
            if reply.code != b"p":  # progress packets only extend the timeout
                modifications.append(reply)

    def close(self):
        try:
            self.send(b"Q")
        except OSError:
            pass
        self.sock.close()
