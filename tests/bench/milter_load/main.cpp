// main.cpp - milter_load: drives a milter over the milter protocol (version 6, as Postfix) and
// prints throughput, latency percentiles, errors and CPU per message. See tests/bench/README.md.
//
//   milter_load --socket unix:/run/m.sock --workload DIR [--concurrency 20]
//               [--per-connection 100] (--messages N | --seconds T) [--rate R]
//               [--milter-pid PID] [--expect TEXT] [--timeout S] [--soak INTERVAL_S]
// Exit status: 0 when every message got a final reply (and matched --expect), 1 when some
// did not, 2 on bad usage or when the run could not be made (workload, epoll, milter gone).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "load_driver.h"
#include "report.h"
#include "workload.h"

namespace {

using authmilter::bench::LoadOptions;

void usage() {
  std::fprintf(stderr,
               "usage: milter_load --socket SPEC --workload DIR (--messages N | --seconds T)\n"
               "       [--concurrency C] [--per-connection K] [--rate MSGS_PER_S]\n"
               "       [--milter-pid PID] [--expect TEXT] [--timeout S] [--soak INTERVAL_S]\n"
               "       [--label TEXT]\n");
}

// parse_options - argv into options; false on anything unknown or out of range.
bool parse_options(int argc, char** argv, LoadOptions& options, std::string& workload,
                   std::string& label) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--socket")
      options.socket = value;
    else if (name == "--workload")
      workload = value;
    else if (name == "--concurrency")
      options.concurrency = std::atoi(value);
    else if (name == "--per-connection")
      options.per_connection = std::atoi(value);
    else if (name == "--messages")
      options.messages = std::strtoull(value, nullptr, 10);
    else if (name == "--seconds")
      options.seconds = std::atof(value);
    else if (name == "--rate")
      options.rate = std::atof(value);
    else if (name == "--milter-pid")
      options.milter_pid = std::atoi(value);
    else if (name == "--expect")
      options.expect = value;
    else if (name == "--timeout")
      options.timeout_seconds = std::atof(value);
    else if (name == "--soak")
      options.sample_seconds = std::atof(value);
    else if (name == "--label")
      label = value;
    else
      return false;
  }
  // Bounds: a concurrency beyond the fd limit or a zero budget is a usage error.
  return argc % 2 == 1 && !options.socket.empty() && !workload.empty() &&
         options.concurrency >= 1 && options.concurrency <= 100000 && options.per_connection >= 1 &&
         (options.messages > 0 || options.seconds > 0) && options.rate >= 0 &&
         options.timeout_seconds > 0 && options.sample_seconds >= 0 &&
         (options.sample_seconds == 0 || options.milter_pid > 0);
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions options;
  std::string directory, label;
  if (!parse_options(argc, argv, options, directory, label)) {
    usage();
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);  // a milter that hangs up is counted, not fatal
  const auto workload = authmilter::bench::load_workload(directory);
  if (!workload) {
    std::fprintf(stderr, "milter_load: %s\n", workload.error().c_str());
    return 2;
  }
  auto stats = authmilter::bench::run_load(*workload, options);
  if (!stats) {
    std::fprintf(stderr, "milter_load: %s\n", stats.error().c_str());
    return 2;
  }
  authmilter::bench::print_report(label.empty() ? options.socket : label, options, *stats);
  // Only a judged growth fails the run; a run too short to judge says so and is no failure.
  const bool soak_ok = options.sample_seconds == 0 || authmilter::bench::judge_soak(*stats) !=
                                                          authmilter::bench::SoakVerdict::growing;
  return stats->errors == 0 && stats->unexpected == 0 && soak_ok ? 0 : 1;
}
