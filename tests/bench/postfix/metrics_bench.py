"""metrics_bench - mail throughput with and without a scraper hammering GET /metrics.

    python3 tests/bench/postfix/metrics_bench.py BUILD_DIR [--messages N] [--rounds R]
    (a build with -DAUTHMILTER_BENCHMARKS=ON; root is not needed)

One authmilter (unix socket, metrics.listen on a free loopback port) under milter_load at peak
(20 connections, 100 messages per connection, --expect dkim=pass), alternating R times between
no scraper and a scraper thread that fetches /metrics back to back, so that both figures come
from the same run and drift affects both. Prints msgs/s of every run, the medians, and how many
scrapes the scraper completed. The scraper competes for the same 2 cores: the difference is the
whole cost of being scraped flat out, far more than a real 15 s scrape interval costs.
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

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.scrapes = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stopping.is_set():
            with urllib.request.urlopen(self.url, timeout=10) as response:
                if b"authmilter_messages_total" not in response.read():
                    raise RuntimeError("a scrape without authmilter_messages_total")
            self.scrapes += 1

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
    figures = {"no scraper": [], "scraper": []}
    scrapes = 0
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
            quiet = driver_bench.run_driver(build_dir, milter, mail_dir,
                                            f"quiet-{round_number}", *peak)
            figures["no scraper"].append(float(quiet["msgs_per_s"]))
            with Scraper(port) as scraper:
                busy = driver_bench.run_driver(build_dir, milter, mail_dir,
                                               f"scraped-{round_number}", *peak)
            scrapes += scraper.scrapes
            figures["scraper"].append(float(busy["msgs_per_s"]))
            for result in (quiet, busy):
                if int(result["errors"]) or int(result["unexpected"]):
                    raise RuntimeError(f"lost or unverified messages: {result}")
    finally:
        if milter is not None:
            milter.stop()
        if dns is not None:
            dns.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nmetrics_bench (direct driver, unix socket, peak: 20 connections x 100 messages):")
    for name, values in figures.items():
        print(f"  {name:10s} median {statistics.median(values):8.0f} msgs/s  "
              f"runs {[round(v) for v in values]}")
    print(f"  scrapes completed during the scraped runs: {scrapes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
