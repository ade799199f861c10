// run_metrics.h - one authmilter-report run's figures for node_exporter's textfile collector.
//
// render_run_metrics() turns a RunSummary and the run's start and duration into the Prometheus
// text format (metrics/exposition.h): gauges named authmilter_report_*, since each run
// replaces the figures of the previous one. write_metrics_file() writes that text atomically
// (a temporary file in the same directory, then rename(2)), so the collector never reads a
// half-written file; it returns an error naming the path. Point `--metrics-file` at a file in
// node_exporter's --collector.textfile.directory, e.g. /var/lib/prometheus/node-exporter/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "report/report_run.h"

namespace authmilter::report {

struct RunTiming {
  std::int64_t started_unix_seconds = 0;
  std::chrono::duration<double> duration{};
};

std::string render_run_metrics(const RunSummary& summary, const RunTiming& timing);
Status write_metrics_file(const std::string& path, const std::string& text);

}  // namespace authmilter::report
