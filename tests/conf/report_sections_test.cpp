// report_sections_test.cpp - the store and reports sections: defaults, every key, bad values.
#include "conf/report_sections.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace authmilter::conf {
namespace {

YamlSection section_of(const std::string& text, const std::string& key) {
  return YamlSection(YAML::Load(text), "test.yaml", "").section(key);
}

report::StoreOptions store(const std::string& text) {
  return read_store_section(section_of(text, "store"));
}
report::ReportOptions reports(const std::string& text) {
  return read_reports_section(section_of(text, "reports"), "mx.receiver.example");
}

std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(ReportSections, Defaults) {
  const auto s = store("{}");
  EXPECT_EQ(s.url, "sqlite:///var/lib/authmilter/records.db");
  EXPECT_TRUE(s.sqlite_synchronous_full);
  EXPECT_EQ(s.on_failure, report::StoreFailureAction::tempfail);
  EXPECT_EQ(s.retention_seconds, 30 * 86400);
  const auto r = reports("{}");
  EXPECT_EQ(r.submitter, "mx.receiver.example");
  EXPECT_EQ(r.email, "noreply-dmarc@mx.receiver.example");
  EXPECT_EQ(r.format, report::ReportFormat::rfc9990);
  EXPECT_EQ(r.interval_seconds, 86400);
  EXPECT_EQ(r.sendmail_command, (std::vector<std::string>{"/usr/sbin/sendmail", "-t", "-oi"}));
}

TEST(ReportSections, ReadsEveryKey) {
  const auto s = store(R"(
store:
  url: postgresql://authmilter@db.example/reports
  sqlite_synchronous: normal
  on_failure: continue
  retention_days: 7
)");
  EXPECT_EQ(s.url, "postgresql://authmilter@db.example/reports");
  EXPECT_FALSE(s.sqlite_synchronous_full);
  EXPECT_EQ(s.on_failure, report::StoreFailureAction::continue_unrecorded);
  EXPECT_EQ(s.retention_seconds, 7 * 86400);
  const auto r = reports(R"(
reports:
  org_name: Example Receiver
  email: dmarc@receiver.example
  extra_contact_info: https://receiver.example/dmarc
  submitter: receiver.example
  format: rfc7489
  interval_hours: 6
  sendmail_command: [/usr/sbin/sendmail, -t, -oi, -f, dmarc@receiver.example]
  public_suffix_list: /tmp/psl.dat
)");
  EXPECT_EQ(r.org_name, "Example Receiver");
  EXPECT_EQ(r.email, "dmarc@receiver.example");
  EXPECT_EQ(r.extra_contact_info, "https://receiver.example/dmarc");
  EXPECT_EQ(r.submitter, "receiver.example");
  EXPECT_EQ(r.format, report::ReportFormat::rfc7489);
  EXPECT_EQ(r.interval_seconds, 6 * 3600);
  EXPECT_EQ(r.sendmail_command.size(), 5u);
  EXPECT_EQ(r.public_suffix_list, "/tmp/psl.dat");
}

TEST(ReportSections, ReadsSmtpSubmission) {
  char path[] = "/tmp/authmilter-password-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "pa ss\n", 6), 6);
  close(fd);
  const auto r = reports(std::string(R"(
reports:
  email: dmarc@receiver.example
  submitter: receiver.example
  delivery: smtp
  smtp:
    host: submit.receiver.example
    port: 465
    starttls: opportunistic
    verify_certificate: false
    ca_file: /etc/ssl/certs/ca.pem
    username: reporter
    timeout_seconds: 30
    password_file: )") + path +
                         "\n");
  unlink(path);
  EXPECT_EQ(r.delivery, report::DeliveryMethod::smtp);
  EXPECT_EQ(r.smtp.host, "submit.receiver.example");
  EXPECT_EQ(r.smtp.port, 465);
  EXPECT_EQ(r.smtp.starttls, report::StartTls::opportunistic);
  EXPECT_FALSE(r.smtp.verify_certificate);
  EXPECT_EQ(r.smtp.ca_file, "/etc/ssl/certs/ca.pem");
  EXPECT_EQ(r.smtp.username, "reporter");
  EXPECT_EQ(r.smtp.password, "pa ss");
  EXPECT_EQ(r.smtp.helo_name, "receiver.example");
  EXPECT_EQ(r.smtp.envelope_from, "dmarc@receiver.example");
  EXPECT_EQ(r.smtp.timeout, std::chrono::seconds(30));
}

TEST(ReportSections, TheAnnotatedExampleLoads) {
  const std::string path = std::string(AUTHMILTER_SOURCE_DIR) + "/conf/authmilter.yaml";
  YamlSection top(YAML::LoadFile(path), path, "");
  const auto s = read_store_section(top.section("store"));
  const auto r = read_reports_section(top.section("reports"), "host.example");
  EXPECT_EQ(s.url, "sqlite:///var/lib/authmilter/records.db");
  EXPECT_EQ(r.submitter, "host.example");  // the example leaves it to the host name
  EXPECT_EQ(r.delivery, report::DeliveryMethod::sendmail);
}

TEST(ReportSections, RejectsBadValuesWithPosition) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"store:\n  url: mysql://x\n", "test.yaml:2:8: store.url"},
      {"store:\n  on_failure: accept\n", "store.on_failure"},
      {"store:\n  sqlite_synchronous: off\n", "store.sqlite_synchronous"},
      {"store:\n  retention_days: 0\n", "store.retention_days"},
      {"store:\n  urll: sqlite:///x\n", "store.urll"},
      {"reports:\n  format: xml\n", "reports.format"},
      {"reports:\n  interval_hours: 5\n", "reports.interval_hours"},
      {"reports:\n  email: not-an-address\n", "reports.email"},
      {"reports:\n  submitter: 'bad domain'\n", "reports.submitter"},
      {"reports:\n  sendmail_command: [sendmail]\n", "reports.sendmail_command"},
      {"reports:\n  colour: blue\n", "reports.colour"},
      {"reports:\n  delivery: pigeon\n", "reports.delivery"},
      {"reports:\n  smtp:\n    starttls: maybe\n", "reports.smtp.starttls"},
      {"reports:\n  smtp:\n    starttls: 'off'\n    username: u\n", "reports.smtp.username"},
      {"reports:\n  smtp:\n    password_file: /nonexistent/pw\n", "reports.smtp.password_file"},
      {"reports:\n  smtp:\n    port: 0\n", "reports.smtp.port"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string error = error_of([&] {
      (void)store(c.text);
      (void)reports(c.text);
    });
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace authmilter::conf
