// load_driver.h - replays a Workload against a milter at a given concurrency and measures it.
//
// Purpose: the measurement loop of milter_load. One thread, one epoll set, non-blocking
// sockets: `concurrency` milter connections, each running messages one after another
// (`per_connection` messages with ABORT between them, then QUIT and a new connection;
// per_connection = 1 is one connection per message, as Postfix does per SMTP session).
// The run stops after `messages` messages were started or `seconds` elapsed (whichever is
// set; both 0 is refused by the caller). With `rate` > 0 messages start at most that often.
// Soak sampling (RSS, open fds of milter_pid) happens every `sample_seconds` when > 0.
// Ownership: run_load() owns every socket it opens and closes them before returning.
// Return convention: Result<RunStats>; errors of single messages (refused connection, peer
// reset, timeout, protocol violation, unexpected result) are counted in RunStats, not fatal.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "milter_session.h"
#include "workload.h"

namespace authmilter::bench {

struct LoadOptions {
  std::string socket;  // unix:/path, inet:PORT@HOST or inet:HOST:PORT
  int concurrency = 20;
  int per_connection = 100;
  std::uint64_t messages = 0;
  double seconds = 0;
  double rate = 0;
  double timeout_seconds = 60;
  double sample_seconds = 0;
  pid_t milter_pid = 0;
  std::string expect;  // text an added/changed header must contain; empty: no check
};

struct SoakSample {
  double at_seconds = 0;
  std::uint64_t completed = 0;
  std::uint64_t rss_kib = 0;
  std::uint64_t fds = 0;
  std::uint64_t open_connections = 0;  // ours at that moment: each holds one milter descriptor
};

struct RunStats {
  double wall_seconds = 0;
  std::uint64_t completed = 0;   // messages with a final reply
  std::uint64_t errors = 0;      // messages lost to a connection or protocol failure
  std::uint64_t unexpected = 0;  // final reply without the expected header text
  std::uint64_t connections = 0;
  std::uint32_t protocol = 0;  // SMFIP_* flags the milter chose in its last OPTNEG reply
  std::uint64_t verdicts[static_cast<int>(Verdict::kCount)] = {};
  Modifications modifications;
  std::vector<std::uint32_t> latency_us;   // per completed message
  std::vector<std::string> error_samples;  // the first few distinct error reasons
  double driver_cpu_seconds = 0;
  double milter_cpu_seconds = -1;  // < 0: not measured (no --milter-pid)
  std::vector<SoakSample> samples;
};

Result<RunStats> run_load(const Workload& workload, const LoadOptions& options);

}  // namespace authmilter::bench
