// report_bench.cpp - record store throughput under concurrent load, and report building time.
//
//   report_bench [--url URL] [--threads N] [--appends N] [--rows N] [--sync full|normal]
//                [--keep] [--report-only] [--send]
// 1. --threads threads append --appends records each through RecordStore::append() (group
//    commit, each call durable on return): prints rows/s.
// 2. Fills the store to --rows rows (spread over 1,000 policy domains, 50,000 source IPs, one
//    UTC day) through a bulk path of its own: multi-row INSERTs in few large transactions over
//    a second SqlConnection (the store has no bulk append; the daemon never needs one). The
//    fill is not part of the report figures.
// 3. Times run_reports() in dry-run mode over the stored rows (XML + gzip to a temp dir) and
//    prints seconds, stored rows per second and the process's peak RSS (getrusage). --send
//    times a real run instead: every report is built into a mail and handed to a sender that
//    accepts and discards it, deliveries are recorded and the rows marked reported, so the
//    store's writes of a run are measured too (the rows are reported afterwards: reset them,
//    e.g. UPDATE records SET reported = 0, claim = NULL, before timing the same store again).
// Default URL: a fresh SQLite file under /tmp. --keep keeps that directory (its path is
// printed); --report-only skips 1 and 2 and reports what the store at --url holds, so one fill
// serves several runs (e.g. a store filled by an older build, which also exercises migration).
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "report/record_codec.h"
#include "report/record_store.h"
#include "report/report_run.h"
#include "report/sql_connection.h"
#include "report/sql_record_store.h"

namespace {

using namespace authmilter;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kDay = 1'700'006'400;
constexpr long kRowsPerStatement = report::kRecordsPerInsert;  // as the store's own INSERTs
constexpr long kRowsPerTransaction = 500'000;  // bounds the SQLite WAL during the fill

report::ReportRecord bench_record(long i) {
  report::ReportRecord r;
  const std::string domain = "d" + std::to_string(i % 1000) + ".example";
  r.time = kDay + (i % 86400);
  r.source_ip = "10." + std::to_string((i / 1000) % 50) + "." + std::to_string((i / 7) % 250) +
                "." + std::to_string(i % 200);
  r.header_from = domain;
  r.envelope_from = domain;
  r.envelope_to = {"receiver.example"};
  r.spf_domain = domain;
  r.spf_result = i % 3 == 0 ? "fail" : "pass";
  r.dkim = {{domain, "s1", i % 5 == 0 ? "fail" : "pass"}};
  r.policy.domain = domain;
  r.policy.p = "reject";
  r.policy.rua = "mailto:dmarc@" + domain;
  r.dkim_aligned = i % 5 == 0 ? "fail" : "pass";
  r.spf_aligned = i % 3 == 0 ? "fail" : "pass";
  r.dmarc_result = "pass";
  r.queue_id = "Q" + std::to_string(i);
  return r;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// Appends `total` records from `threads` threads; returns seconds.
double append_load(report::RecordStore& store, int threads, long total, long offset) {
  std::atomic<long> next{0};
  std::atomic<long> failures{0};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (long i = next++; i < total; i = next++)
        if (!store.append(bench_record(offset + i)).ok()) ++failures;
    });
  for (auto& worker : workers) worker.join();
  if (failures > 0) std::fprintf(stderr, "%ld appends failed\n", failures.load());
  return seconds_since(start);
}

Result<std::unique_ptr<report::SqlConnection>> connect(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) return report::open_sqlite(url.substr(kSqlite.size()), false);
  return report::open_postgres(url);
}

// Inserts records [first, first + total) in transactions of kRowsPerTransaction rows.
Status bulk_fill(const std::string& url, long first, long total) {
  auto connection = connect(url);
  if (!connection) return Error{connection.error()};
  auto& sql = **connection;
  const std::string full_statement = report::records_insert_sql(kRowsPerStatement);
  std::vector<report::SqlValue> values;
  for (long done = 0; done < total;) {
    if (auto begun = sql.execute("BEGIN", {}); !begun) return begun;
    const long stop = std::min(total, done + kRowsPerTransaction);
    while (done < stop) {
      const long rows = std::min(kRowsPerStatement, stop - done);
      values.clear();
      for (long i = 0; i < rows; ++i) {
        auto record = bench_record(first + done + i);
        report::sanitize_record(record);
        const auto row = report::record_insert_values(record);
        values.insert(values.end(), row.begin(), row.end());
      }
      const auto inserted = sql.execute(
          rows == kRowsPerStatement ? full_statement : report::records_insert_sql(rows), values);
      if (!inserted) return inserted;
      done += rows;
    }
    if (auto committed = sql.execute("COMMIT", {}); !committed) return committed;
  }
  return Ok{};
}

long stored_rows(const std::string& url) {
  auto connection = connect(url);
  if (!connection) return 0;
  auto found = (*connection)->query("SELECT COUNT(*) FROM records", {});
  return found && !found->empty() ? std::stol(found->front().front()) : 0;
}

class NoSender final : public report::ReportSender {
 public:
  Status send(const std::string&, const std::string&) override {
    return Error{"benchmark sends nothing"};
  }
};

// Accepts every report and keeps none: the run claims, records deliveries, marks and closes as it
// would.
class SinkSender final : public report::ReportSender {
 public:
  Status send(const std::string&, const std::string&) override { return Ok{}; }
};

class SelfOrg final : public dmarc::OrgDomainFinder {
 public:
  dmarc::OrgDomainAnswer find(std::string_view domain) override {
    return {false, std::string(domain), ""};
  }
};

class NoDns final : public dns::Resolver {
 public:
  dns::TxtAnswer lookup_txt(std::string_view) override { return {}; }
  dns::AddressAnswer lookup_addresses(std::string_view, net::IpFamily) override { return {}; }
  dns::MxAnswer lookup_mx(std::string_view) override { return {}; }
  dns::NameAnswer lookup_ptr(const net::IpAddress&) override { return {}; }
};

struct BenchOptions {
  std::string url;
  int threads = 32;
  long appends = 20000;
  long rows = 1'000'000;
  bool full = true;
  bool keep = false;
  bool report_only = false;
  bool send = false;
};

BenchOptions parse(int argc, char** argv, const std::string& directory) {
  BenchOptions o;
  o.url = "sqlite://" + directory + "/records.db";
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--keep") o.keep = true;
    if (key == "--report-only") o.report_only = true;
    if (key == "--send") o.send = true;
    if (i + 1 >= argc) break;
    const std::string value = argv[i + 1];
    if (key == "--url") o.url = value;
    if (key == "--threads") o.threads = std::stoi(value);
    if (key == "--appends") o.appends = std::stol(value);
    if (key == "--rows") o.rows = std::stol(value);
    if (key == "--sync") o.full = value == "full";
  }
  return o;
}

// Steps 1 and 2; returns false on a failure.
bool load(report::RecordStore& store, const BenchOptions& o) {
  const long appends = std::min(o.appends, o.rows);
  if (appends > 0) {
    const double seconds = append_load(store, o.threads, appends, 0);
    std::printf("append: %ld rows from %d threads in %.2f s = %.0f rows/s (%s, synchronous=%s)\n",
                appends, o.threads, seconds, appends / seconds, o.url.c_str(),
                o.full ? "full" : "normal");
  }
  if (o.rows > appends) {
    const auto start = Clock::now();
    if (auto filled = bulk_fill(o.url, appends, o.rows - appends); !filled) {
      std::fprintf(stderr, "fill: %s\n", filled.error().c_str());
      return false;
    }
    const double seconds = seconds_since(start);
    std::printf("fill: %ld more rows in %.1f s = %.0f rows/s (bulk INSERTs, not timed below)\n",
                o.rows - appends, seconds, (o.rows - appends) / seconds);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  char pattern[] = "/tmp/authmilter-bench-XXXXXX";
  const std::string directory = mkdtemp(pattern);
  const BenchOptions o = parse(argc, argv, directory);
  report::StoreOptions options;
  options.url = o.url;
  options.sqlite_synchronous_full = o.full;
  auto store = report::open_store(options);
  if (!store) return std::fprintf(stderr, "%s\n", store.error().c_str()), 1;
  if (!o.report_only && !load(**store, o)) return 1;
  const long rows = stored_rows(o.url);
  const double rss_before = peak_rss_mib();

  report::RunOptions run;
  run.report.org_name = "Bench";
  run.report.email = "bench@receiver.example";
  run.report.submitter = "receiver.example";
  run.now = kDay + 2 * 86400;
  run.query.until = run.now;
  run.dry_run = !o.send;
  run.out_dir = directory;
  NoSender no_sender;
  SinkSender sink;
  report::ReportSender& sender = o.send ? static_cast<report::ReportSender&>(sink) : no_sender;
  SelfOrg finder;
  NoDns resolver;
  const auto start = Clock::now();
  const auto summary = report::run_reports(**store, sender, finder, resolver, run);
  const double build = seconds_since(start);
  std::printf(
      "reports: %d reports from %ld stored rows in %.2f s = %.0f rows/s (%d failures, %s)\n",
      summary.reports, rows, build, rows / build, summary.failures,
      o.send ? "sent and marked" : "dry run");
  std::printf("peak RSS: %.1f MiB before the report phase, %.1f MiB after it\n", rss_before,
              peak_rss_mib());
  store->reset();
  if (o.keep)
    std::printf("kept %s\n", directory.c_str());
  else
    std::filesystem::remove_all(directory);
  return summary.failures == 0 ? 0 : 1;
}
