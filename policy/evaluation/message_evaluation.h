// message_evaluation.h - the per-message pipeline: one method per milter stage.
//
// The milter's Session (filter/) and authmilter-check both drive this object, so the daemon and the
// offline checker cannot disagree. Call order: the constructor (connection facts + MAIL FROM
// known), recipient()*, header()*, end_of_headers(), body_chunk()*, end_of_message() once.
// Plain values in, plain values out; no libmilter here. Not thread-safe: one per message.
// The Checks it is given (resolver, options) must outlive it.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"

namespace authmilter::evaluation {

// Limits on what one message may make us keep (peer data is untrusted).
inline constexpr std::size_t kMaxRecipientsKept = 1000;
inline constexpr std::size_t kMaxAuthResultsHeaders = 100;  // forged AR headers we can delete

struct EvaluationSettings {
  std::string authserv_id;
};

// What the SMTP client told us before MAIL FROM.
struct ConnectionFacts {
  std::optional<net::IpAddress> client_address;  // nullopt: not an IP client (local, unknown)
  std::string client_name;
  std::string helo;
};

struct Envelope {
  std::string mail_from;  // without angle brackets; empty = null reverse-path <>
  std::vector<std::string> recipients;
};

// The answer to the MTA and the header edits, computed at end of message.
struct MessageOutcome {
  std::string authentication_results;  // field value of the one AR header to insert on top
  // 1-based occurrence indices among this message's Authentication-Results headers that carry
  // our authserv-id, highest first: delete them in this order (CVE-2022-48521).
  std::vector<int> forged_header_indices;
  bool too_many_forged_headers = false;  // more than kMaxAuthResultsHeaders: reject, cannot clean
};

class MessageEvaluation {
 public:
  MessageEvaluation(const EvaluationSettings& settings, ConnectionFacts connection,
                    std::string mail_from);

  void recipient(std::string_view address);
  void header(std::string_view name, std::string_view value);
  void end_of_headers();
  void body_chunk(std::span<const char> chunk);
  MessageOutcome end_of_message();

  const Envelope& envelope() const { return envelope_; }

 private:
  const EvaluationSettings& settings_;
  ConnectionFacts connection_;
  Envelope envelope_;
  int authentication_results_seen_ = 0;
  std::vector<int> forged_header_indices_;
  bool too_many_forged_headers_ = false;
};

}  // namespace authmilter::evaluation
