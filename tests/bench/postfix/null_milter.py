"""null_milter - the libmilter floor (tests/bench/null_milter) as a benchmark server.

Contract: NullMilter(build_dir, workdir, socket).start() ... stop(); `pid` for CPU accounting,
`socket` a MilterSocket (both spellings). available(build_dir) says whether it was built
(-DAUTHMILTER_BENCHMARKS=ON).
"""

import os

from processes import Daemon, wait_until

START_TIMEOUT = 15.0


def binary(build_dir):
    return os.path.join(build_dir, "tests", "bench", "null_milter", "null_milter")


def available(build_dir):
    return os.access(binary(build_dir), os.X_OK)


class NullMilter:
    def __init__(self, build_dir, workdir, sock):
        self.build_dir, self.socket = build_dir, sock
        self.log_path = os.path.join(workdir, "null_milter.log")
        self._daemon = None

    @property
    def pid(self):
        return self._daemon.process.pid

    def start(self):
        if self.socket.path:
            os.makedirs(os.path.dirname(self.socket.path), exist_ok=True)
        self._daemon = Daemon([binary(self.build_dir), self.socket.milter], self.log_path,
                              "null_milter")
        wait_until(self._ready, START_TIMEOUT, f"null_milter on {self.socket.milter}")
        return self

    def _ready(self):
        self._daemon.check_running()
        return self.socket.accepts()

    def stop(self):
        if self._daemon is not None:
            self._daemon.stop()
            self._daemon = None
