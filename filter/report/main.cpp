// main.cpp - authmilter-report: mail the aggregate reports of closed intervals (run by cron).
//
// Reads the daemon's config file. Until conf::Config carries `store` and `reports`, this
// program reads those two sections (and dns.resolvers) itself with conf/report_sections.h.
// Exit status: 0 all done (or nothing to do), 1 some report failed or was deferred (retried on
// the next run), 2 usage or configuration error. One line per report on stdout; quiet when
// there is nothing to do.
#include <unistd.h>

#include <climits>
#include <ctime>
#include <iostream>

#include "dmarc/org_domain.h"
#include "dns/unbound_resolver.h"
#include "report/report_run.h"
#include "report/smtp_sender.h"
#include "report_command_line.h"
#include "report_sections.h"

namespace {

using namespace authmilter;

constexpr const char* kUsage =
    "usage: authmilter-report --config PATH [--dry-run --out-dir DIR] [--domain D]\n"
    "                         [--since T] [--until T]   (T: unix seconds or YYYY-MM-DD)\n";

// RFC 7489 §3.2 Organizational Domains for the external-destination check.
class PslFinder final : public dmarc::OrgDomainFinder {
 public:
  explicit PslFinder(std::shared_ptr<const dmarc::PublicSuffixList> list)
      : list_(std::move(list)) {}
  dmarc::OrgDomainAnswer find(std::string_view domain) override {
    return {false, list_->org_domain(domain), ""};
  }

 private:
  std::shared_ptr<const dmarc::PublicSuffixList> list_;
};

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

struct Settings {
  report::StoreOptions store;
  report::ReportOptions reports;
  dns::ResolverOptions dns;
};

Settings read_settings(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& error) {
    throw conf::ConfigError(path + ": " + error.what());
  }
  conf::YamlSection top(root, path, "");
  Settings settings;
  settings.store = conf::read_store_section(top.section("store"));
  settings.reports = conf::read_reports_section(top.section("reports"), host_name());
  auto dns = top.section("dns");
  settings.dns.forwarders = dns.get_string_list("resolvers");
  settings.dns.resolv_conf = dns.get_string("resolv_conf", settings.dns.resolv_conf);
  return settings;
}

int run(const filter::ReportCommandLine& line, const Settings& settings) {
  auto store = report::open_store(settings.store);
  if (!store) return std::cerr << "authmilter-report: " << store.error() << "\n", 1;
  auto resolver = dns::UnboundResolver::create(settings.dns);
  if (!resolver) return std::cerr << "authmilter-report: " << resolver.error() << "\n", 1;
  auto psl = dmarc::load_shared_public_suffix_list(settings.reports.public_suffix_list);
  if (!psl) return std::cerr << "authmilter-report: " << psl.error() << "\n", 1;
  PslFinder finder(*psl);
  std::unique_ptr<report::ReportSender> sender;
  if (settings.reports.delivery == report::DeliveryMethod::smtp)
    sender = std::make_unique<report::SmtpSender>(settings.reports.smtp);
  else
    sender = std::make_unique<report::SendmailSender>(settings.reports.sendmail_command);

  report::RunOptions options;
  options.report = settings.reports;
  options.now = static_cast<std::int64_t>(std::time(nullptr));
  options.query.interval_seconds = settings.reports.interval_seconds;
  options.query.until = line.until.value_or(options.now);
  options.query.since = line.since.value_or(0);
  options.query.domain = line.domain;
  options.retention_seconds = settings.store.retention_seconds;
  options.dry_run = line.dry_run;
  options.out_dir = line.out_dir;
  const auto summary = report::run_reports(**store, *sender, finder, **resolver, options);
  for (const auto& text : summary.lines) std::cout << text << "\n";
  return summary.failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  auto line = filter::parse_report_command_line(argc, argv);
  if (!line) return std::cerr << "authmilter-report: " << line.error() << "\n" << kUsage, 2;
  if (line->help) return std::cout << kUsage, 0;
  Settings settings;
  try {
    settings = read_settings(line->config_path);
  } catch (const conf::ConfigError& error) {
    std::cerr << "authmilter-report: " << error.what() << "\n";
    return 2;
  }
  return run(*line, settings);
}
