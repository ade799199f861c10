// pipeline_input.h - the input format of pipeline_fuzz: zone data, an envelope, a message and a
// plan for how the MTA hands the message over, read from one fuzz input.
//
// Text layout: sections separated by a line "%%" (LF or CRLF):
//   zone      one record per line: "<name> <type> <rest>", type one of
//             txt <text> | a <address> | mx <preference> <host> | cname <target> |
//             servfail <txt|a|aaaa|mx> | timeout <txt|a|aaaa|mx>     (other lines are ignored)
//   envelope  "<key> <value>" lines: ip, name, helo, from, auth, rcpt (repeatable); a missing key
//             keeps its default (192.0.2.1, mail.example.org, sender@example.org, no auth,
//             postmaster@example.net); "from <>" or "from" alone is the null sender
//   message   header fields (folded lines kept), an empty line, the body
//   control   bytes read with FuzzedDataProvider (settings, stage order, chunk sizes); absent
//             or short control data means the defaults: every stage once, in the milter's
//             order, body in 65535-byte chunks (libmilter's MILTER_CHUNK_SIZE)
// With fewer separators the missing sections are empty (all text before the first "%%" is the
// zone, and so on). Every count is bounded (kMax* below), so one input is bounded work.
// Pure: read_pipeline_input() only parses; apply_zone() fills a ZoneResolver.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/zone_resolver.h"

namespace authmilter::fuzz {

inline constexpr std::size_t kMaxZoneLines = 64;
inline constexpr std::size_t kMaxRecipients = 8;
inline constexpr std::size_t kMaxChunkSizes = 8;
inline constexpr std::size_t kMaxHostileSteps = 48;
inline constexpr std::size_t kMaxMessages = 3;  // transactions on one connection
// libmilter hands the body over in chunks of at most MILTER_CHUNK_SIZE bytes.
inline constexpr std::size_t kMilterChunkSize = 65535;
// A "huge" extra chunk appended to the body on request: far over MILTER_CHUNK_SIZE, to check
// that nothing assumes libmilter's bound.
inline constexpr std::size_t kHugeChunkSize = 1024 * 1024;

struct ZoneLine {
  std::string name;
  std::string type;
  std::string rest;
};

struct EnvelopeText {
  std::string client_ip = "192.0.2.1";
  std::string client_name = "mail.example.org";
  std::string helo = "mail.example.org";
  std::string mail_from = "sender@example.org";
  std::string auth_user;
  std::vector<std::string> recipients;  // empty: postmaster@example.net
};

struct HeaderField {
  std::string name;
  std::string value;  // bytes after the colon, leading space kept, folds kept, no final line end
};

// How the MTA drives MessageEvaluation.
enum class StageOrder {
  milter,   // libmilter's order: one transaction, every stage present
  restart,  // libmilter's order, several transactions; stages skipped, aborts, MAIL restarts
  hostile,  // any call in any order, repeated or missing (a buggy MTA or a broken libmilter)
};

enum class Step {
  check_sender,
  recipient,
  header,
  all_headers,
  end_of_headers,
  body_chunk,
  all_body,
  end_of_message
};

struct Plan {
  // Settings.
  bool rfc7489 = false;
  bool check_helo = false;
  bool reject_on_fail = false;
  bool tempfail_on_spf_temperror = false;
  bool dry_run = false;
  bool trusted_client = false;
  bool skip_authenticated = true;
  bool dkim_enabled = true;
  bool dmarc_enabled = true;
  int multiple_from = 0;  // dmarc::MultipleFromPolicy as an index
  // Hand-over.
  StageOrder order = StageOrder::milter;
  std::vector<std::size_t> chunk_sizes;  // cycled; empty = kMilterChunkSize
  bool huge_chunk = false;
  // restart: per transaction, the stage after which it is aborted (0 = never) and which
  // optional stages the MTA leaves out (SMFIP_NOHDRS / SMFIP_NOEOH / SMFIP_NOBODY).
  std::size_t messages = 1;
  std::vector<int> abort_after;
  bool skip_headers = false;
  bool skip_end_of_headers = false;
  bool skip_body = false;
  std::vector<Step> steps;  // hostile
};

struct PipelineInput {
  std::vector<ZoneLine> zone;
  EnvelopeText envelope;
  std::vector<HeaderField> headers;
  std::string body;
  Plan plan;
};

PipelineInput read_pipeline_input(std::string_view data);

// apply_zone - adds the zone lines to `zone`; malformed lines are skipped.
void apply_zone(const std::vector<ZoneLine>& lines, dns::ZoneResolver& zone);

}  // namespace authmilter::fuzz
