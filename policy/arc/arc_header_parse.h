// arc_header_parse.h - read ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results
// values (RFC 8617 §4.1) into plain structs.
//
// AS and AMS are DKIM tag lists (dkim::parse_tag_list: duplicated tags, bad tag names and stray
// ';' are errors). Each parse result carries the instance (i=) whenever it could be read, even
// when something else in the field is wrong, so that the chain structure can still be judged;
// `error` is empty when the whole field is usable. Tag values are case-sensitive as written
// (a=, c=, cv= must be lower-case as RFC 8617 and RFC 6376 spell them). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arc/header_canonicalization.h"

namespace authmilter::arc {

enum class ArcFieldKind { seal, message_signature, authentication_results };

// The kind of an ARC header field by name (case-insensitive, blanks before the colon ignored).
std::optional<ArcFieldKind> arc_field_kind(std::string_view name);

// Fields common to ARC-Seal and ARC-Message-Signature.
struct ArcSignatureFields {
  unsigned instance = 0;                  // 0: i= missing or not 1..kMaxArcInstances-ish digits
  std::string error;                      // empty: every required tag is present and well-formed
  std::string algorithm;                  // a= as written
  std::string signature;                  // b= without whitespace (base64)
  std::string domain;                     // d= lower-case
  std::string selector;                   // s=
  std::optional<std::time_t> timestamp;   // t=
  std::optional<std::time_t> expiration;  // x=
};

struct ArcSealFields : ArcSignatureFields {
  std::string chain_validation;  // cv= as written
};

struct ArcMessageSignatureFields : ArcSignatureFields {
  std::string body_hash;  // bh= without whitespace
  Canonicalization header_canonicalization = Canonicalization::simple;
  Canonicalization body_canonicalization = Canonicalization::simple;
  std::vector<std::string> signed_headers;   // h=, lower-case, in order
  std::optional<std::uint64_t> body_length;  // l=
};

struct ArcAuthenticationResultsFields {
  unsigned instance = 0;
  std::string error;
  std::string payload;  // the text after "i=N;", trimmed
};

// Instance values above this are read as a number (so "i=51" is reported as too many instances)
// but a longer digit string is malformed.
inline constexpr unsigned kMaxReadableInstance = 1000;

ArcSealFields parse_arc_seal(std::string_view value);
ArcMessageSignatureFields parse_arc_message_signature(std::string_view value);
ArcAuthenticationResultsFields parse_arc_authentication_results(std::string_view value);

}  // namespace authmilter::arc
