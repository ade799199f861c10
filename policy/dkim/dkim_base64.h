// dkim_base64.h - base64 as libopendkim reads and writes it in b=, bh= and p= (RFC 6376 §2.4).
//
// decode_base64_leniently() follows libopendkim's dkim_base64_decode(), so that a key or a
// signature decodes to exactly the bytes libopendkim would have used: characters outside the
// RFC 2045 alphabet (whitespace included) are skipped, the first '=' ends the data, and a single
// trailing character (fewer than 8 bits) is an error (nullopt). Bounded by `max_output` bytes.
// encode_base64() is the standard padded encoding, as bh= is compared. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authmilter::dkim {

std::optional<std::vector<unsigned char>> decode_base64_leniently(std::string_view text,
                                                                  std::size_t max_output);

std::string encode_base64(std::span<const unsigned char> data);

}  // namespace authmilter::dkim
