#include "dkim/signature_facts.h"

#include <algorithm>
#include <cctype>

#include "common/ascii.h"
#include "dkim/tag_list.h"

namespace authmilter::dkim {

namespace {

std::string bounded(std::string_view value) {
  return std::string(value.substr(0, kMaxReportedTagLength));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 6376 §2.11 dkim-quoted-printable: "=XX" hex escapes; whitespace is ignored.
std::string decode_dkim_qp(std::string_view text) {
  const std::string compact = strip_whitespace(text);
  std::string out;
  for (std::size_t i = 0; i < compact.size(); ++i) {
    if (compact[i] == '=' && i + 2 < compact.size() && hex_value(compact[i + 1]) >= 0 &&
        hex_value(compact[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(compact[i + 1]) * 16 + hex_value(compact[i + 2])));
      i += 2;
    } else {
      out.push_back(compact[i]);
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_length(std::string_view text) {
  if (text.empty() || text.size() > kMaxLDigits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Lenient: every "name=value" piece, first occurrence wins, malformed pieces skipped.
std::vector<Tag> lenient_tags(std::string_view text) {
  std::vector<Tag> tags;
  while (!text.empty() && tags.size() < kMaxTags) {
    const std::size_t end = text.find(';');
    const std::string_view spec = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const std::size_t equals = spec.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string name = strip_whitespace(spec.substr(0, equals));
    if (name.empty() || find_tag(tags, name) != nullptr) continue;
    std::string_view value = spec.substr(equals + 1);
    tags.push_back(Tag{name, std::string(value.substr(0, 4 * kMaxReportedTagLength))});
  }
  return tags;
}

std::string tag_or_empty(const std::vector<Tag>& tags, std::string_view name) {
  const std::string* value = find_tag(tags, name);
  return value == nullptr ? std::string{} : bounded(strip_whitespace(*value));
}

}  // namespace

SignatureFacts read_signature_facts(std::string_view raw_value) {
  SignatureFacts facts;
  facts.well_formed = parse_tag_list(raw_value).has_value();
  const std::vector<Tag> tags = lenient_tags(raw_value);
  facts.domain = lower_ascii(tag_or_empty(tags, "d"));
  facts.selector = tag_or_empty(tags, "s");
  facts.algorithm = lower_ascii(tag_or_empty(tags, "a"));
  facts.signature = tag_or_empty(tags, "b");
  if (const std::string* identity = find_tag(tags, "i"); identity != nullptr) {
    facts.identity = bounded(decode_dkim_qp(*identity));
  } else if (!facts.domain.empty()) {
    facts.identity = "@" + facts.domain;
  }
  if (const std::string* length = find_tag(tags, "l"); length != nullptr) {
    facts.body_length = parse_length(strip_whitespace(*length));
  }
  return facts;
}

std::vector<std::string> signature_prefixes(const std::vector<std::string>& signatures) {
  std::vector<std::string> prefixes;
  prefixes.reserve(signatures.size());
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string& own = signatures[i];
    std::size_t length = std::min(kMinSignaturePrefix, own.size());
    for (std::size_t j = 0; j < signatures.size(); ++j) {
      if (j == i || signatures[j] == own) continue;  // identical b= cannot be told apart
      const std::string& other = signatures[j];
      const auto mismatch = std::mismatch(own.begin(), own.end(), other.begin(), other.end());
      const auto common = static_cast<std::size_t>(mismatch.first - own.begin());
      length = std::max(length, std::min(common + 1, own.size()));
    }
    prefixes.push_back(own.substr(0, length));
  }
  return prefixes;
}

}  // namespace authmilter::dkim
