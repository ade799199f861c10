// gzip.h - RFC 1952 gzip of a report (zlib), and the inverse for tests and checks.
//
// Both are pure. gunzip() refuses output beyond max_output bytes (a decompression bomb bound).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace authmilter::report {

inline constexpr std::size_t kMaxGunzipBytes = 256u << 20;  // our bound

Result<std::string> gzip(std::string_view data);
Result<std::string> gunzip(std::string_view data, std::size_t max_output = kMaxGunzipBytes);

}  // namespace authmilter::report
