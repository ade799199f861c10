"""driver_bench - authmilter under milter_load: the direct-driver figures of issue 7.

    python3 tests/bench/postfix/driver_bench.py BUILD_DIR [--messages N] [--keep]
    (tests/bench/README.md; root is not needed)

Starts the test unbound with the signed bench.example zone and authmilter (unix socket, then inet
socket), and runs milter_load: warm-up; peak throughput with connection reuse (100 messages per
connection, ABORT between them); one connection per message; the same with every message signed
ed25519-sha256 + rsa-sha256 (peak-dual); half of the peak rate (p99 added
latency); 1,000 concurrent connections with RSS/fd sampling. Every run passes --expect
"dkim=pass", so a message the milter did not verify counts as `unexpected` (no silent pass).
Prints each milter_load table and a summary against the issue's targets.
With --profile, also records `perf record -g` of the milter during one peak run into
WORKDIR/perf.data and prints `perf report` top entries.
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

import bench_env
import null_milter
from milter_process import Milter, MilterSocket
from processes import free_port

EXPECT = "dkim=pass"
NULL_EXPECT = "null.milter"  # the null milter's one header
AUTHSERV_ID = "mx.bench.test"
FD_LIMIT = 4096  # 1,000 connections need more than the default 1,024 descriptors


def pid_of(milter):
    """Milter.pid() is a method, NullMilter.pid a property."""
    return milter.pid() if callable(milter.pid) else milter.pid


def run_driver(build_dir, milter, mail_dir, label, *args, expect=EXPECT):
    driver = os.path.join(build_dir, "tests", "bench", "milter_load", "milter_load")
    argv = [driver, "--socket", milter.socket.milter, "--workload", mail_dir, "--label", label,
            "--milter-pid", str(pid_of(milter)), "--expect", expect, *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    sys.stdout.flush()
    match = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    if not match:
        raise RuntimeError(f"milter_load {label} printed no RESULT (exit {done.returncode})")
    result = dict(pair.split("=", 1) for pair in match.group(1).split())
    result["exit"] = done.returncode
    result["max_rss_kib"] = int(result.get("max_rss_kib", 0))  # 0: the run took no samples
    return result


def start_milter(build_dir, workdir, kind, dns):
    sock = (MilterSocket.inet(free_port()) if kind == "inet"
            else MilterSocket.unix(os.path.join(workdir, f"{kind}.sock")))
    milter = Milter(build_dir, bench_env.SOURCE_DIR, os.path.join(workdir, f"milter-{kind}"),
                    sock, dns.port, AUTHSERV_ID)
    milter.start()
    return milter


def null_floor(build_dir, workdir, mail_dir, messages):
    """The libmilter floor under the same driver: the null milter (tests/bench/null_milter),
    authmilter's protocol, checks nothing, one header; same peak run as peak-unix."""
    if not null_milter.available(build_dir):
        print("null_milter not built (-DAUTHMILTER_BENCHMARKS=ON): the floor not measured")
        return None
    sock = MilterSocket.unix(os.path.join(workdir, "null", "null.sock"))
    floor = null_milter.NullMilter(build_dir, workdir, sock).start()
    try:
        run_driver(build_dir, floor, mail_dir, "warm-up", "--messages", "200",
                   expect=NULL_EXPECT)
        return run_driver(build_dir, floor, mail_dir, "peak-null", "--concurrency", "20",
                          "--per-connection", "100", "--messages", messages, expect=NULL_EXPECT)
    finally:
        floor.stop()


def profile(build_dir, workdir, milter, mail_dir, messages):
    data = os.path.join(workdir, "perf.data")
    perf = subprocess.Popen(["perf", "record", "-g", "-o", data, "-p",
                             str(pid_of(milter))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run_driver(build_dir, milter, mail_dir, "profiled", "--concurrency", "20",
                   "--per-connection", "100", "--messages", str(messages))
    finally:
        perf.send_signal(2)
        perf.wait()
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                             "--percent-limit", "1.5", "-g", "none", "--sort", "dso,symbol"],
                            capture_output=True, text=True, check=False)
    lines = [line for line in report.stdout.splitlines() if line and not line.startswith("#")]
    if not lines:
        print(f"perf report printed nothing: {report.stderr.strip()[:2000]}")
    print("perf report (self time, >= 1.5 %):\n" + "\n".join(lines[:40]))


def summary(results):
    peak = results["peak-unix"]
    per_msg = float(peak["milter_cpu_ms"])
    half = results["half-peak"]
    big = results["1000-conns"]
    print("\nsummary against the targets of issue 15 (direct driver, warm DNS cache, one "
          "rsa-2048 signature on 2 KB):")
    print(f"  milter CPU per message, connection reuse: {per_msg * 1000:.0f} us "
          f"(target <= 90 us = 3x RSA-2048 verify): {'met' if per_msg <= 0.09 else 'NOT met'}")
    if "peak-null" in results:
        floor = float(results["peak-null"]["milter_cpu_ms"])
        print(f"    the null milter in the same run (libmilter's floor, checks nothing): "
              f"{floor * 1000:.0f} us; authmilter above it: {(per_msg - floor) * 1000:.0f} us")
    dual = float(results["peak-dual"]["milter_cpu_ms"])
    print(f"  milter CPU per message, ed25519 + rsa-2048 signed, connection reuse: "
          f"{dual * 1000:.0f} us (target <= 250 us): {'met' if dual <= 0.25 else 'NOT met'}")
    print(f"  p99 latency at half of peak ({float(peak['msgs_per_s']) / 2:.0f} msgs/s): "
          f"{half['p99_ms']} ms (target < 2 ms): "
          f"{'met' if float(half['p99_ms']) < 2 else 'NOT met'}")
    rss = big["max_rss_kib"] / 1024
    verdict = ("not measured (no samples)" if rss == 0
               else "met" if rss < 64 else "NOT met")
    print(f"  max RSS with 1,000 connections: {rss:.1f} MB (target < 64 MB): {verdict}")
    for name, result in results.items():
        driver_ms, milter_ms = float(result["driver_cpu_ms"]), float(result["milter_cpu_ms"])
        print(f"  {name:12s} driver CPU {driver_ms * 1000:6.1f} us/msg = "
              f"{100 * driver_ms / milter_ms if milter_ms > 0 else 0:5.1f} % of the milter's; "
              f"errors={result['errors']} unexpected={result['unexpected']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--profile", action="store_true", help="perf record one peak run")
    options = parser.parse_args()
    build_dir = os.path.abspath(options.build_dir)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(FD_LIMIT, hard)), hard))
    workdir = tempfile.mkdtemp(prefix="authmilter-driver-bench-")
    os.chmod(workdir, 0o755)
    dns, milter, results = None, None, {}
    n = str(options.messages)
    try:
        mail_dir, zones = bench_env.make_mail(build_dir, workdir, 50)
        dual_dir = bench_env.make_dual_mail(build_dir, workdir, 50, zones)
        dns = bench_env.BenchDns(workdir, zones).start()
        milter = start_milter(build_dir, workdir, "unix", dns)
        run_driver(build_dir, milter, mail_dir, "warm-up", "--messages", "200")
        results["peak-unix"] = run_driver(build_dir, milter, mail_dir, "peak-unix",
                                          "--concurrency", "20", "--per-connection", "100",
                                          "--messages", n)
        results["conn-per-msg"] = run_driver(build_dir, milter, mail_dir, "conn-per-msg",
                                             "--concurrency", "20", "--per-connection", "1",
                                             "--messages", n)
        results["peak-dual"] = run_driver(build_dir, milter, dual_dir, "peak-dual",
                                          "--concurrency", "20", "--per-connection", "100",
                                          "--messages", n)
        rate = max(1.0, float(results["peak-unix"]["msgs_per_s"]) / 2)
        results["half-peak"] = run_driver(build_dir, milter, mail_dir, "half-peak",
                                          "--concurrency", "20", "--per-connection", "100",
                                          "--rate", f"{rate:.0f}", "--seconds", "8")
        results["1000-conns"] = run_driver(build_dir, milter, mail_dir, "1000-conns",
                                           "--concurrency", "1000", "--per-connection", "100",
                                           "--messages", n, "--soak", "0.25")
        if options.profile:
            profile(build_dir, workdir, milter, mail_dir, options.messages)
        floor = null_floor(build_dir, workdir, mail_dir, n)
        if floor is not None:
            results["peak-null"] = floor
        milter.stop()
        milter = start_milter(build_dir, workdir, "inet", dns)
        run_driver(build_dir, milter, mail_dir, "warm-up", "--messages", "200")
        results["peak-inet"] = run_driver(build_dir, milter, mail_dir, "peak-inet",
                                          "--concurrency", "20", "--per-connection", "100",
                                          "--messages", n)
        summary(results)
    finally:
        if milter is not None:
            milter.stop()
        if dns is not None:
            dns.stop()
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"work directory kept: {workdir}")
    # The short sampling run is no soak: its exit status only matters for errors.
    failed = [name for name, r in results.items() if int(r["errors"]) or int(r["unexpected"])]
    return 1 if failed or len(results) < 6 else 0  # peak-null only when built


if __name__ == "__main__":
    sys.exit(main())
