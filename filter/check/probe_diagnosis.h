// probe_diagnosis.h - why a probe came back without authmilter's answer: likely causes, in words.
//
// Pure: takes what was observed (can we reach the daemon's socket, what postconf says, can the
// MTA's user open the socket) and names each setting that keeps the MTA from reaching
// authmilter, most likely first, each with the fix. Unit-tested on made-up facts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/postfix_facts.h"
#include "conf/socket_spec.h"

namespace authmilter::check {

struct ProbeFacts {
  conf::SocketSpec socket;              // authmilter's, from its configuration
  std::string socket_problem;           // non-empty: we could not connect to it ourselves (why)
  int probed_port = 25;                 // where the probe reached the MTA
  std::optional<PostfixFacts> postfix;  // none: no postconf (not Postfix, or not here)
  std::string postfix_problem;          // why postconf could not be read
  std::string access_problem;           // non-empty: the Postfix user cannot open the socket (why)
};

std::vector<std::string> likely_causes(const ProbeFacts& facts);

// Where a Postfix milter address leads, as seen from the host: relative unix paths are taken
// from the queue directory (every Postfix daemon runs there), absolute ones from the chroot
// when the service is chrooted. "" for an address that is not a unix socket.
std::string host_path_of_milter(const std::string& address, const std::string& queue_directory,
                                bool chroot);

// The addresses in a smtpd_milters value ("a, b", "{ inet:h:p, connect_timeout=5s } c").
std::vector<std::string> milter_addresses(const std::string& value);

}  // namespace authmilter::check
