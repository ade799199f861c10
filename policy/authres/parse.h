// parse.h - reading a whole Authentication-Results field value into resinfos (RFC 8601 §2.2).
//
// parse_authres() takes the field VALUE (after "Authentication-Results:"), folded with CRLF or
// LF, and returns the authserv-id, the version and one MethodResult per resinfo, or an Error
// naming what is malformed and where. It is pure and tolerant of CFWS anywhere the grammar
// allows it (RFC 8601 Appendix B.7), and of a few deployed deviations:
//   - a trailing ';' after the last resinfo (or after "none");
//   - '_' in keywords; '/', ':' and 8-bit bytes in unquoted values (base64, IPv6, EAI);
//   - "reason=" after properties (at most once per resinfo).
// What it fills: method, result, ptype and property names lower-cased; values and the reason
// unquoted but otherwise as found (they may hold any byte: sanitize before writing them);
// comment = the first comment right after the result (where format_authres() puts it), other
// comments dropped; method_version when written ("dkim/1"). "none" gives an empty list.
// Bounds: kMaxFieldValueLength, kMaxResinfos, kMaxPropertiesPerResinfo; beyond them, an Error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "authres/authres.h"
#include "common/result.h"

namespace authmilter::authres {

// Longer field values are refused. RFC 5322 has no limit on a folded field; 64 KiB holds
// hundreds of resinfos, far more than any MTA writes.
inline constexpr std::size_t kMaxFieldValueLength = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxResinfos = 256;
inline constexpr std::size_t kMaxPropertiesPerResinfo = 64;

struct AuthenticationResults {
  std::string authserv_id;            // lower-cased, unquoted
  int version = 1;                    // RFC 8601 §2.2 authres-version; 1 when absent
  std::vector<MethodResult> results;  // empty for "none"
};

Result<AuthenticationResults> parse_authres(std::string_view field_value);

}  // namespace authmilter::authres
