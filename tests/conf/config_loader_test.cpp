#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "conf/config.h"

namespace authmilter::conf {
namespace {

struct BadConfigText {
  const char* text;
  const char* expected;
};

Result<Config> load(const std::string& text) {
  return load_config_text(text, "test.yaml");
}

TEST(ConfigLoader, EmptyFileGivesDefaults) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error();
  // Inside Debian Postfix's chroot, reachable by the postfix group (contrib/postfix/main.cf).
  EXPECT_EQ(config->daemon.socket.to_libmilter(),
            "unix:/var/spool/postfix/authmilter/authmilter.sock");
  EXPECT_EQ(config->daemon.socket_group, "postfix");
  EXPECT_EQ(config->daemon.probe_key_file, "/var/lib/authmilter/probe.key");
  EXPECT_EQ(config->daemon.socket_mode, 0660u);
  EXPECT_EQ(config->daemon.user, "authmilter");
  EXPECT_FALSE(config->evaluation.authserv_id.empty());
  EXPECT_TRUE(config->dns.forwarders.empty());
}

TEST(ConfigLoader, ReadsEveryDaemonKey) {
  auto config = load(R"(
socket: "inet:8891@127.0.0.1"
socket_mode: "0600"
socket_group: postfix
user: nobody
group: nogroup
pidfile: /run/authmilter.pid
listen_backlog: 64
milter_timeout: 60
syslog_facility: local3
authserv_id: mx.example.net
dns:
  resolvers: ["127.0.0.1@5353", "::1"]
  timeout_ms: 1500
  unblock_local_zones: ["test."]
)");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_TRUE(config->daemon.socket.is_tcp());
  EXPECT_EQ(config->daemon.socket_mode, 0600u);
  EXPECT_EQ(config->daemon.socket_group, "postfix");
  EXPECT_EQ(config->daemon.user, "nobody");
  EXPECT_EQ(config->daemon.pidfile, "/run/authmilter.pid");
  EXPECT_EQ(config->daemon.listen_backlog, 64);
  EXPECT_EQ(config->daemon.milter_timeout_seconds, 60);
  EXPECT_EQ(config->daemon.syslog_facility, "local3");
  EXPECT_EQ(config->evaluation.authserv_id, "mx.example.net");
  EXPECT_EQ(config->dns.forwarders.size(), 2u);
  EXPECT_EQ(config->dns.query_timeout.count(), 1500);
  ASSERT_EQ(config->dns.unblock_local_zones.size(), 1u);
}

TEST(ConfigLoader, DnsBudgetAndAnswerBounds) {
  auto defaults = load("");
  ASSERT_TRUE(defaults.ok()) << defaults.error();
  EXPECT_EQ(defaults->dns.message_budget, dns::kDefaultMessageBudget);
  EXPECT_EQ(defaults->dns.answer_bounds.max_records, dns::kMaxRecordsPerAnswer);
  EXPECT_EQ(defaults->dns.answer_bounds.max_txt_bytes, dns::kMaxTxtLength);
  auto set =
      load("dns:\n  message_budget_ms: 0\n  max_answer_records: 20\n  max_txt_bytes: 4096\n");
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_EQ(set->dns.message_budget.count(), 0);  // no budget
  EXPECT_EQ(set->dns.answer_bounds.max_records, 20u);
  EXPECT_EQ(set->dns.answer_bounds.max_txt_bytes, 4096u);
  const BadConfigText bad[] = {
      {"dns:\n  message_budget_ms: -1\n", "dns.message_budget_ms: must be between 0 and 300000"},
      {"dns:\n  max_answer_records: 0\n", "dns.max_answer_records: must be between 1 and 4096"},
      {"dns:\n  max_txt_bytes: 100\n", "dns.max_txt_bytes: must be between 255 and 65535"},
  };
  for (const auto& [text, expected] : bad) {
    auto config = load(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.error().find(expected), std::string::npos) << config.error();
  }
}

struct BadConfig {
  const char* name;
  const char* text;
  const char* expected;  // substring of the error: file:line:col: key: message
};

TEST(ConfigLoader, ErrorsNameFileLineColumnAndKey) {
  const BadConfig cases[] = {
      {"typo", "socket: \"inet:8891@127.0.0.1\"\nsokcet_mode: \"0600\"\n",
       "test.yaml:2:1: sokcet_mode: unknown key"},
      {"nested typo", "dns:\n  resolver: [\"127.0.0.1\"]\n",
       "test.yaml:2:3: dns.resolver: unknown key"},
      {"duplicate key", "dmarc:\n  temperror: accept\n  temperror: tempfail\n",
       "test.yaml:3:3: dmarc.temperror: duplicate key"},
      {"duplicate top-level key", "user: a\nuser: b\n", "test.yaml:2:1: user: duplicate key"},
      {"bad socket", "socket: \"tcp:25\"\n", "test.yaml:1:9: socket: unknown socket type"},
      {"bad port", "socket: \"inet:99999@127.0.0.1\"\n", "socket: port must be"},
      {"bad mode", "socket_mode: \"0999\"\n", "socket_mode: expected an octal mode"},
      {"wrong type", "dns:\n  timeout_ms: soon\n",
       "test.yaml:2:15: dns.timeout_ms: expected a whole"},
      {"out of range", "dns:\n  timeout_ms: 5\n", "dns.timeout_ms: must be between 100 and 60000"},
      {"list expected", "dns:\n  resolvers: 127.0.0.1\n", "dns.resolvers: expected a list"},
      {"bad resolver", "dns:\n  resolvers: [\"resolver.example\"]\n", "dns.resolvers: 'resolver"},
      {"section not map", "dns: 3\n", "dns: expected a mapping"},
      {"header injection id", "authserv_id: \"mx.example.net\\r\\nX-Evil: 1\"\n",
       "authserv_id: must be a host name"},
      {"relative pidfile", "pidfile: run/a.pid\n", "pidfile: must be an absolute path"},
      {"relative probe key", "probe_key_file: probe.key\n",
       "probe_key_file: must be an absolute path"},
      {"bad facility", "syslog_facility: kern\n", "syslog_facility: expected mail"},
      {"yaml syntax", "socket: [unclosed\n", "test.yaml:"},
      {"top not map", "- a\n- b\n", "expected a mapping"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.name);
    auto config = load(bad.text);
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().find(bad.expected), std::string::npos) << config.error();
  }
}

TEST(ConfigLoader, MissingFileIsAClearError) {
  auto config = load_config("/nonexistent/authmilter.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("/nonexistent/authmilter.yaml"), std::string::npos);
}

TEST(ConfigLoader, RefusesAWorldWritableFile) {
  char path[] = "/tmp/authmilter-config-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "authserv_id: mx.example.net\n", 28), 28);
  close(fd);
  ASSERT_EQ(chmod(path, 0644), 0);
  EXPECT_TRUE(load_config(path).ok());
  ASSERT_EQ(chmod(path, 0666), 0);
  auto config = load_config(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("world-writable"), std::string::npos) << config.error();
  unlink(path);
}

TEST(ConfigLoader, ShippedExampleIsValid) {
  auto config = load_config(std::string(AUTHMILTER_SOURCE_DIR) + "/conf/authmilter.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
}

}  // namespace
}  // namespace authmilter::conf
