"""Prometheus metrics: GET /metrics from the real daemon, checked by promtool and a real Prometheus.

N messages go through the private Postfix (SPF pass for 127.0.0.1, DMARC p=none, unsigned:
spf=pass dkim=none dmarc=pass). The exposition fetched over HTTP before and after must show
the counters moved by exactly N (messages by action, results by method, DMARC disposition) and
the end-of-message and per-check histograms counted N observations, with _count equal to the
+Inf bucket. `promtool check metrics` must accept the text. Then a real Prometheus server
(scrape_interval 1s, loopback) scrapes the daemon and its query API must give the number of
messages this daemon answered; every query of contrib/grafana/authmilter-dashboard.json must be
valid PromQL to that server and name only metrics the daemon exports. Only GET /metrics is served (404 otherwise). A reload counts
ok or error, and one that changes metrics.listen names it as start-only and keeps serving on
the old address. A listen address that cannot be bound stops the daemon at start, naming it.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request

import harness
import processes

ENV = harness.Environment("metrics")
DOMAIN = "example.org"
ZONES = {
    DOMAIN: [
        f'{DOMAIN}. TXT "v=spf1 ip4:127.0.0.1 -all"',
        f'_dmarc.{DOMAIN}. TXT "v=DMARC1; p=none"',
    ]
}
MESSAGES = 5
METRICS_PORT = processes.free_port()
PROMTOOL = "/usr/bin/promtool"
PROMETHEUS = "/usr/bin/prometheus"
DASHBOARD = os.path.join(harness.source_dir(), "contrib", "grafana", "authmilter-dashboard.json")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$")


def setUpModule():
    ENV.start(zones=ZONES)


def fetch(path, port=METRICS_PORT, method="GET"):
    """(status, body text) of an HTTP request to the daemon's metrics listener."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def parse_exposition(text):
    """{series: value} of every sample line; series is the name with its labels as written."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if match is None:
            raise AssertionError(f"not a sample line: {line!r}")
        samples[match.group(1)] = float(match.group(2))
    return samples


class MetricsTestCase(harness.MilterTestCase):
    """A milter with metrics.listen on cls.port, started once for the class."""

    env = ENV
    port = METRICS_PORT

    @classmethod
    def setUpClass(cls):
        cls.extra_config = f'metrics:\n  listen: "127.0.0.1:{cls.port}"\n'
        super().setUpClass()
        # The harness waits for the milter socket, which the daemon binds a moment before
        # it starts the metrics listener.
        processes.wait_until(lambda: processes.tcp_accepts(cls.port), 10,
                             f"the metrics listener on port {cls.port}")


class MetricsEndpointTest(MetricsTestCase):
    sent = 0  # messages this class's daemon answered, over all its tests

    def scrape(self):
        status, text = fetch("/metrics")
        self.assertEqual(status, 200, text)
        return text

    def send_messages(self, count):
        for index in range(count):
            message = harness.make_message(f"metrics {index}")
            delivered = self.send_and_receive(message)
            self.assertEqual(len(harness.auth_results(delivered)), 1, delivered.decode())
            type(self).sent += 1

    def test_counters_and_histograms_move_by_the_messages_sent(self):
        before = parse_exposition(self.scrape())
        self.send_messages(MESSAGES)
        after = parse_exposition(self.scrape())

        def moved(series):
            self.assertIn(series, after)
            return after[series] - before.get(series, 0)

        self.assertEqual(moved('authmilter_messages_total{action="accept"}'), MESSAGES)
        for action in ("reject", "tempfail", "quarantine", "discard"):
            self.assertEqual(moved(f'authmilter_messages_total{{action="{action}"}}'), 0)
        self.assertEqual(moved('authmilter_results_total{method="spf",result="pass"}'), MESSAGES)
        self.assertEqual(moved('authmilter_results_total{method="dkim",result="none"}'), MESSAGES)
        self.assertEqual(moved('authmilter_results_total{method="dmarc",result="pass"}'), MESSAGES)
        self.assertEqual(moved('authmilter_results_total{method="dmarc",result="fail"}'), 0)
        self.assertEqual(
            moved('authmilter_dmarc_disposition_total{policy="none",disposition="none"}'),
            MESSAGES,
        )
        self.assertEqual(moved("authmilter_eom_duration_seconds_count"), MESSAGES)
        self.assertEqual(moved('authmilter_eom_duration_seconds_bucket{le="+Inf"}'), MESSAGES)
        self.assertGreater(moved("authmilter_eom_duration_seconds_sum"), 0)
        for check in ("spf", "dkim", "dmarc"):
            series = f'authmilter_check_duration_seconds_count{{check="{check}"}}'
            self.assertEqual(moved(series), MESSAGES, series)
        # Every message stored a report row (the domain publishes DMARC); none failed.
        self.assertEqual(moved("authmilter_store_write_duration_seconds_count"), MESSAGES)
        self.assertEqual(moved("authmilter_store_write_failures_total"), 0)
        # The DNS went through the resolver: cache hits + misses grew, no query failed.
        lookups = moved('authmilter_dns_cache_lookups_total{result="hit"}') + moved(
            'authmilter_dns_cache_lookups_total{result="miss"}'
        )
        self.assertGreaterEqual(lookups, 2 * MESSAGES)  # SPF and DMARC TXT per message at least
        self.assertEqual(moved('authmilter_dns_queries_total{type="TXT",outcome="error"}'), 0)
        build_info = [s for s in after if s.startswith('authmilter_build_info{version="')]
        self.assertEqual(len(build_info), 1, build_info)
        self.assertEqual(after[build_info[0]], 1)

    def test_histogram_buckets_are_cumulative(self):
        self.send_messages(1)
        samples = parse_exposition(self.scrape())
        bucket = re.compile(r'^authmilter_eom_duration_seconds_bucket\{le="([^"]+)"\}$')
        buckets = [(series, value) for series, value in samples.items() if bucket.match(series)]
        values = [value for _, value in buckets]
        self.assertEqual(values, sorted(values), buckets)
        self.assertEqual(buckets[-1][0], 'authmilter_eom_duration_seconds_bucket{le="+Inf"}')
        self.assertEqual(values[-1], samples["authmilter_eom_duration_seconds_count"])

    def test_promtool_accepts_the_exposition(self):
        text = self.scrape()
        done = subprocess.run(
            [PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True,
            timeout=60, check=False,
        )
        self.assertEqual(done.returncode, 0, f"{done.stdout}\n{done.stderr}")

    def test_only_get_metrics_is_served(self):
        self.assertEqual(fetch("/")[0], 404)
        self.assertEqual(fetch("/metrics/x")[0], 404)
        self.assertEqual(fetch("/metrics", method="POST")[0], 404)

    def test_prometheus_scrapes_the_message_count(self):
        self.send_messages(2)
        with PrometheusServer(METRICS_PORT) as prometheus:
            expected = type(self).sent

            def scraped():
                value = prometheus.query_value("sum(authmilter_messages_total)")
                return value is not None and value == expected

            processes.wait_until(scraped, 60, "Prometheus to scrape the message count")
            accepted = prometheus.query_value('authmilter_messages_total{action="accept"}')
            self.assertEqual(accepted, expected)
            self.assertEqual(prometheus.query_value('up{job="authmilter"}'), 1)
            self.check_dashboard(prometheus)

    def check_dashboard(self, prometheus):
        families = set(re.findall(r"^# TYPE (\S+) ", self.scrape(), re.MULTILINE))
        queries = dashboard_queries()
        self.assertGreaterEqual(len(queries), 15)
        for expr in queries:
            for name in re.findall(r"\bauthmilter_[a-z_]+", expr):
                family = re.sub(r"_(bucket|sum|count)$", "", name)
                self.assertIn(family, families, f"{expr}: {name} is not exported")
            status, body = prometheus.query(expr)
            self.assertEqual((status, json.loads(body)["status"]), (200, "success"),
                             f"{expr}: {body}")


def dashboard_queries():
    """Every PromQL expression of the Grafana dashboard, with its variables filled in."""
    with open(DASHBOARD) as handle:
        dashboard = json.load(handle)
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return [expr.replace("$__rate_interval", "1m").replace("$instance", ".*")
            for expr in expressions]


class MetricsReloadTest(MetricsTestCase):
    port = processes.free_port()

    def reloads(self):
        status, text = fetch("/metrics", port=self.port)
        self.assertEqual(status, 200, text)
        samples = parse_exposition(text)
        return (samples['authmilter_config_reloads_total{outcome="ok"}'],
                samples['authmilter_config_reloads_total{outcome="error"}'],
                samples["authmilter_config_last_reload_success"])

    def reload_with(self, text, log_pattern):
        with open(self.milter.config_path, "w") as handle:
            handle.write(text)
        os.kill(self.milter.pid(), signal.SIGHUP)
        processes.wait_until(lambda: re.search(log_pattern, self.milter.log_text()), 10,
                             f"log line {log_pattern!r}")

    def test_reloads_are_counted_and_a_new_listen_address_needs_a_restart(self):
        with open(self.milter.config_path) as handle:
            original = handle.read()
        self.assertEqual(self.reloads(), (0, 0, 1))
        try:
            moved = original.replace(f":{self.port}", f":{processes.free_port()}")
            self.reload_with(moved, r"reload: changes to metrics.listen take effect only after")
            processes.wait_until(lambda: self.reloads()[0] == 1, 10, "the ok reload counted")
            self.reload_with(original.replace(f"127.0.0.1:{self.port}", "nowhere:1"),
                             r"reload failed.*metrics.listen: 'nowhere' is not")
            processes.wait_until(lambda: self.reloads()[1] == 1, 10, "the failed reload counted")
            self.assertEqual(self.reloads(), (1, 1, 0))
        finally:
            with open(self.milter.config_path, "w") as handle:
                handle.write(original)


class MetricsBindFailureTest(unittest.TestCase):
    def test_a_taken_listen_address_stops_the_daemon_naming_the_key(self):
        port = processes.free_port()
        milter = ENV.milter("unix", extra_config=f'metrics:\n  listen: "127.0.0.1:{port}"\n')
        with open(milter.config_path, "w") as handle:
            handle.write(milter.config_text)
        with socket.socket() as taken:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            taken.bind(("127.0.0.1", port))
            taken.listen()
            done = subprocess.run(
                [milter.binary, "--foreground", "--config", milter.config_path],
                capture_output=True, text=True, timeout=30, check=False,
            )
        self.assertEqual(done.returncode, 69, done.stderr)  # EX_UNAVAILABLE
        self.assertIn(f"metrics.listen 127.0.0.1:{port}: cannot serve /metrics: Address already"
                      " in use", done.stderr)


class PrometheusServer:
    """/usr/bin/prometheus on a free loopback port, scraping the daemon every second."""

    def __init__(self, target_port):
        self.workdir = tempfile.mkdtemp(prefix="prometheus-", dir=ENV.workdir)
        self.port = processes.free_port()
        config = os.path.join(self.workdir, "prometheus.yml")
        with open(config, "w") as handle:
            handle.write(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: authmilter\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{target_port}']\n"
            )
        self.argv = [
            PROMETHEUS,
            f"--config.file={config}",
            f"--storage.tsdb.path={os.path.join(self.workdir, 'data')}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        self.daemon = None

    def __enter__(self):
        log = os.path.join(self.workdir, "prometheus.log")
        self.daemon = processes.Daemon(self.argv, log, "prometheus")
        harness.RUNNING.append(self.daemon)
        harness.LOGS["prometheus"] = log
        processes.wait_until(self.ready, 60, "Prometheus to be ready")
        return self

    def __exit__(self, *exc):
        harness.RUNNING.remove(self.daemon)
        harness.LOGS.pop("prometheus", None)
        self.daemon.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def ready(self):
        self.daemon.check_running()
        try:
            return fetch("/-/ready", port=self.port)[0] == 200
        except OSError:
            return False

    def query(self, expression):
        """(HTTP status, body) of an instant query."""
        return fetch("/api/v1/query?query=" + urllib.parse.quote(expression), port=self.port)

    def query_value(self, expression):
        """The value of an instant query with one result, or None while there is none."""
        status, body = self.query(expression)
        if status != 200:
            return None
        result = json.loads(body)["data"]["result"]
        return float(result[0]["value"][1]) if len(result) == 1 else None


if __name__ == "__main__":
    unittest.main()
