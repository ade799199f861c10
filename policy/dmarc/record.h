// record.h - the DMARC policy record: its tags, and a pure parser for the TXT text.
//
// parse_record() takes the joined TXT strings of one record (RFC 9989 §4.6) and returns a
// RecordParse, never throws:
//   not_dmarc - the text does not start with "v=DMARC1" (case-sensitive value, RFC 9989
//               §4.8 %s"DMARC1"); such TXT records are discarded during discovery.
//   unusable  - a DMARC record that must not be applied: no valid p/sp/np and no usable rua
//               (RFC 9989 §4.10.1, RFC 7489 §6.6.3 step 6), or over our size bounds.
//   valid     - apply `record`. `problems` lists every tag that was discarded in favour of its
//               default (RFC 9989 §4.7: "Syntax errors in the remainder of the record MUST be
//               discarded"), each naming the tag, for logs and strict checkers.
// Tags: v, p, sp, np, psd, t, adkim, aspf, rua, ruf, fo, plus the historic pct, rf, ri; all
// are parsed in both modes, and evaluate.h decides which apply (pct in RFC 7489 mode, t/psd
// in RFC 9989 mode). Unknown tags are ignored. Tag names and keyword values are
// case-insensitive (RFC 5234 quoted strings), "DMARC1" is not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dmarc/uri.h"

namespace authmilter::dmarc {

enum class DmarcMode { rfc9989, rfc7489 };
enum class Disposition { none, quarantine, reject };
enum class AlignmentMode { relaxed, strict };
enum class PsdFlag { unknown, yes, no };  // psd=u (default), psd=y, psd=n

const char* to_string(Disposition disposition);
const char* to_string(AlignmentMode mode);

inline constexpr std::size_t kMaxRecordLength = 4096;  // our bound; real records are < 512
inline constexpr std::size_t kMaxTags = 32;            // our bound; RFC 9989 defines 10 tags
inline constexpr int kDefaultPct = 100;                // RFC 7489 §6.3
inline constexpr std::uint32_t kDefaultReportInterval = 86400;  // RFC 7489 §6.3 ri

struct TagProblem {
  std::string tag;
  std::string reason;

  friend bool operator==(const TagProblem&, const TagProblem&) = default;
};

struct DmarcRecord {
  std::optional<Disposition> p;   // absent: RFC 9989 §4.7 treats it as none
  std::optional<Disposition> sp;  // absent: p applies to subdomains
  std::optional<Disposition> np;  // absent: sp, else p, applies to non-existent subdomains
  AlignmentMode adkim = AlignmentMode::relaxed;
  AlignmentMode aspf = AlignmentMode::relaxed;
  PsdFlag psd = PsdFlag::unknown;
  bool testing = false;   // t=y (RFC 9989 §4.7)
  int pct = kDefaultPct;  // historic (RFC 7489 §6.3), applied only in RFC 7489 mode
  UriList rua;
  UriList ruf;
  std::string fo = "0";
  std::string rf = "afrf";                    // historic (RFC 7489)
  std::uint32_t ri = kDefaultReportInterval;  // historic (RFC 7489)
  // The "act as if p=none" rule fired: p was invalid (or missing in RFC 7489 mode), or sp/np
  // was invalid, and rua holds a usable URI.
  bool forced_none = false;
  std::vector<TagProblem> problems;

  Disposition policy() const { return p.value_or(Disposition::none); }
};

enum class RecordStatus { valid, not_dmarc, unusable };

struct RecordParse {
  RecordStatus status = RecordStatus::not_dmarc;
  DmarcRecord record;
  std::string reason;  // empty when valid and clean; else names the tag or bound
};

// is_dmarc_record - true when the text starts with the v=DMARC1 tag (discovery filter).
bool is_dmarc_record(std::string_view text);

// parse_record - see the contract above.
RecordParse parse_record(std::string_view text, DmarcMode mode);

// check_tag_value - ok when `value` is valid for the known tag `tag`, else the reason.
// Unknown tags yield a reason too ("unknown tag"). Used by parse_record and by checkers.
Status check_tag_value(std::string_view tag, std::string_view value);

}  // namespace authmilter::dmarc
