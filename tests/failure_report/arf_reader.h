// arf_reader.h - reads a report mail back with GMime, as an ARF consumer would, for the tests.
//
// read_arf() parses the message; it fails (returns nullopt) unless the top part is
// multipart/report; report-type=feedback-report with exactly three parts: text/plain,
// message/feedback-report and text/rfc822-headers. The machine part's fields come back
// unfolded, by name (a name seen twice keeps both values, joined by "\n").
#pragma once

#include <map>
#include <optional>
#include <string>

namespace authmilter::report::testing {

struct ArfMessage {
  std::string subject;
  std::string to;
  std::map<std::string, std::string> fields;  // machine-readable part, lower-cased names
  std::string headers;                        // the text/rfc822-headers part, decoded
};

std::optional<ArfMessage> read_arf(const std::string& raw);

// The lines of a machine part, unfolded, into lower-cased name -> value.
std::map<std::string, std::string> parse_fields(const std::string& text);

}  // namespace authmilter::report::testing
