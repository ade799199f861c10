// The text exposition format 0.0.4: HELP/TYPE lines, label and help escaping, number forms,
// and histogram lines (cumulative buckets ending at +Inf, _sum, _count).
#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <chrono>

namespace authmilter::metrics {
namespace {

using std::chrono::milliseconds;

TEST(Exposition, EscapesLabelValues) {
  struct Case {
    const char* id;
    std::string_view raw;
    std::string_view escaped;
  };
  const Case cases[] = {
      {"plain", "accept", "accept"},
      {"backslash", R"(a\b)", R"(a\\b)"},
      {"quote", R"(say "hi")", R"(say \"hi\")"},
      {"newline", "two\nlines", R"(two\nlines)"},
      {"all", "\\\"\n", R"(\\\"\n)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(escape_label_value(c.raw), c.escaped);
  }
}

TEST(Exposition, EscapesHelpButNotQuotes) {
  EXPECT_EQ(escape_help("a \"b\" \\ c\nd"), R"(a "b" \\ c\nd)");
}

TEST(Exposition, NumbersInShortestForm) {
  EXPECT_EQ(format_number(0.0005), "0.0005");
  EXPECT_EQ(format_number(1), "1");
  EXPECT_EQ(format_number(2.5), "2.5");
  EXPECT_EQ(format_number(12345678), "12345678");
  EXPECT_EQ(format_number(1.0 / 0.0), "+Inf");
}

TEST(Exposition, FamilyAndLabelledSamples) {
  ExpositionWriter out;
  out.family("x_total", "Things\ncounted.", "counter");
  out.sample("x_total", {{"kind", "a\"b"}, {"way", "up"}}, 3);
  out.sample("x_total", {}, 0);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things\\ncounted.\n"
            "# TYPE x_total counter\n"
            "x_total{kind=\"a\\\"b\",way=\"up\"} 3\n"
            "x_total 0\n");
}

TEST(Exposition, HistogramBucketsAreCumulativeAndEndAtInf) {
  DurationHistogram histogram;
  histogram.observe(milliseconds(1));           // le=0.001 (bounds are inclusive)
  histogram.observe(milliseconds(3));           // le=0.005
  histogram.observe(milliseconds(3));           // le=0.005
  histogram.observe(std::chrono::seconds(60));  // beyond the last bound: +Inf only
  ExpositionWriter out;
  out.histogram("t_seconds", {{"check", "spf"}}, histogram.snapshot());
  const std::string& text = out.text();
  EXPECT_NE(text.find("t_seconds_bucket{check=\"spf\",le=\"0.0005\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{check=\"spf\",le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{check=\"spf\",le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{check=\"spf\",le=\"0.005\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{check=\"spf\",le=\"30\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{check=\"spf\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_sum{check=\"spf\"} 60.007\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_count{check=\"spf\"} 4\n"), std::string::npos);
  // +Inf is the last bucket line, then _sum, then _count.
  EXPECT_LT(text.find("le=\"30\""), text.find("le=\"+Inf\""));
  EXPECT_LT(text.find("le=\"+Inf\""), text.find("_sum"));
  EXPECT_LT(text.find("_sum"), text.find("_count"));
}

}  // namespace
}  // namespace authmilter::metrics
