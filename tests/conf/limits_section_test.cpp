// The `limits:` section: defaults, every key read, DKIM's header bounds following the message
// limits, and errors naming file:line:col and the key.
#include <gtest/gtest.h>

#include "conf/config.h"

namespace authmilter::conf {
namespace {

Result<Config> load(const std::string& text) {
  return load_config_text(text, "test.yaml");
}

TEST(LimitsSection, AbsentSectionGivesTheNamedDefaults) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->daemon.max_connections, kDefaultMaxConnections);
  EXPECT_EQ(config->evaluation.limits.max_recipients, evaluation::kDefaultMaxRecipients);
  EXPECT_EQ(config->evaluation.limits.max_header_fields, evaluation::kDefaultMaxHeaderFields);
  EXPECT_EQ(config->evaluation.limits.max_header_bytes, evaluation::kDefaultMaxHeaderBytes);
  EXPECT_EQ(config->evaluation.limits.max_forged_authres_headers,
            evaluation::kDefaultMaxForgedAuthresHeaders);
  EXPECT_EQ(config->dkim.max_header_fields, evaluation::kDefaultMaxHeaderFields);
  EXPECT_EQ(config->dkim.max_header_bytes, evaluation::kDefaultMaxHeaderBytes);
}

TEST(LimitsSection, ReadsEveryKeyAndDkimFollows) {
  auto config = load(R"(
dkim:
  max_signatures: 3
  key_cache_entries: 20
limits:
  max_connections: 7
  max_recipients: 50
  max_header_fields: 200
  max_header_bytes: 65536
  max_forged_authres_headers: 5
)");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->daemon.max_connections, 7u);
  EXPECT_EQ(config->evaluation.limits.max_recipients, 50u);
  EXPECT_EQ(config->evaluation.limits.max_header_fields, 200u);
  EXPECT_EQ(config->evaluation.limits.max_header_bytes, 65536u);
  EXPECT_EQ(config->evaluation.limits.max_forged_authres_headers, 5u);
  EXPECT_EQ(config->dkim.max_header_fields, 200u);
  EXPECT_EQ(config->dkim.max_header_bytes, 65536u);
  EXPECT_EQ(config->dkim.max_signatures, 3u);
  EXPECT_EQ(config->dkim.key_cache_entries, 20u);
}

TEST(LimitsSection, ShippedExampleStatesTheDefaults) {
  auto config = load_config(std::string(AUTHMILTER_SOURCE_DIR) + "/conf/authmilter.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
  const auto defaults = load("");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(config->daemon.max_connections, defaults->daemon.max_connections);
  EXPECT_EQ(config->evaluation.limits.max_recipients, defaults->evaluation.limits.max_recipients);
  EXPECT_EQ(config->evaluation.limits.max_header_fields,
            defaults->evaluation.limits.max_header_fields);
  EXPECT_EQ(config->evaluation.limits.max_header_bytes,
            defaults->evaluation.limits.max_header_bytes);
  EXPECT_EQ(config->evaluation.limits.max_forged_authres_headers,
            defaults->evaluation.limits.max_forged_authres_headers);
  EXPECT_EQ(config->dkim.key_cache_entries, defaults->dkim.key_cache_entries);
}

TEST(LimitsSection, BadValuesNameTheKey) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"limits:\n  max_recipients: 0\n",
       "test.yaml:2:19: limits.max_recipients: must be between 1"},
      {"limits:\n  max_connections: many\n", "limits.max_connections: expected a whole number"},
      {"limits:\n  max_header_fields: 10001\n",
       "limits.max_header_fields: must be between 1 and 10000"},
      {"limits:\n  max_header_bytes: -1\n", "limits.max_header_bytes: must be between"},
      {"limits:\n  max_forged_authres_headers: 0\n",
       "limits.max_forged_authres_headers: must be between 1 and 10000"},
      {"limits:\n  max_headers: 10\n", "test.yaml:2:3: limits.max_headers: unknown key"},
      {"limits: 5\n", "limits: expected a mapping"},
      {"dkim:\n  key_cache_entries: 0\n", "dkim.key_cache_entries: must be between 1 and 1000000"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.text);
    auto config = load(bad.text);
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().find(bad.expected), std::string::npos) << config.error();
  }
}

}  // namespace
}  // namespace authmilter::conf
