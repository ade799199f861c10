// The `dmarc:` section: defaults, every key, and errors naming file:line:col and the key.
#include <gtest/gtest.h>

#include "conf/config.h"

namespace authmilter::conf {
namespace {

Result<Config> load(const std::string& text) {
  return load_config_text(text, "test.yaml");
}

TEST(DmarcSection, SafeDefaults) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_TRUE(config->evaluation.dmarc_enabled);
  EXPECT_EQ(config->evaluation.dmarc.mode, dmarc::DmarcMode::rfc9989);
  const auto& policy = config->evaluation.local_policy;
  EXPECT_EQ(policy.reject, decision::RejectMode::rfc9989);
  EXPECT_EQ(policy.quarantine, decision::QuarantineMode::hold);
  EXPECT_EQ(policy.multiple_from, dmarc::MultipleFromPolicy::reject);
  EXPECT_EQ(policy.no_author, decision::NoAuthorMode::reject);
  EXPECT_EQ(policy.on_temperror, decision::TemperrorMode::accept);
  EXPECT_FALSE(policy.dry_run);
  EXPECT_TRUE(policy.overrides.empty());
}

TEST(DmarcSection, ReadsEveryKey) {
  auto config = load(R"(
dmarc:
  enabled: true
  mode: rfc7489
  psl_path: /tmp/psl.dat
  reject: honor
  reject_text: "Go away, %d"
  quarantine: both
  quarantine_header: "X-Junk:   yes please"
  multiple_from: strictest
  no_from: quarantine
  temperror: tempfail
  dry_run: true
  forwarders:
    networks: ["192.0.2.0/24", "2001:db8::1"]
    domains: ["Lists.Example.ORG."]
  overrides:
    example.org: {reject: never}
    partner.example: {max_disposition: none}
)");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->evaluation.dmarc.mode, dmarc::DmarcMode::rfc7489);
  EXPECT_EQ(config->evaluation.dmarc.psl_path, "/tmp/psl.dat");
  const auto& policy = config->evaluation.local_policy;
  EXPECT_EQ(policy.reject, decision::RejectMode::honor);
  EXPECT_EQ(policy.reject_text, "Go away, %d");
  EXPECT_EQ(policy.quarantine, decision::QuarantineMode::both);
  EXPECT_EQ(policy.quarantine_header_name, "X-Junk");
  EXPECT_EQ(policy.quarantine_header_value, "yes please");
  EXPECT_EQ(policy.multiple_from, dmarc::MultipleFromPolicy::strictest);
  EXPECT_EQ(policy.no_author, decision::NoAuthorMode::quarantine);
  EXPECT_EQ(policy.on_temperror, decision::TemperrorMode::tempfail);
  EXPECT_TRUE(policy.dry_run);
  EXPECT_EQ(policy.forwarders.networks.size(), 2u);
  ASSERT_EQ(policy.forwarders.domains.size(), 1u);
  EXPECT_EQ(policy.forwarders.domains[0], "lists.example.org");
  ASSERT_EQ(policy.overrides.size(), 2u);
  EXPECT_EQ(policy.overrides[0].domain, "example.org");
  EXPECT_EQ(policy.overrides[0].reject, decision::RejectMode::never);
  EXPECT_FALSE(policy.overrides[0].max_disposition);
  EXPECT_EQ(policy.overrides[1].max_disposition, dmarc::Disposition::none);
}

TEST(DmarcSection, ErrorsNameTheKey) {
  const struct {
    const char* name;
    const char* text;
    const char* expected;
  } cases[] = {
      {"bad mode", "dmarc:\n  mode: rfc9999\n", "test.yaml:2:9: dmarc.mode: expected one of"},
      {"bad reject", "dmarc:\n  reject: sometimes\n", "dmarc.reject: expected one of"},
      {"typo", "dmarc:\n  dryrun: true\n", "test.yaml:2:3: dmarc.dryrun: unknown key"},
      {"bad network", "dmarc:\n  forwarders:\n    networks: [\"10.0.0.0/33\"]\n",
       "dmarc.forwarders.networks: '10.0.0.0/33'"},
      {"bad domain", "dmarc:\n  forwarders:\n    domains: [\"a..b\"]\n",
       "dmarc.forwarders.domains: 'a..b' is not a domain"},
      {"reply injection", "dmarc:\n  reject_text: \"no\\r\\n250 ok\"\n", "dmarc.reject_text:"},
      {"header injection", "dmarc:\n  quarantine_header: \"X-A: b\\r\\nBcc: c\"\n",
       "dmarc.quarantine_header:"},
      {"header without colon", "dmarc:\n  quarantine_header: \"Junk\"\n",
       "dmarc.quarantine_header: expected 'Name: value'"},
      {"override key typo", "dmarc:\n  overrides:\n    example.org: {rejekt: never}\n",
       "dmarc.overrides.example.org.rejekt: unknown key"},
      {"override bad value", "dmarc:\n  overrides:\n    example.org: {max_disposition: drop}\n",
       "dmarc.overrides.example.org.max_disposition: expected one of"},
      {"override bad domain", "dmarc:\n  overrides:\n    \"-bad-\": {reject: never}\n",
       "dmarc.overrides: '-bad-' is not a domain"},
      {"overrides not map", "dmarc:\n  overrides: [a]\n", "dmarc.overrides: expected a mapping"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.name);
    auto config = load(bad.text);
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().find(bad.expected), std::string::npos) << config.error();
  }
}

}  // namespace
}  // namespace authmilter::conf
