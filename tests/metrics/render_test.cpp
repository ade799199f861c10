// The whole registry rendered: every family has HELP and TYPE before its samples, counters
// move by exactly what was added, label sets stay the bounded enumerations.
#include "metrics/render.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace authmilter::metrics {
namespace {

std::string value_of(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return "<absent>";
  const auto start = at + series.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

TEST(Render, CountersShowWhatWasAdded) {
  Registry registry;
  count(registry.messages, MessageAction::quarantine);
  count(registry.messages, MessageAction::quarantine);
  registry.results[index_of(Method::dmarc)][index_of(CheckResult::fail)].add(5);
  registry.dns_queries[index_of(DnsType::txt)][index_of(DnsOutcome::nxdomain)].add();
  const std::string text = render_exposition(registry, {"1.2.3", 7});
  EXPECT_EQ(value_of(text, "authmilter_messages_total{action=\"quarantine\"}"), "2");
  EXPECT_EQ(value_of(text, "authmilter_messages_total{action=\"accept\"}"), "0");
  EXPECT_EQ(value_of(text, "authmilter_results_total{method=\"dmarc\",result=\"fail\"}"), "5");
  EXPECT_EQ(value_of(text, "authmilter_dns_queries_total{type=\"TXT\",outcome=\"nxdomain\"}"), "1");
  EXPECT_EQ(value_of(text, "authmilter_connections_active"), "7");
  EXPECT_EQ(value_of(text, "authmilter_build_info{version=\"1.2.3\"}"), "1");
  EXPECT_EQ(value_of(text, "authmilter_config_last_reload_success"), "1");
}

TEST(Render, ResultsOnlyForResultsAMethodCanHave) {
  const std::string text = render_exposition(Registry{}, {"x", 0});
  EXPECT_EQ(value_of(text, "authmilter_results_total{method=\"dkim\",result=\"policy\"}"), "0");
  EXPECT_EQ(value_of(text, "authmilter_results_total{method=\"spf\",result=\"softfail\"}"), "0");
  EXPECT_EQ(value_of(text, "authmilter_results_total{method=\"spf\",result=\"policy\"}"),
            "<absent>");
  EXPECT_EQ(value_of(text, "authmilter_results_total{method=\"dmarc\",result=\"neutral\"}"),
            "<absent>");
}

// Every sample line belongs to a family declared just before by HELP then TYPE, each family is
// declared once, and every name carries the authmilter_ prefix.
TEST(Render, EveryFamilyHasHelpThenTypeOnce) {
  const std::string text = render_exposition(Registry{}, {"x", 0});
  std::istringstream lines(text);
  std::string line, family, pending_help;
  std::set<std::string> declared;
  while (std::getline(lines, line)) {
    SCOPED_TRACE(line);
    if (line.rfind("# HELP ", 0) == 0) {
      pending_help = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(family, pending_help);
      EXPECT_TRUE(declared.insert(family).second) << "declared twice";
      EXPECT_EQ(family.rfind("authmilter_", 0), 0u);
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    const bool belongs = name == family || name == family + "_bucket" || name == family + "_sum" ||
                         name == family + "_count";
    EXPECT_TRUE(belongs) << "sample outside its family " << family;
  }
  EXPECT_GE(declared.size(), 18u);
}

TEST(Render, ProcessRegistryIsOneInstance) {
  EXPECT_EQ(&registry(), &registry());
  EXPECT_GT(registry().process_start_time.value(), 1.6e9);
}

}  // namespace
}  // namespace authmilter::metrics
