// message_file.h - a stored RFC 5322 message, split as an MTA hands it to a milter.
//
// read_message_file() reads at most kMaxMessageBytes and splits the header section into
// (name, value) fields as Postfix sends them with SMFIP_HDR_LEADSPC: the value is everything
// after the colon (leading space kept), folded lines joined with their line breaks, the final
// line break dropped. The body is returned with CRLF line ends (the milter protocol's form).
// A leading mbox "From " line and lines without a colon are skipped. Returns an Error when the
// file cannot be read or is too large.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace authmilter::check {

inline constexpr std::size_t kMaxMessageBytes = 64 * 1024 * 1024;  // our bound
inline constexpr std::size_t kMaxHeaderFields = 10000;             // our bound

struct StoredMessage {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

StoredMessage split_message(const std::string& raw);
Result<StoredMessage> read_message_file(const std::string& path);

}  // namespace authmilter::check
