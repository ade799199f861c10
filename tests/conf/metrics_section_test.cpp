// The `metrics:` section: off by default, IPv4 and bracketed IPv6 listen addresses, and every
// bad value an error naming file:line:col and metrics.listen.
#include "conf/metrics_section.h"

#include <gtest/gtest.h>

#include "conf/config.h"

namespace authmilter::conf {
namespace {

Result<Config> load(const std::string& text) {
  return load_config_text(text, "test.yaml");
}

TEST(MetricsSection, OffByDefault) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_FALSE(config->daemon.metrics.enabled());
  auto empty = load("metrics:\n  listen: \"\"\n");
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_FALSE(empty->daemon.metrics.enabled());
}

TEST(MetricsSection, ShippedExampleStatesTheDefault) {
  auto config = load_config(std::string(AUTHMILTER_SOURCE_DIR) + "/conf/authmilter.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_FALSE(config->daemon.metrics.enabled());
  EXPECT_EQ(config->daemon.metrics.listen, "");
}

TEST(MetricsSection, ReadsIpv4AndBracketedIpv6) {
  const struct {
    const char* listen;
    const char* address;
    std::uint16_t port;
  } cases[] = {
      {"127.0.0.1:9712", "127.0.0.1", 9712},
      {"[::1]:1", "::1", 1},
      {"0.0.0.0:65535", "0.0.0.0", 65535},
  };
  for (const auto& good : cases) {
    SCOPED_TRACE(good.listen);
    auto config = load(std::string("metrics:\n  listen: \"") + good.listen + "\"\n");
    ASSERT_TRUE(config.ok()) << config.error();
    const MetricsSettings& metrics = config->daemon.metrics;
    ASSERT_TRUE(metrics.enabled());
    EXPECT_EQ(metrics.address->to_string(), good.address);
    EXPECT_EQ(metrics.port, good.port);
    EXPECT_EQ(metrics.listen, good.listen);
  }
}

TEST(MetricsSection, BadValuesNameTheKey) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"metrics:\n  listen: \"127.0.0.1:0\"\n",
       "test.yaml:2:11: metrics.listen: port '0' is not a number between 1 and 65535"},
      {"metrics:\n  listen: \"127.0.0.1:65536\"\n", "metrics.listen: port '65536'"},
      {"metrics:\n  listen: \"127.0.0.1:http\"\n", "metrics.listen: port 'http'"},
      {"metrics:\n  listen: \"127.0.0.1\"\n", "metrics.listen: expected ADDRESS:PORT"},
      {"metrics:\n  listen: \"9712\"\n", "metrics.listen: expected ADDRESS:PORT"},
      {"metrics:\n  listen: \"localhost:9712\"\n",
       "metrics.listen: 'localhost' is not an IPv4 address"},
      {"metrics:\n  listen: \"300.1.1.1:9712\"\n", "metrics.listen: '300.1.1.1' is not"},
      {"metrics:\n  listen: \"::1:9712\"\n", "metrics.listen: '::1' is not"},
      {"metrics:\n  listen: \"[127.0.0.1]:9712\"\n", "metrics.listen: '127.0.0.1' is not"},
      {"metrics:\n  listen: [1]\n", "metrics.listen: expected a string"},
      {"metrics:\n  port: 9712\n", "test.yaml:2:3: metrics.port: unknown key"},
      {"metrics: on\n", "metrics: expected a mapping"},
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
