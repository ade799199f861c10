// workload.h - the messages the load driver replays: .eml files with their SMTP envelopes.
//
// Purpose: load DIR/envelopes.tsv, one message per line
//     FILE <TAB> CLIENT_IP <TAB> HELO <TAB> MAIL_FROM <TAB> RCPT[,RCPT...]
// (FILE relative to DIR; '#' lines and blank lines ignored), read each FILE once and split it
// into header fields (name, value with folding kept) and a body with CRLF line ends, exactly
// what an MTA hands a milter. Loading happens once, before the measurement starts.
// Ownership: the Workload owns all bytes; the driver keeps string_views into it.
// Return convention: load_workload() returns an Error naming the file and line on bad input.
// Bounds: hostile or broken files are refused, never truncated silently (kMax* below).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace authmilter::bench {

inline constexpr std::size_t kMaxMessageBytes = 10 * 1024 * 1024;
inline constexpr std::size_t kMaxHeaderFields = 1000;
inline constexpr std::size_t kMaxMessages = 100000;
inline constexpr std::size_t kMaxRecipients = 100;

struct HeaderField {
  std::string name;
  std::string value;  // after the colon, leading space kept, folds as LF + WSP
};

struct Message {
  std::string file;
  std::string client_ip;
  bool client_ipv6 = false;
  std::string helo;
  std::string mail_from;
  std::vector<std::string> recipients;
  std::vector<HeaderField> headers;
  std::string body;  // CRLF line ends
};

struct Workload {
  std::vector<Message> messages;
};

Result<Workload> load_workload(const std::string& directory);

// split_message - header fields and CRLF body of raw message text (LF or CRLF line ends).
Result<Message> split_message(const std::string& text);

}  // namespace authmilter::bench
