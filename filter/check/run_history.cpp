// run_history.cpp - see run_history.h.
#include "check/run_history.h"

#include <sysexits.h>

#include <cstdio>

#include "check/history_output.h"
#include "conf/config.h"
#include "conf/flat_settings.h"
#include "report/history_reader.h"

namespace authmilter::check {

namespace {

int fail(int status, const std::string& message) {
  std::fprintf(stderr, "authmilter-check: %s\n", message.c_str());
  return status;
}

}  // namespace

int run_history(const CheckOptions& options) {
  auto running = conf::load_config(options.running_config_path);
  if (!running) return fail(EX_CONFIG, running.error());
  const bool has_candidate = options.config_path != options.running_config_path;
  auto candidate = has_candidate ? conf::load_config(options.config_path) : running;
  if (!candidate) return fail(EX_CONFIG, candidate.error());
  HistoryReport report;
  report.since = options.since;
  report.until = options.until;
  report.running_path = options.running_config_path;
  report.candidate_path = options.config_path;
  if (has_candidate) {
    auto before = conf::flat_settings(options.running_config_path);
    auto after = conf::flat_settings(options.config_path);
    if (!before) return fail(EX_CONFIG, before.error());
    if (!after) return fail(EX_CONFIG, after.error());
    report.changes = compare_settings(
        *before, *after,
        running->evaluation.local_policy.on_temperror == decision::TemperrorMode::accept);
  }
  if (running->store.url.empty())
    return fail(EX_CONFIG,
                options.running_config_path + ": store.url is empty: nothing is recorded");
  auto reader = report::open_history(running->store.url);
  if (!reader) return fail(EX_NOINPUT, reader.error());
  report.schema_version = (*reader)->schema_version();
  replay::HistoryReplay replay(candidate->evaluation.local_policy);
  auto read = (*reader)->for_each_record({options.since, options.until},
                                         [&replay](const report::ReportRecord& record) -> Status {
                                           replay.add(record);
                                           return Ok{};
                                         });
  if (!read) return fail(EX_NOINPUT, read.error());
  report.summary = replay.finish(10);
  const std::string text = options.json ? format_history_json(report) : format_history_text(report);
  std::fputs(text.c_str(), stdout);
  return EXIT_SUCCESS;
}

}  // namespace authmilter::check
