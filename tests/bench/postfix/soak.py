"""soak - authmilter served for hours by milter_load --soak: RSS and descriptors must stay flat.

    python3 tests/bench/postfix/soak.py BUILD_DIR [--seconds 3600] [--rate 100] [--interval 60]
    (tests/bench/README.md; not in CI: it runs for as long as it is told)

Starts the test unbound with the signed bench.example zone and authmilter (unix socket, SQLite
store: every message writes a report row, so the store grows as in production), then runs
milter_load at a steady rate with connection churn (10 messages per connection, 20 connections)
and --soak sampling of the milter's VmRSS and open descriptors. Every message must be answered
and verified (--expect dkim=pass). Exit status: milter_load's (1 on a lost message or a growing
RSS/fd count), after printing the samples and the store's row count.
"""

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile

import bench_env
from driver_bench import run_driver, start_milter


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--rate", type=int, default=100, help="messages per second")
    parser.add_argument("--interval", type=int, default=60, help="seconds between samples")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    options = parser.parse_args()
    build_dir = os.path.abspath(options.build_dir)
    workdir = tempfile.mkdtemp(prefix="authmilter-soak-")
    os.chmod(workdir, 0o755)
    dns, milter, result = None, None, None
    try:
        mail_dir, zones = bench_env.make_mail(build_dir, workdir, 50)
        dns = bench_env.BenchDns(workdir, zones).start()
        milter = start_milter(build_dir, workdir, "unix", dns)
        result = run_driver(build_dir, milter, mail_dir, "soak", "--concurrency", "20",
                            "--per-connection", "10", "--rate", str(options.rate),
                            "--seconds", str(options.seconds), "--soak", str(options.interval))
        store = os.path.join(milter.workdir, "records.db")
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            tables = [row[0] for row in db.execute("select name from sqlite_master where type='table'")]
            for table in tables:
                count = db.execute(f'select count(*) from "{table}"').fetchone()[0]
                print(f"store table {table}: {count} rows")
        print(f"store size: {os.path.getsize(store) / 1e6:.1f} MB")
    finally:
        if milter is not None:
            milter.stop()
        if dns is not None:
            dns.stop()
        if options.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if result is None else result["exit"]


if __name__ == "__main__":
    sys.exit(main())
