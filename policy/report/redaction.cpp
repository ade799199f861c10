// redaction.cpp - local-part redaction; see redaction.h.
#include "report/redaction.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <cstring>

#include "common/ascii.h"

namespace authmilter::report {

namespace {

constexpr std::size_t kHashDigits = 16;  // 64 bits: enough to tell local parts apart

// RFC 5322 atext, '.', and UTF-8 bytes (RFC 6532): what a dot-atom local part is made of.
bool is_local_part_byte(unsigned char c) {
  if (c >= 0x80 || std::isalnum(c)) return true;
  return c != '\0' && std::strchr("!#$%&'*+-/=?^_`{|}~.", c) != nullptr;
}

bool is_domain_byte(unsigned char c) {
  return c >= 0x80 || std::isalnum(c) || c == '-' || c == '.' || c == '[';
}

std::string replacement(std::string_view local_part, Redaction redaction, std::string_view key) {
  if (redaction == Redaction::replace) return "redacted";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(local_part.data()), local_part.size(), digest.data(),
       &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length && out.size() < kHashDigits; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// Where the local part ending just before `at` begins: a quoted string ("a b"@x) or a run of
// local-part bytes; `at` itself when there is none.
std::size_t local_part_start(std::string_view text, std::size_t at) {
  if (at >= 2 && text[at - 1] == '"') {
    const auto open = text.rfind('"', at - 2);
    return open == std::string_view::npos ? at : open;
  }
  std::size_t start = at;
  while (start > 0 && is_local_part_byte(static_cast<unsigned char>(text[start - 1]))) --start;
  return start;
}

// Redacts every addr-spec in one unfolded or folded field's text.
std::string redact_text(std::string_view text, Redaction redaction, std::string_view key) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    const std::size_t start = local_part_start(text, at);
    const bool has_domain =
        at + 1 < text.size() && is_domain_byte(static_cast<unsigned char>(text[at + 1]));
    if (start == at || start < copied || !has_domain) continue;
    out.append(text.substr(copied, start - copied));
    out += replacement(text.substr(start, at - start), redaction, key);
    copied = at;
  }
  out.append(text.substr(copied));
  return out;
}

bool is_kept_field(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return equal_ignoring_case(name, "Message-ID") || equal_ignoring_case(name, "In-Reply-To") ||
         equal_ignoring_case(name, "References");
}

}  // namespace

std::string redact_address(std::string_view address, Redaction redaction, std::string_view key) {
  if (redaction == Redaction::none) return std::string(address);
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::string(address);
  return replacement(address.substr(0, at), redaction, key) + std::string(address.substr(at));
}

std::string redact_header_section(std::string_view headers, Redaction redaction,
                                  std::string_view key) {
  if (redaction == Redaction::none) return std::string(headers);
  std::string out;
  out.reserve(headers.size());
  bool keep = false;  // the current field is one left alone; continuation lines follow it
  std::size_t start = 0;
  while (start < headers.size()) {
    auto end = headers.find('\n', start);
    end = end == std::string_view::npos ? headers.size() : end + 1;
    const std::string_view line = headers.substr(start, end - start);
    if (line.front() != ' ' && line.front() != '\t') keep = is_kept_field(line);
    out += keep ? std::string(line) : redact_text(line, redaction, key);
    start = end;
  }
  return out;
}

}  // namespace authmilter::report
