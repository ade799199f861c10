// authmilter-check --smtp's diagnosis: postconf's output read right, and each way a Postfix set-up
// misses authmilter named with its fix (the chroot case is the one Debian's default meets).
#include "check/probe_diagnosis.h"

#include <gtest/gtest.h>

#include <string>

#include "check/postfix_facts.h"
#include "check/program_output.h"

namespace authmilter::check {
namespace {

// As `postconf -M` prints Debian's master.cf (chroot y) plus a loopback listener (chroot n).
const char* kMaster =
    "smtp       inet  n       -       y       -       -       smtpd\n"
    "127.0.0.1:2525 inet n    -       n       -       -       smtpd\n"
    "  -o syslog_name=postfix/test\n"
    "pickup     unix  n       -       y       60      1       pickup\n"
    "cleanup    unix  n       -       y       -       0       cleanup\n";
const char* kOverrides =
    "127.0.0.1:2525/inet/syslog_name = postfix/test\n"
    "127.0.0.1:2525/inet/smtpd_milters = inet:127.0.0.1:8891\n"
    "127.0.0.1:2525/inet/milter_default_action = tempfail\n";

PostfixFacts facts_with(const std::string& smtpd_milters, const std::string& protocol = "6") {
  PostfixFacts facts;
  facts.main_cf = parse_postconf_parameters(
      "queue_directory = /var/spool/postfix\nsmtpd_milters = " + smtpd_milters +
      "\nnon_smtpd_milters =\nmilter_protocol = " + protocol +
      "\nmilter_default_action = accept\nmail_owner = postfix\n");
  facts.services = parse_postconf_services(kMaster, kOverrides);
  return facts;
}

ProbeFacts probe_facts(const std::string& socket, const PostfixFacts& postfix, int port = 25) {
  ProbeFacts facts;
  facts.socket = *conf::SocketSpec::parse(socket);
  facts.postfix = postfix;
  facts.probed_port = port;
  return facts;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

TEST(PostconfOutput, ParametersServicesAndOverrides) {
  const auto facts = facts_with("unix:authmilter/authmilter.sock");
  EXPECT_EQ(facts.main_cf.at("queue_directory"), "/var/spool/postfix");
  EXPECT_EQ(facts.main_cf.at("non_smtpd_milters"), "");
  ASSERT_EQ(facts.services.size(), 4u);
  const PostfixService* smtp = facts.smtpd_on_port(25);
  ASSERT_NE(smtp, nullptr);
  EXPECT_EQ(smtp->name, "smtp");
  EXPECT_TRUE(smtp->chroot);
  const PostfixService* test = facts.smtpd_on_port(2525);
  ASSERT_NE(test, nullptr);
  EXPECT_FALSE(test->chroot);
  EXPECT_EQ(test->param(facts.main_cf, "smtpd_milters"), "inet:127.0.0.1:8891");
  EXPECT_EQ(test->param(facts.main_cf, "milter_protocol"), "6");
  EXPECT_TRUE(facts.service("cleanup", "unix")->chroot);
  EXPECT_EQ(facts.smtpd_on_port(587), nullptr);
}

TEST(MilterAddresses, ListsAndBraces) {
  EXPECT_EQ(milter_addresses("unix:a/b, inet:127.0.0.1:1"),
            (std::vector<std::string>{"unix:a/b", "inet:127.0.0.1:1"}));
  EXPECT_EQ(milter_addresses("{ inet:127.0.0.1:1, connect_timeout=5s } unix:/x"),
            (std::vector<std::string>{"inet:127.0.0.1:1", "unix:/x"}));
  EXPECT_TRUE(milter_addresses("  ").empty());
}

TEST(HostPath, RelativeFromTheQueueDirectoryAbsoluteFromTheChroot) {
  const std::string queue = "/var/spool/postfix";
  EXPECT_EQ(host_path_of_milter("unix:authmilter/authmilter.sock", queue, true),
            "/var/spool/postfix/authmilter/authmilter.sock");
  EXPECT_EQ(host_path_of_milter("unix:authmilter/authmilter.sock", queue, false),
            "/var/spool/postfix/authmilter/authmilter.sock");
  EXPECT_EQ(host_path_of_milter("unix:/authmilter/authmilter.sock", queue, true),
            "/var/spool/postfix/authmilter/authmilter.sock");
  EXPECT_EQ(host_path_of_milter("local:/run/a.sock", queue, false), "/run/a.sock");
  EXPECT_EQ(host_path_of_milter("inet:127.0.0.1:1", queue, false), "");
}

TEST(LikelyCauses, NoneWhenPostfixReachesTheSocket) {
  for (const char* address : {"unix:authmilter/authmilter.sock", "unix:/authmilter/authmilter.sock",
                              "inet:127.0.0.1:9999, unix:authmilter//authmilter.sock"}) {
    SCOPED_TRACE(address);
    const auto causes = likely_causes(
        probe_facts("unix:/var/spool/postfix/authmilter/authmilter.sock", facts_with(address)));
    EXPECT_TRUE(causes.empty()) << joined(causes);
  }
}

TEST(LikelyCauses, AbsolutePathOutsideTheChrootIsNamedWithTheFix) {
  // The first run this tool exists for: quickstart's socket, named as-is, smtpd chrooted.
  const auto causes =
      likely_causes(probe_facts("unix:/var/lib/authmilter-quickstart/authmilter.sock",
                                facts_with("unix:/var/lib/authmilter-quickstart/authmilter.sock")));
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_NE(causes[0].find("runs chrooted in /var/spool/postfix"), std::string::npos);
  EXPECT_NE(causes[0].find("/var/spool/postfix/var/lib/authmilter-quickstart/authmilter.sock"),
            std::string::npos);
  EXPECT_NE(causes[0].find("smtpd_milters = unix:authmilter/authmilter.sock"), std::string::npos);
}

TEST(LikelyCauses, EmptyWrongPortProtocolDaemonDownAndPermissions) {
  const std::string ours = "unix:/var/spool/postfix/authmilter/authmilter.sock";
  EXPECT_TRUE(any_contains(likely_causes(probe_facts(ours, facts_with(""))),
                           "smtpd_milters is empty for service smtp"));
  // The 2525 listener's -o override points elsewhere; main.cf would have been right.
  EXPECT_TRUE(any_contains(
      likely_causes(probe_facts(ours, facts_with("unix:authmilter/authmilter.sock"), 2525)),
      "smtpd_milters names inet:127.0.0.1:8891, but authmilter listens on unix:"));
  EXPECT_TRUE(any_contains(
      likely_causes(probe_facts("inet:8892@127.0.0.1", facts_with("inet:127.0.0.1:8891"))),
      "but authmilter listens on inet:8892@127.0.0.1"));
  EXPECT_TRUE(
      likely_causes(probe_facts("inet:8891@127.0.0.1", facts_with("inet:127.0.0.1:8891"))).empty());
  EXPECT_TRUE(any_contains(
      likely_causes(probe_facts(ours, facts_with("unix:authmilter/authmilter.sock", "2"))),
      "milter_protocol = 2: authmilter needs 6"));
  auto down = probe_facts(ours, facts_with("unix:authmilter/authmilter.sock"));
  down.socket_problem = "connect: No such file or directory";
  EXPECT_TRUE(any_contains(likely_causes(down), "authmilter is not answering on unix:"));
  auto closed = probe_facts(ours, facts_with("unix:authmilter/authmilter.sock"));
  closed.access_problem = "the postfix user cannot write to the socket";
  EXPECT_EQ(likely_causes(closed), std::vector<std::string>{closed.access_problem});
  auto unknown_port = probe_facts(ours, facts_with("unix:authmilter/authmilter.sock"), 10025);
  EXPECT_TRUE(any_contains(likely_causes(unknown_port), "no smtpd service in master.cf listens"));
  ProbeFacts no_postfix;
  no_postfix.socket = *conf::SocketSpec::parse(ours);
  no_postfix.postfix_problem = "/usr/sbin/postconf not found";
  EXPECT_TRUE(any_contains(likely_causes(no_postfix), "cannot read Postfix's settings"));
}

TEST(ProgramOutput, CollectsStdoutAndReportsFailure) {
  auto echoed = program_output({"/bin/echo", "a b"});
  ASSERT_TRUE(echoed.ok()) << echoed.error();
  EXPECT_EQ(*echoed, "a b\n");
  auto failed = program_output({"/bin/false"});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("status 1"), std::string::npos) << failed.error();
  EXPECT_FALSE(program_output({"/nonexistent/program"}).ok());
}

}  // namespace
}  // namespace authmilter::check
