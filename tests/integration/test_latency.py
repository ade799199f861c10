"""An inet-socket milter must not add Nagle/delayed-ACK stalls (~40-200 ms) to every message.

Each milter packet is small; if either side writes a command in two segments without
TCP_NODELAY, the second waits for the peer's delayed ACK, and a message with a dozen milter
round trips gains ~40-90 ms or more. The same messages are sent in turn through a listener
without milter, through the inet-socket milter and through a unix-socket milter (no Nagle on
unix sockets: the reference for the milter's own work); the medians are printed and only a
loose bound is asserted (timing on shared CI machines is noisy).
"""

import statistics
import unittest

import harness

ENV = harness.Environment("latency")
ROUNDS = 7
MAX_EXTRA_MEDIAN_SECONDS = 0.060
# inet over unix socket: both milters do the same work, so the difference is transport stalls.
# One Nagle/delayed-ACK stall costs >= 40 ms (Linux TCP_DELACK_MIN); 25 ms keeps CI noise apart.
MAX_INET_OVER_UNIX_SECONDS = 0.025


def setUpModule():
    ENV.start(zones={"example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"']})


def median_ms(samples):
    return f"{statistics.median(samples) * 1000:.1f} ms {[round(t * 1000, 1) for t in samples]}"


class InetLatencyTest(harness.MilterTestCase):
    env = ENV
    socket_kind = "inet"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second daemon on the unix socket, for comparison.
        cls.unix_milter = ENV.milter("unix")
        cls.addClassCleanup(cls.unix_milter.stop)
        cls.addClassCleanup(harness.RUNNING.remove, cls.unix_milter)
        harness.RUNNING.append(cls.unix_milter)
        harness.LOGS["authmilter-unix"] = cls.unix_milter.log_path
        cls.addClassCleanup(harness.LOGS.pop, "authmilter-unix", None)
        cls.unix_milter.start()

    def timed_send(self, listener, index):
        message = harness.make_message(f"latency {listener} {index}", body="x" * 2000 + "\r\n")
        result = ENV.postfix.send("sender@example.org", harness.RECIPIENT, message,
                                  listener=listener)
        self.assertTrue(result.accepted, str(result))
        return result

    def test_milter_adds_little_latency(self):
        for listener in ("main", "nomilter", "unix"):  # warm-up: process start-up, caches
            self.timed_send(listener, -1)
        plain, milter, unix, last = [], [], [], None
        for index in range(ROUNDS):
            plain.append(self.timed_send("nomilter", index).elapsed)
            unix.append(self.timed_send("unix", index).elapsed)
            last = self.timed_send("main", index)
            milter.append(last.elapsed)
        # The milter really was in the path: its header is on the delivered message.
        delivered = ENV.postfix.wait_delivered(last.queue_id)
        self.assertEqual(len(harness.auth_results(delivered)), 1, delivered.decode())
        extra = statistics.median(milter) - statistics.median(plain)
        over_unix = statistics.median(milter) - statistics.median(unix)
        print(
            f"\nlatency: without milter {median_ms(plain)}\n"
            f"latency: unix-socket milter {median_ms(unix)}\n"
            f"latency: inet-socket milter {median_ms(milter)}\n"
            f"latency: inet milter extra (median) {extra * 1000:.1f} ms, over unix milter "
            f"{over_unix * 1000:.1f} ms"
        )
        self.assertLess(extra, MAX_EXTRA_MEDIAN_SECONDS, "inet milter adds too much latency")
        self.assertLess(
            over_unix,
            MAX_INET_OVER_UNIX_SECONDS,
            "inet socket slower than unix socket by a Nagle/delayed-ACK stall: "
            "the milter's socket needs TCP_NODELAY",
        )


if __name__ == "__main__":
    unittest.main()
