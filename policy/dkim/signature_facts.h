// signature_facts.h - the reportable tags of one DKIM-Signature field (RFC 6376 §3.5).
//
// read_signature_facts() is pure and lenient: it reports d=, s=, a=, i=, l= and b= even from a
// field that libopendkim rejects, so that a permerror still names its domain in the AR header.
// Every value is bounded (kMaxReportedTagLength) so hostile input cannot bloat results.
// signature_prefixes() picks RFC 6008 header.b values: at least 8 characters, longer when two
// signatures of the message would otherwise share a prefix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authmilter::dkim {

inline constexpr std::size_t kMaxReportedTagLength = 255;
inline constexpr std::size_t kMinSignaturePrefix = 8;  // RFC 6008 §4
inline constexpr std::size_t kMaxLDigits = 20;         // uint64 range

struct SignatureFacts {
  bool well_formed = false;  // strict RFC 6376 §3.2 tag-list syntax, no duplicate tags
  std::string domain;        // d=, lower-cased
  std::string selector;      // s=
  std::string algorithm;     // a=, lower-cased
  std::string identity;      // i= decoded, or "@" + d= when absent (RFC 6376 §3.5 default)
  std::string signature;     // b= without whitespace (bounded)
  std::optional<std::uint64_t> body_length;  // l= when a plain decimal number
};

SignatureFacts read_signature_facts(std::string_view raw_value);

// For each b= value, the shortest prefix of length >= kMinSignaturePrefix that no other
// signature in `signatures` shares (the whole value when it is shorter).
std::vector<std::string> signature_prefixes(const std::vector<std::string>& signatures);

}  // namespace authmilter::dkim
