// report_bench.cpp - record store throughput under concurrent load, and report building time.
//
//   report_bench [--url URL] [--threads N] [--appends N] [--rows N] [--sync full|normal]
// 1. --threads threads append --appends records each through RecordStore::append() (group
//    commit, each call durable on return): prints rows/s.
// 2. Fills the store to --rows rows (spread over 1,000 policy domains, 50,000 source IPs, one
//    UTC day) and times run_reports() in dry-run mode over them (XML + gzip to a temp dir).
// Default URL: a fresh SQLite file under /tmp.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "report/record_store.h"
#include "report/report_run.h"

namespace {

using namespace authmilter;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kDay = 1'700'006'400;

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
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class NoSender final : public report::ReportSender {
 public:
  Status send(const std::string&, const std::string&) override {
    return Error{"benchmark sends nothing"};
  }
};

class SelfOrg final : public dmarc::OrgDomainFinder {
 public:
  dmarc::OrgDomainAnswer find(std::string_view domain) override {
    return {false, std::string(domain), ""};
  }
};

}  // namespace

int main(int argc, char** argv) {
  char pattern[] = "/tmp/authmilter-bench-XXXXXX";
  const std::string directory = mkdtemp(pattern);
  std::string url = "sqlite://" + directory + "/records.db";
  int threads = 32;
  long appends = 20000;
  long rows = 1'000'000;
  bool full = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--url") url = value;
    if (key == "--threads") threads = std::stoi(value);
    if (key == "--appends") appends = std::stol(value);
    if (key == "--rows") rows = std::stol(value);
    if (key == "--sync") full = value == "full";
  }
  report::StoreOptions options;
  options.url = url;
  options.sqlite_synchronous_full = full;
  auto store = report::open_store(options);
  if (!store) return std::fprintf(stderr, "%s\n", store.error().c_str()), 1;

  const double load_seconds = append_load(**store, threads, appends, 0);
  std::printf("append: %ld rows from %d threads in %.2f s = %.0f rows/s (%s, synchronous=%s)\n",
              appends, threads, load_seconds, appends / load_seconds, url.c_str(),
              full ? "full" : "normal");
  if (rows > appends) {
    const double fill = append_load(**store, 64, rows - appends, appends);
    std::printf("fill: %ld more rows in %.1f s\n", rows - appends, fill);
  }
  report::RunOptions run;
  run.report.org_name = "Bench";
  run.report.email = "bench@receiver.example";
  run.report.submitter = "receiver.example";
  run.now = kDay + 2 * 86400;
  run.query.until = run.now;
  run.dry_run = true;
  run.out_dir = directory;
  NoSender sender;
  SelfOrg finder;
  class NoDns final : public dns::Resolver {
   public:
    dns::TxtAnswer lookup_txt(std::string_view) override { return {}; }
    dns::AddressAnswer lookup_addresses(std::string_view, net::IpFamily) override { return {}; }
    dns::MxAnswer lookup_mx(std::string_view) override { return {}; }
    dns::NameAnswer lookup_ptr(const net::IpAddress&) override { return {}; }
  } resolver;
  const auto start = Clock::now();
  const auto summary = report::run_reports(**store, sender, finder, resolver, run);
  const double build = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("reports: %d reports from %ld stored rows in %.2f s (%d failures)\n", summary.reports,
              rows, build, summary.failures);
  store->reset();
  std::filesystem::remove_all(directory);
  return summary.failures == 0 ? 0 : 1;
}
