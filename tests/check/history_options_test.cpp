// authmilter-check --history: its time arguments, its option errors, and how a candidate's
// changed settings are classified (replayed, no effect, not replayable from records).
#include <gtest/gtest.h>

#include "check/check_options.h"
#include "check/history_time.h"
#include "check/setting_changes.h"
#include "conf/flat_settings.h"

namespace authmilter::check {
namespace {

constexpr std::int64_t kNow = 1'765'000'000;

TEST(HistoryTime, UnixSecondsDatesAndAges) {
  EXPECT_EQ(parse_history_time("1700000000", kNow), 1'700'000'000);
  EXPECT_EQ(parse_history_time("2023-11-15", kNow), 1'700'006'400);
  EXPECT_EQ(parse_history_time("7d", kNow), kNow - 7 * 86400);
  EXPECT_EQ(parse_history_time("24h", kNow), kNow - 86400);
  EXPECT_EQ(parse_history_time("30m", kNow), kNow - 1800);
}

TEST(HistoryTime, AnythingElseIsRefused) {
  for (const char* bad : {"", "d", "7w", "-7d", "7dd", "yesterday", "2023-02-30", "2023-13-01",
                          "2023-1-01", "1e9", "99999999999999999999d", " 7d"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_history_time(bad, kNow).has_value());
  }
}

CheckOptions parse(std::vector<const char*> args) {
  args.insert(args.begin(), "authmilter-check");
  return parse_check_options(static_cast<int>(args.size()), const_cast<char**>(args.data()),
                             "/etc/authmilter/authmilter.yaml");
}

TEST(HistoryOptions, DefaultsToTheLastSevenDaysOfTheRunningConfig) {
  const auto options = parse({"--history"});
  ASSERT_TRUE(options.error.empty()) << options.error;
  EXPECT_TRUE(options.history);
  EXPECT_EQ(options.config_path, options.running_config_path);
  EXPECT_EQ(options.until - options.since, 7 * 86400 + 1);
}

TEST(HistoryOptions, CandidateWindowAndJson) {
  const auto options = parse({"--history", "--config", "candidate.yaml", "--since", "2023-11-15",
                              "--until", "1700100000", "--json"});
  ASSERT_TRUE(options.error.empty()) << options.error;
  EXPECT_EQ(options.config_path, "candidate.yaml");
  EXPECT_EQ(options.running_config_path, "/etc/authmilter/authmilter.yaml");
  EXPECT_EQ(options.since, 1'700'006'400);
  EXPECT_EQ(options.until, 1'700'100'000);
  EXPECT_TRUE(options.json);
}

TEST(HistoryOptions, BadTimesAndMixedModesAreErrors) {
  EXPECT_NE(parse({"--history", "--since", "last week"}).error.find("--since: 'last week'"),
            std::string::npos);
  EXPECT_NE(parse({"--history", "--until", "2023-02-30"}).error.find("--until"), std::string::npos);
  EXPECT_NE(parse({"--history", "--since", "1d", "--until", "2d"}).error.find("before"),
            std::string::npos);
  EXPECT_FALSE(parse({"--history", "message.eml"}).error.empty());
  EXPECT_FALSE(parse({"--history", "--since"}).error.empty());
}

TEST(SettingChanges, EachChangedSettingIsClassified) {
  auto running = conf::flat_settings_text(
      "dmarc:\n  reject: rfc9989\n  temperror: accept\n  forwarders:\n    networks: []\n"
      "dkim:\n  min_rsa_key_bits: 1024\nstore:\n  url: sqlite:///x\n");
  auto candidate = conf::flat_settings_text(
      "dmarc:\n  reject: honor\n  temperror: tempfail\n  forwarders:\n"
      "    networks: [192.0.2.0/24]\n  overrides:\n    example.org: {reject: never}\n"
      "  reject_text: no\n"
      "dkim:\n  min_rsa_key_bits: 2048\nspf:\n  reject_on_fail: true\nstore:\n  url: sqlite:///x\n"
      "trusted_networks: [10.0.0.0/8]\nlimits:\n  max_recipients: 5\n");
  ASSERT_TRUE(running.ok() && candidate.ok());
  const auto changes = compare_settings(*running, *candidate, true);
  std::map<std::string, SettingChange> by_path;
  for (const auto& change : changes) by_path[change.path] = change;
  EXPECT_EQ(by_path.size(), 9u);
  EXPECT_EQ(by_path["dmarc.reject"].replay, SettingReplay::replayed);
  EXPECT_EQ(by_path["dmarc.reject"].running, "rfc9989");
  EXPECT_EQ(by_path["dmarc.reject"].candidate, "honor");
  EXPECT_EQ(by_path["dmarc.overrides"].replay, SettingReplay::replayed);
  EXPECT_EQ(by_path["dmarc.overrides"].running, "(unset)");
  EXPECT_EQ(by_path["dmarc.forwarders"].replay, SettingReplay::replayed);
  EXPECT_EQ(by_path["dmarc.temperror"].replay, SettingReplay::replayed);
  EXPECT_EQ(by_path["dmarc.reject_text"].replay, SettingReplay::no_effect);
  EXPECT_EQ(by_path["dkim.min_rsa_key_bits"].replay, SettingReplay::not_replayable);
  EXPECT_EQ(by_path["spf.reject_on_fail"].note, "refused at RCPT TO, before any row is written");
  EXPECT_EQ(by_path["trusted_networks"].replay, SettingReplay::not_replayable);
  EXPECT_EQ(by_path["limits.max_recipients"].replay, SettingReplay::not_replayable);
  // temperror rows exist only when the running config accepts a DMARC temperror.
  EXPECT_EQ(compare_settings(*candidate, *running, false).front().path, "dkim.min_rsa_key_bits");
  for (const auto& change : compare_settings(*candidate, *running, false))
    if (change.path == "dmarc.temperror") {
      EXPECT_EQ(change.replay, SettingReplay::not_replayable);
    }
}

TEST(SettingChanges, UnreadableYamlIsAnError) {
  EXPECT_FALSE(conf::flat_settings_text("dmarc: [unclosed").ok());
  EXPECT_FALSE(conf::flat_settings("/nonexistent/authmilter.yaml").ok());
}

}  // namespace
}  // namespace authmilter::check
