"""metrics_bench - mail throughput with and without a scraper hammering GET /metrics.

    python3 tests/bench/postfix/metrics_bench.py BUILD_DIR [--messages N] [--rounds R]
    (a build with -DAUTHMILTER_BENCHMARKS=ON; root is not needed)

One authmilter (unix socket, metrics.listen on a free loopback port) under milter_load at peak
(20 connections, 100 messages per connection, --expect dkim=pass), cycling R times through: no
scraper; a scraper fetching /metrics every 0.1 s (150 times Prometheus's default 15 s
interval); a scraper fetching it back to back. All figures come from the same run, so drift
affects each alike. Prints msgs/s and the milter's CPU per message (its utime+stime, which
includes the metrics thread's rendering) of every run, the medians, and the scrapes completed.
The flat-out scraper is a Python thread competing for the same 2 cores as the milter and the
driver: that row is the whole cost of being scraped without pause, not of the metrics.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import urllib.request

import bench_env
import driver_bench
from milter_process import Milter, MilterSocket
from processes import free_port


class Scraper:
    """Fetches http://127.0.0.1:PORT/metrics in a loop on a thread until stopped."""

    def __init__(self, port, interval=0.0):
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.interval = interval  # seconds between scrapes; 0 = back to back
        self.scrapes = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stopping.is_set():
            with urllib.request.urlopen(self.url, timeout=10) as response:
                if b"authmilter_messages_total" not in response.read():
                    raise RuntimeError("a scrape without authmilter_messages_total")
            self.scrapes += 1
            if self.interval:
                self.stopping.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    build_dir = os.path.abspath(options.build_dir)
    workdir = tempfile.mkdtemp(prefix="authmilter-metrics-bench-")
    os.chmod(workdir, 0o755)
    dns = milter = None
    scrapers = {"no scraper": None, "every 0.1 s": 0.1, "flat out": 0.0}
    figures = {name: [] for name in scrapers}
    cpu = {name: [] for name in scrapers}
    scrapes = {name: 0 for name in scrapers}
    try:
        mail_dir, zones = bench_env.make_mail(build_dir, workdir, 50)
        dns = bench_env.BenchDns(workdir, zones).start()
        port = free_port()
        milter = Milter(build_dir, bench_env.SOURCE_DIR, os.path.join(workdir, "milter"),
                        MilterSocket.unix(os.path.join(workdir, "milter.sock")), dns.port,
                        driver_bench.AUTHSERV_ID, f'metrics:\n  listen: "127.0.0.1:{port}"\n')
        milter.start()
        driver_bench.run_driver(build_dir, milter, mail_dir, "warm-up", "--messages", "200")
        peak = ("--concurrency", "20", "--per-connection", "100",
                "--messages", str(options.messages))
        for round_number in range(options.rounds):
            for name, interval in scrapers.items():
                label = f"{name.replace(' ', '-')}-{round_number}"
                if interval is None:
                    result = driver_bench.run_driver(build_dir, milter, mail_dir, label, *peak)
                else:
                    with Scraper(port, interval) as scraper:
                        result = driver_bench.run_driver(build_dir, milter, mail_dir, label,
                                                         *peak)
                    scrapes[name] += scraper.scrapes
                if int(result["errors"]) or int(result["unexpected"]):
                    raise RuntimeError(f"lost or unverified messages: {result}")
                figures[name].append(float(result["msgs_per_s"]))
                cpu[name].append(float(result["milter_cpu_ms"]))
    finally:
        if milter is not None:
            milter.stop()
        if dns is not None:
            dns.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nmetrics_bench (direct driver, unix socket, peak: 20 connections x 100 messages):")
    print(f"  {'scraper':12s} {'msgs/s':>8s} {'milter_cpu_ms':>13s} {'scrapes':>8s}  runs (msgs/s)")
    for name, values in figures.items():
        print(f"  {name:12s} {statistics.median(values):8.0f} {statistics.median(cpu[name]):13.3f}"
              f" {scrapes[name]:8d}  {[round(v) for v in values]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
