// record.h - parsing of an SPF record into terms (RFC 7208 §4.5, §4.6, §5, §6, §12).
//
// parse_record() is pure: it sees only the record text and fully checks its syntax, including
// every macro-string and domain-spec, before any term is evaluated ("any syntax errors anywhere
// in the record MUST be detected", RFC 7208 §4.6). A syntax error comes back as the Result's
// error, the reason; check_host() turns it into its verdict (permerror).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace authmilter::spf {

// Bounds on hostile records; the RFC sets none, DNS sets 64 KiB per message.
inline constexpr std::size_t kMaxRecordLength = 16384;
inline constexpr std::size_t kMaxTerms = 512;

enum class Qualifier { pass, fail, softfail, neutral };  // + - ~ ?
enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  std::string domain_spec;                 // macro-string; empty = the current domain (a, mx, ptr)
  int cidr4 = 32;                          // a, mx, ip4
  int cidr6 = 128;                         // a, mx, ip6
  std::array<std::uint8_t, 16> network{};  // ip4 (first 4 bytes) / ip6
  std::string text;                        // the term as written, for reasons
};

struct SpfRecord {
  std::vector<Mechanism> mechanisms;
  std::optional<std::string> redirect;     // domain-spec
  std::optional<std::string> explanation;  // exp= domain-spec
};

// is_spf_record - the text starts with "v=spf1" (any case) followed by a space or its end.
bool is_spf_record(std::string_view text);

// parse_record - full syntax check of one record that is_spf_record() accepted.
Result<SpfRecord> parse_record(std::string_view text);

// check_domain_spec - RFC 7208 §7.1: a macro-string ending in a macro or "." toplabel.
Status check_domain_spec(std::string_view spec);

}  // namespace authmilter::spf
