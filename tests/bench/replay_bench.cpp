// replay_bench.cpp - authmilter-check --history's replay over a large store.
//
//   replay_bench [--rows N] [--url URL]
// Fills a store (default: a fresh SQLite file under /tmp, removed afterwards) with N rows
// (default 1,000,000) over one day, 1,000 policy domains and a mix of DMARC passes and failures
// with list headers, forwarder clients and passing ARC chains, through bulk multi-row INSERTs of
// the store's own column values (not timed). Then times what --history does: open the store
// read-only, stream every row, decide each again under a candidate policy (reject: honor, an
// override, a forwarder network and a trusted ARC sealer) and count the summary; prints the
// seconds, rows per second and the process's peak RSS. Target: 1 M rows in under 10 s.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "replay/history_summary.h"
#include "report/history_reader.h"
#include "report/record_store.h"
#include "report/sql_connection.h"
#include "report/sql_record_store.h"

namespace {

using namespace authmilter;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kDay = 1'700'006'400;
constexpr long kRowsPerTransaction = 200'000;

report::ReportRecord bench_record(long i) {
  report::ReportRecord r;
  const std::string domain = "d" + std::to_string(i % 1000) + ".example";
  r.time = kDay + (i % 86400);
  r.source_ip = "10." + std::to_string((i / 1000) % 50) + "." + std::to_string((i / 7) % 250) +
                "." + std::to_string(i % 200);
  r.header_from = domain;
  r.envelope_from = domain;
  r.envelope_to = {"receiver.example"};
  r.spf_domain = i % 4 == 0 ? "lists.example.net" : domain;
  r.spf_result = i % 3 == 0 ? "fail" : "pass";
  r.dkim = {{domain, "s1", i % 4 == 0 ? "fail" : "pass"}};
  r.policy.domain = domain;
  r.policy.p = "reject";
  const bool failed = i % 4 == 0;
  r.dmarc_result = failed ? "fail" : "pass";
  r.disposition = failed ? (i % 8 == 0 ? "quarantine" : "reject") : "none";
  r.queue_id = "Q" + std::to_string(i);
  report::DecisionFacts& f = r.facts.emplace();
  f.author_domains = {domain};
  f.dmarc_code = r.dmarc_result;
  f.published = "reject";
  f.requested = failed ? "reject" : "none";
  f.list_headers = i % 8 == 0;
  f.arc_result = i % 16 == 4 ? "pass" : "none";
  if (f.arc_result == "pass") {
    f.arc_sealer = "lists.example.net";
    f.arc_sealers = {{2, "lists.example.net", ""},
                     {1, "mx.example.org", "dkim=pass header.d=" + domain}};
  }
  return r;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

Status bulk_fill(report::SqlConnection& sql, long total) {
  const std::string full = report::records_insert_sql(report::kRecordsPerInsert);
  std::vector<report::SqlValue> values;
  for (long done = 0; done < total;) {
    if (auto begun = sql.execute("BEGIN", {}); !begun) return begun;
    const long stop = std::min(total, done + kRowsPerTransaction);
    while (done < stop) {
      const long rows = std::min(static_cast<long>(report::kRecordsPerInsert), stop - done);
      values.clear();
      for (long i = 0; i < rows; ++i) {
        auto record = bench_record(done + i);
        report::sanitize_record(record);
        const auto row = report::record_insert_values(record);
        values.insert(values.end(), row.begin(), row.end());
      }
      const auto inserted =
          sql.execute(rows == static_cast<long>(report::kRecordsPerInsert)
                          ? full
                          : report::records_insert_sql(static_cast<std::size_t>(rows)),
                      values);
      if (!inserted) return inserted;
      done += rows;
    }
    if (auto committed = sql.execute("COMMIT", {}); !committed) return committed;
  }
  return Ok{};
}

decision::LocalPolicy candidate_policy() {
  decision::LocalPolicy policy;
  policy.reject = decision::RejectMode::honor;
  policy.overrides.push_back({"d7.example", decision::RejectMode::never, std::nullopt});
  policy.forwarders.networks.push_back(*net::CidrBlock::parse("10.3.0.0/16"));
  policy.trusted_arc_sealers = {"lists.example.net", "example.org"};
  return policy;
}

}  // namespace

int main(int argc, char** argv) {
  long rows = 1'000'000;
  std::string url;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stol(argv[i + 1]);
    if (std::strcmp(argv[i], "--url") == 0) url = argv[i + 1];
  }
  std::string directory;
  if (url.empty()) {
    char pattern[] = "/tmp/authmilter-replay-bench-XXXXXX";
    directory = mkdtemp(pattern);
    url = "sqlite://" + directory + "/records.db";
  }
  {
    report::StoreOptions options;
    options.url = url;
    options.sqlite_synchronous_full = false;
    if (auto store = report::open_store(options); !store) {  // creates the schema
      std::fprintf(stderr, "open: %s\n", store.error().c_str());
      return 1;
    }
    auto sql = url.starts_with("sqlite://") ? report::open_sqlite(url.substr(9), false)
                                            : report::open_postgres(url);
    if (!sql) return 1;
    const auto start = Clock::now();
    if (auto filled = bulk_fill(**sql, rows); !filled) {
      std::fprintf(stderr, "fill: %s\n", filled.error().c_str());
      return 1;
    }
    std::printf("fill: %ld rows in %.1f s (not timed below)\n", rows,
                std::chrono::duration<double>(Clock::now() - start).count());
  }
  const double rss_before = peak_rss_mib();
  const auto start = Clock::now();
  auto reader = report::open_history(url);
  if (!reader) {
    std::fprintf(stderr, "history: %s\n", reader.error().c_str());
    return 1;
  }
  replay::HistoryReplay replay(candidate_policy());
  auto read = (*reader)->for_each_record({kDay, kDay + 86400},
                                         [&replay](const report::ReportRecord& record) -> Status {
                                           replay.add(record);
                                           return Ok{};
                                         });
  const auto summary = replay.finish(10);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!read) {
    std::fprintf(stderr, "read: %s\n", read.error().c_str());
    return 1;
  }
  std::printf("replay: %lld rows (%lld replayed, %lld changed) in %.2f s = %.0f rows/s\n",
              static_cast<long long>(summary.records), static_cast<long long>(summary.judged),
              static_cast<long long>(summary.changed), seconds,
              static_cast<double>(summary.records) / seconds);
  std::printf("peak RSS: %.1f MiB before the replay, %.1f MiB after it\n", rss_before,
              peak_rss_mib());
  if (!directory.empty()) std::filesystem::remove_all(directory);
  return 0;
}
