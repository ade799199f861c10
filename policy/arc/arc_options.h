// arc_options.h - the bounds on what one message's ARC chain may cost (hostile input).
//
// Plain values; defaults far above real mail (a chain through three lists has three sets of
// under 2 KiB each). Anything over a bound makes the chain `fail` with a reason naming it.
#pragma once

#include <cstddef>

namespace authmilter::arc {

struct ArcOptions {
  std::size_t max_header_length = std::size_t{16} * 1024;  // one ARC-* field; longer: fail
  // Distinct body hashes computed for AMS verification (by canonicalization and l=); an AMS
  // needing another is not verified (it cannot be the oldest pass).
  std::size_t max_body_hashes = 4;
  long clock_skew_seconds = 300;  // t= may be this far in the future
};

}  // namespace authmilter::arc
