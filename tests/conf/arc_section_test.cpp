// The `arc:` section: defaults, every key, and the errors (bad domains, ARC without DKIM).
#include <gtest/gtest.h>

#include "conf/config.h"

namespace authmilter::conf {
namespace {

Result<Config> load(const std::string& text) {
  return load_config_text(text, "test.yaml");
}

TEST(ArcSection, OnByDefaultWithNoTrustedSealers) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_TRUE(config->evaluation.arc_enabled);
  EXPECT_TRUE(config->evaluation.local_policy.trusted_arc_sealers.empty());
  EXPECT_EQ(config->evaluation.arc.clock_skew_seconds, 300);
}

TEST(ArcSection, ReadsEveryKeyAndNormalisesSealers) {
  auto config = load(R"(
arc:
  enabled: false
  trusted_sealers: [Lists.Example.ORG., google.com]
  clock_skew_seconds: 60
)");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_FALSE(config->evaluation.arc_enabled);
  EXPECT_EQ(config->evaluation.local_policy.trusted_arc_sealers,
            (std::vector<std::string>{"lists.example.org", "google.com"}));
  EXPECT_EQ(config->evaluation.arc.clock_skew_seconds, 60);
}

TEST(ArcSection, ErrorsNameTheKey) {
  auto bad_domain = load("arc:\n  trusted_sealers: [\"-bad-.example\"]\n");
  ASSERT_FALSE(bad_domain.ok());
  EXPECT_NE(bad_domain.error().find("arc.trusted_sealers"), std::string::npos)
      << bad_domain.error();
  auto unknown = load("arc:\n  trusted_sealer: [a.example]\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("trusted_sealer"), std::string::npos) << unknown.error();
  auto skew = load("arc:\n  clock_skew_seconds: -1\n");
  EXPECT_FALSE(skew.ok());
}

// ARC keys are DKIM keys: asking for ARC without DKIM is an error, and turning DKIM off turns the
// default ARC off with it rather than failing a config that never mentioned ARC.
TEST(ArcSection, NeedsDkim) {
  auto implicit = load("dkim:\n  enabled: false\n");
  ASSERT_TRUE(implicit.ok()) << implicit.error();
  EXPECT_FALSE(implicit->evaluation.arc_enabled);
  auto explicit_on = load("dkim:\n  enabled: false\narc:\n  enabled: true\n");
  ASSERT_FALSE(explicit_on.ok());
  EXPECT_NE(explicit_on.error().find("arc.enabled"), std::string::npos) << explicit_on.error();
}

}  // namespace
}  // namespace authmilter::conf
