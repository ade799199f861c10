// resolver_options.h - how the shared caching resolver (UnboundResolver) is set up.
//
// A plain struct defined here and filled by conf/ from the YAML `dns:` section, so that policy/
// stays free of configuration code. Every field has a working default: an empty struct gives a
// resolver that forwards to the servers in /etc/resolv.conf with a 5 s per-query timeout.
// message_budget is not the shared resolver's: it is carried to EvaluationSettings and applied
// per message by a BudgetedResolver (budgeted_resolver.h); it lives here because it is a key of
// the same `dns:` section.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "dns/resolver.h"

namespace authmilter::dns {

// Upper bound on query_timeout: a milter answer must not wait longer than an SMTP client does
// for the end-of-data reply (RFC 5321 §4.5.3.2.6 gives the client 10 minutes; we stay far below).
inline constexpr std::chrono::milliseconds kMaxQueryTimeout{60000};

// Per-message DNS time budget: the default, and its upper bound (the same reasoning as
// kMaxQueryTimeout: well inside the SMTP client's patience). Zero means no budget.
inline constexpr std::chrono::milliseconds kDefaultMessageBudget{20000};
inline constexpr std::chrono::milliseconds kMaxMessageBudget{300000};

// Ranges accepted for the configurable answer bounds (AnswerBounds in resolver.h). The lower
// ends keep real records whole: 255 octets is one character-string (RFC 1035 §3.3), a 2048-bit
// DKIM key record alone is ~400; 65535 is the most one RR's RDATA can hold (RFC 1035 §3.2.1).
inline constexpr std::size_t kMinAnswerRecords = 1;
inline constexpr std::size_t kMaxAnswerRecords = 4096;
inline constexpr std::size_t kMinTxtBytes = 255;
inline constexpr std::size_t kMaxTxtBytes = 65535;

// How long libunbound keeps what it learned about an upstream server (round-trip time, timeouts,
// "down"), its `infra-host-ttl`. Its default, 900 s, means that a forwarder which stopped
// answering long enough to be marked down is not asked again for up to 15 minutes after it is
// back: every lookup meanwhile is a temperror. A short life also caps how far the retransmit
// timeout grows during an outage, so a query sent just before the server returns does not keep
// the name failing for long. Forgetting a loopback forwarder's round-trip time costs nothing.
inline constexpr int kUpstreamStateSeconds = 5;

// Sockets libunbound may hold for queries in flight (its `outgoing-range`; 4096 by default):
// the daemon keeps this many descriptors free beside its milter connections
// (filter/daemon/descriptor_budget.h). Queries beyond it wait for a socket; they do not fail.
inline constexpr int kUpstreamSockets = 192;

struct ResolverOptions {
  // Upstream servers as "address" or "address@port": "127.0.0.1@5353", "::1", "192.0.2.53@53".
  // Empty: use the nameserver lines of resolv_conf.
  std::vector<std::string> forwarders;
  std::string resolv_conf = "/etc/resolv.conf";
  // Per query, from the moment it is sent; 1 ms .. kMaxQueryTimeout.
  std::chrono::milliseconds query_timeout{5000};
  // Optional DNSSEC trust anchor file (zone-file format DS/DNSKEY); when set, answers are
  // validated: Answer::dnssec is secure, insecure or bogus (bogus answers are SERVFAIL);
  // without it, unvalidated.
  std::string trust_anchor_file;
  // Built-in local zones to drop, e.g. "test.", "invalid.", "2.0.192.in-addr.arpa.":
  // libunbound answers NXDOMAIN for reserved names (RFC 6761, RFC 6303) without asking anyone,
  // which hides test zones served by a local DNS server.
  std::vector<std::string> unblock_local_zones;
  // Bounds of the answer cache in front of libunbound (answer_cache.h).
  std::size_t cache_max_entries = 50000;
  std::size_t cache_max_bytes = 32u << 20;
  // Records per answer and octets per TXT RR kept; the rest is cut and the answer is marked
  // `truncated` (which SPF, DKIM and DMARC then refuse to evaluate).
  AnswerBounds answer_bounds;
  // Total time one message may wait for DNS (SPF, DKIM keys, DMARC); zero = unlimited.
  std::chrono::milliseconds message_budget = kDefaultMessageBudget;
  // libunbound settings applied after ours, as (name with its colon, value) pairs, e.g.
  // {"infra-cache-max-rtt:", "2000"}: for tests that need an upstream marked down quickly.
  std::vector<std::pair<std::string, std::string>> libunbound_settings;
};

}  // namespace authmilter::dns
