// failure_section_test.cpp - the failure_reports section: off by default, every key, bad values;
// and the annotated authmilter.yaml loads with it.
#include "conf/failure_section.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "conf/config.h"

namespace authmilter::conf {
namespace {

report::FailureReportOptions failure(const std::string& text) {
  return read_failure_reports_section(
      YamlSection(YAML::Load(text), "test.yaml", "").section("failure_reports"));
}

std::string error_of(const std::string& text) {
  try {
    failure(text);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(FailureSection, OffByDefault) {
  const auto f = failure("{}");
  EXPECT_FALSE(f.enabled);
  EXPECT_EQ(f.honoured_fo, "01ds");
  EXPECT_EQ(f.redact, report::Redaction::replace);
  EXPECT_EQ(f.max_header_bytes, report::kDefaultFailureHeaderBytes);
  EXPECT_EQ(f.max_per_destination, 10);
  EXPECT_EQ(f.max_per_hour, 100);
  EXPECT_EQ(f.from, "");
}

TEST(FailureSection, EveryKey) {
  const std::string key_file =
      std::filesystem::temp_directory_path() / ("authmilter-redact-" + std::to_string(getpid()));
  std::ofstream(key_file) << "a key of more than sixteen bytes\n";
  const auto f = failure(
      "failure_reports: {enabled: true, fo: ['0', d], redact: hash, redact_key_file: " + key_file +
      ", max_header_bytes: 4096, max_per_destination: 3, max_per_hour: 7,"
      " from: ruf-sender@mx.example}");
  std::filesystem::remove(key_file);
  EXPECT_TRUE(f.enabled);
  EXPECT_EQ(f.honoured_fo, "0d");
  EXPECT_EQ(f.redact, report::Redaction::hash);
  EXPECT_EQ(f.redact_key, "a key of more than sixteen bytes");
  EXPECT_EQ(f.max_header_bytes, 4096u);
  EXPECT_EQ(f.max_per_destination, 3);
  EXPECT_EQ(f.max_per_hour, 7);
  EXPECT_EQ(f.from, "ruf-sender@mx.example");
}

TEST(FailureSection, BadValuesAreRefused) {
  EXPECT_NE(error_of("failure_reports: {fo: [x]}").find("fo"), std::string::npos);
  EXPECT_NE(error_of("failure_reports: {fo: []}").find("fo"), std::string::npos);
  EXPECT_NE(error_of("failure_reports: {redact: maybe}").find("redact"), std::string::npos);
  EXPECT_NE(error_of("failure_reports: {redact: hash}").find("redact_key_file"), std::string::npos);
  EXPECT_NE(error_of("failure_reports: {max_header_bytes: 10}").find("max_header_bytes"),
            std::string::npos);
  EXPECT_NE(error_of("failure_reports: {max_per_hour: 0}").find("max_per_hour"), std::string::npos);
  EXPECT_NE(error_of("failure_reports: {from: 'a b@c'}").find("from"), std::string::npos);
  EXPECT_NE(error_of("failure_reports: {send_body: true}").find("send_body"), std::string::npos);
}

TEST(FailureSection, TheAnnotatedExampleLoads) {
  auto config = load_config_text(
      [] {
        std::ifstream in(AUTHMILTER_SOURCE_DIR "/conf/authmilter.yaml");
        return std::string(std::istreambuf_iterator<char>(in), {});
      }(),
      "authmilter.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_FALSE(config->evaluation.failure_reports.enabled);
  EXPECT_EQ(config->evaluation.failure_reports.honoured_fo, "01ds");
}

}  // namespace
}  // namespace authmilter::conf
