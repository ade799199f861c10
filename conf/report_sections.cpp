// report_sections.cpp - YAML -> StoreOptions / ReportOptions.
#include "conf/report_sections.h"

#include <cctype>
#include <fstream>

namespace authmilter::conf {

namespace {

constexpr long kMaxRetentionDays = 3660;
constexpr std::size_t kMaxCommandWords = 32;

bool is_domain(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;  // RFC 1035 §2.3.4
  for (unsigned char c : text)
    if (!std::isalnum(c) && c != '.' && c != '-') return false;
  return text.front() != '.' && text.back() != '.';
}

bool is_address(const std::string& text) {
  const auto at = text.rfind('@');
  if (at == std::string::npos || at == 0 || at > 64) return false;
  for (unsigned char c : text.substr(0, at))
    if (std::iscntrl(c) || std::isspace(c) || c == '<' || c == '>' || c == ',') return false;
  return is_domain(text.substr(at + 1));
}

// The password lives in its own file (mode 0600), not in the world-readable main config.
std::string read_password(YamlSection& section, const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string password;
  if (!in || !std::getline(in, password)) section.fail("password_file", "cannot read " + path);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

report::StartTls read_starttls(YamlSection& section) {
  const std::string starttls = section.get_string("starttls", "required");
  if (starttls == "required") return report::StartTls::required;
  if (starttls == "opportunistic") return report::StartTls::opportunistic;
  if (starttls != "off") section.fail("starttls", "expected required, opportunistic or off");
  return report::StartTls::off;
}

report::SmtpOptions read_smtp(YamlSection section, const std::string& submitter,
                              const std::string& email) {
  report::SmtpOptions smtp;
  smtp.host = section.get_string("host", smtp.host);
  if (!is_domain(smtp.host)) section.fail("host", "expected a host name or IPv4 address");
  smtp.port = static_cast<int>(section.get_integer("port", smtp.port, 1, 65535));
  smtp.starttls = read_starttls(section);
  smtp.verify_certificate = section.get_bool("verify_certificate", true);
  smtp.ca_file = section.get_string("ca_file", "");
  smtp.username = section.get_string("username", "");
  smtp.password = read_password(section, section.get_string("password_file", ""));
  if (!smtp.username.empty() && smtp.starttls == report::StartTls::off)
    section.fail("username", "AUTH needs TLS: set starttls to required");
  smtp.helo_name = section.get_string("helo_name", submitter);
  smtp.timeout = std::chrono::seconds(section.get_integer("timeout_seconds", 60, 1, 600));
  smtp.envelope_from = email;
  section.check_unknown_keys();
  return smtp;
}

void read_delivery(YamlSection& section, report::ReportOptions& reports) {
  const std::string delivery = section.get_string("delivery", "sendmail");
  if (delivery == "sendmail")
    reports.delivery = report::DeliveryMethod::sendmail;
  else if (delivery == "smtp")
    reports.delivery = report::DeliveryMethod::smtp;
  else
    section.fail("delivery", "expected sendmail or smtp");
  if (section.has("sendmail_command")) {
    reports.sendmail_command = section.get_string_list("sendmail_command");
    if (reports.sendmail_command.empty() || reports.sendmail_command.size() > kMaxCommandWords ||
        reports.sendmail_command.front().empty() || reports.sendmail_command.front()[0] != '/')
      section.fail("sendmail_command", "expected a list: an absolute program path, then arguments");
  }
  reports.smtp = read_smtp(section.section("smtp"), reports.submitter, reports.email);
}

}  // namespace

report::StoreOptions read_store_section(YamlSection section) {
  report::StoreOptions store;
  store.url = section.get_string("url", store.url);
  const bool sqlite = store.url.starts_with("sqlite:///");
  if (!sqlite && !store.url.starts_with("postgresql://") && !store.url.starts_with("postgres://"))
    section.fail("url", "expected sqlite:///absolute/path or postgresql://...");
  const std::string sync = section.get_string("sqlite_synchronous", "full");
  if (sync != "full" && sync != "normal")
    section.fail("sqlite_synchronous", "expected full or normal");
  store.sqlite_synchronous_full = sync == "full";
  const std::string failure = section.get_string("on_failure", "tempfail");
  if (failure == "tempfail")
    store.on_failure = report::StoreFailureAction::tempfail;
  else if (failure == "continue")
    store.on_failure = report::StoreFailureAction::continue_unrecorded;
  else
    section.fail("on_failure", "expected tempfail or continue");
  store.retention_seconds = section.get_integer("retention_days", 30, 1, kMaxRetentionDays) * 86400;
  section.check_unknown_keys();
  return store;
}

report::ReportOptions read_reports_section(YamlSection section, const std::string& host_name) {
  report::ReportOptions reports;
  reports.submitter = section.get_string("submitter", host_name);
  if (!is_domain(reports.submitter)) section.fail("submitter", "expected a domain name");
  reports.org_name = section.get_string("org_name", reports.submitter);
  if (reports.org_name.empty() || reports.org_name.size() > 255)
    section.fail("org_name", "expected 1 to 255 characters");
  reports.email = section.get_string("email", "noreply-dmarc@" + reports.submitter);
  if (!is_address(reports.email)) section.fail("email", "expected an address local@domain");
  reports.extra_contact_info = section.get_string("extra_contact_info", "");
  const std::string format = section.get_string("format", "rfc9990");
  if (format == "rfc9990")
    reports.format = report::ReportFormat::rfc9990;
  else if (format == "rfc7489")
    reports.format = report::ReportFormat::rfc7489;
  else
    section.fail("format", "expected rfc9990 or rfc7489");
  reports.interval_seconds = section.get_integer("interval_hours", 24, 1, 24) * 3600;
  if (86400 % reports.interval_seconds != 0)
    section.fail("interval_hours", "must divide 24 so that intervals align with UTC days");
  read_delivery(section, reports);
  reports.public_suffix_list = section.get_string("public_suffix_list", "");
  section.check_unknown_keys();
  return reports;
}

}  // namespace authmilter::conf
