// from_address.h - author domains of one RFC5322.From header value, via GMime's RFC 5322
// address parser (display names, quoted strings, comments, groups, RFC 2047 encoded words).
//
// parse_from_header() takes the unfolded or folded header *value* (without "From:"), parses it
// with internet_address_list_parse(), flattens groups into their members, and returns every
// author domain, lower-cased and in IDNA A-label form (GMime's idn_addr; RFC 9989 §5.3.1
// requires A-labels). Status:
//   ok           - exactly one mailbox with a valid domain
//   multiple     - several mailboxes (domains lists all, in order; unique_domains() dedups)
//   no_address   - nothing to evaluate: empty value, empty group ("undisclosed:;")
//   unparseable  - GMime found no address, or a mailbox lacks a usable domain (no '@',
//                  address literal, invalid name), or the value exceeds our bounds
// GMime is initialised once per process (std::call_once); the parse is thread-safe. Every
// GObject is owned by a CHandle that calls g_object_unref.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace authmilter::dmarc {

inline constexpr std::size_t kMaxFromValueLength = 16384;  // our bound on one header value
inline constexpr std::size_t kMaxFromAddresses = 64;       // our bound on mailboxes per value

enum class FromStatus { ok, multiple, no_address, unparseable };

const char* to_string(FromStatus status);

struct FromAuthors {
  FromStatus status = FromStatus::unparseable;
  std::vector<std::string> domains;  // one per mailbox with a usable domain
  std::string reason;                // set unless status == ok

  std::vector<std::string> unique_domains() const;
};

FromAuthors parse_from_header(std::string_view value);

}  // namespace authmilter::dmarc
