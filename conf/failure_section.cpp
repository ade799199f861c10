// failure_section.cpp - YAML -> FailureReportOptions.
#include "conf/failure_section.h"

#include <cctype>
#include <fstream>
#include <iterator>

namespace authmilter::conf {

namespace {

constexpr std::size_t kMinRedactKeyBytes = 16;  // a key shorter than 128 bits is guessable
constexpr std::size_t kMaxRedactKeyBytes = 4096;

bool is_plain_address(const std::string& text) {
  const auto at = text.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size() || text.size() > 254)
    return false;
  for (unsigned char c : text)
    if (std::iscntrl(c) || std::isspace(c) || c == '<' || c == '>' || c == ',' || c == '"')
      return false;
  return true;
}

std::string honoured_fo(YamlSection& section) {
  if (!section.has("fo")) return "01ds";
  std::string honoured;
  for (const auto& option : section.get_string_list("fo")) {
    if (option.size() != 1 || std::string_view("01ds").find(option[0]) == std::string_view::npos)
      section.fail("fo", "expected a list of 0, 1, d, s; got '" + option + "'");
    if (honoured.find(option[0]) == std::string::npos) honoured += option[0];
  }
  if (honoured.empty()) section.fail("fo", "expected at least one of 0, 1, d, s");
  return honoured;
}

// The key lives in its own file (mode 0600 or so), not in the world-readable main config.
std::string read_key(YamlSection& section, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) section.fail("redact_key_file", "cannot read " + path);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.size() < kMinRedactKeyBytes || key.size() > kMaxRedactKeyBytes)
    section.fail("redact_key_file", path + ": expected 16 to 4096 bytes of key");
  return key;
}

}  // namespace

report::FailureReportOptions read_failure_reports_section(YamlSection section) {
  report::FailureReportOptions options;
  options.enabled = section.get_bool("enabled", false);
  options.honoured_fo = honoured_fo(section);
  const std::string redact = section.get_string("redact", "replace");
  if (redact == "none")
    options.redact = report::Redaction::none;
  else if (redact == "replace")
    options.redact = report::Redaction::replace;
  else if (redact == "hash")
    options.redact = report::Redaction::hash;
  else
    section.fail("redact", "expected none, replace or hash");
  const std::string key_file = section.get_string("redact_key_file", "");
  if (options.redact == report::Redaction::hash) {
    if (key_file.empty()) section.fail("redact_key_file", "redact: hash needs a key file");
    options.redact_key = read_key(section, key_file);
  }
  options.max_header_bytes = static_cast<std::size_t>(
      section.get_integer("max_header_bytes", static_cast<long>(report::kDefaultFailureHeaderBytes),
                          1024, static_cast<long>(report::kMaxFailureHeaderBytes)));
  options.max_per_destination =
      section.get_integer("max_per_destination", options.max_per_destination, 1, 10000);
  options.max_per_hour = section.get_integer("max_per_hour", options.max_per_hour, 1, 1000000);
  options.from = section.get_string("from", "");
  if (!options.from.empty() && !is_plain_address(options.from))
    section.fail("from", "expected an address local@domain");
  section.check_unknown_keys();
  return options;
}

}  // namespace authmilter::conf
