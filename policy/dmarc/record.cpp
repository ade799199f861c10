#include "dmarc/record.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/ascii.h"

namespace authmilter::dmarc {

namespace {

std::optional<Disposition> parse_disposition(std::string_view value) {
  const auto v = lower_ascii(value);
  if (v == "none") return Disposition::none;
  if (v == "quarantine") return Disposition::quarantine;
  if (v == "reject") return Disposition::reject;
  return std::nullopt;
}

bool one_of(std::string_view value, std::initializer_list<std::string_view> allowed) {
  const auto v = lower_ascii(value);
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

// keyword *(":" keyword) with every keyword from `allowed` and none repeated.
bool colon_list(std::string_view value, std::initializer_list<std::string_view> allowed) {
  std::vector<std::string> seen;
  while (true) {
    const auto colon = value.find(':');
    const auto item = lower_ascii(trim_wsp(value.substr(0, colon)));
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) return false;
    if (std::find(seen.begin(), seen.end(), item) != seen.end()) return false;
    seen.push_back(item);
    if (colon == std::string_view::npos) return true;
    value.remove_prefix(colon + 1);
  }
}

std::optional<std::uint64_t> parse_number(std::string_view value, std::size_t max_digits) {
  if (value.empty() || value.size() > max_digits) return std::nullopt;
  std::uint64_t n = 0;
  for (const char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

constexpr std::uint64_t kMaxRi = 4294967295ULL;  // RFC 7489 §6.3: 32-bit unsigned integer

// check_uri_list - every element of a dmarc-urilist must be a URI (RFC 9989 §4.8).
Status check_uri_list(std::string_view value) {
  const auto list = parse_uri_list(value);
  for (const auto& uri : list.uris) {
    if (!uri.valid) return Error{"'" + uri.text.substr(0, 64) + "': " + uri.problem};
  }
  if (list.truncated) return Error{"more than " + std::to_string(kMaxReportUris) + " URIs"};
  return Ok{};
}

// Which of the policy tags were present but broken (RFC 9989 §4.10.1 rule).
struct PolicyFlags {
  bool p_seen = false;
  bool p_invalid = false;
  bool sp_invalid = false;
  bool np_invalid = false;
};

void store_tag(const std::string& tag, std::string_view value, DmarcRecord& r) {
  if (tag == "p") r.p = parse_disposition(value);
  if (tag == "sp") r.sp = parse_disposition(value);
  if (tag == "np") r.np = parse_disposition(value);
  if (tag == "adkim")
    r.adkim = lower_ascii(value) == "s" ? AlignmentMode::strict : AlignmentMode::relaxed;
  if (tag == "aspf")
    r.aspf = lower_ascii(value) == "s" ? AlignmentMode::strict : AlignmentMode::relaxed;
  if (tag == "psd") {
    const auto v = lower_ascii(value);
    r.psd = v == "y" ? PsdFlag::yes : v == "n" ? PsdFlag::no : PsdFlag::unknown;
  }
  if (tag == "t") r.testing = lower_ascii(value) == "y";
  if (tag == "pct") r.pct = static_cast<int>(*parse_number(value, 3));
  if (tag == "ri") r.ri = static_cast<std::uint32_t>(*parse_number(value, 10));
  if (tag == "fo") r.fo = lower_ascii(value);
  if (tag == "rf") r.rf = lower_ascii(value);
}

void note_policy_problem(const std::string& tag, PolicyFlags& flags) {
  if (tag == "p") flags.p_invalid = true;
  if (tag == "sp") flags.sp_invalid = true;
  if (tag == "np") flags.np_invalid = true;
}

// apply_tag - one "name=value" element after v=DMARC1.
void apply_tag(std::string_view element, DmarcRecord& r, PolicyFlags& flags,
               std::vector<std::string>& seen) {
  const auto equals = element.find('=');
  if (equals == std::string_view::npos) {
    r.problems.push_back({std::string(element.substr(0, 16)), "tag without '=' ignored"});
    return;
  }
  const auto tag = lower_ascii(trim_wsp(element.substr(0, equals)));
  const auto value = trim_wsp(element.substr(equals + 1));
  if (tag.empty() ||
      !std::all_of(tag.begin(), tag.end(), [](unsigned char c) { return std::isalpha(c) != 0; })) {
    r.problems.push_back({tag.substr(0, 16), "malformed tag name ignored"});
    return;
  }
  if (std::find(seen.begin(), seen.end(), tag) != seen.end()) {
    r.problems.push_back({tag, "duplicate tag ignored"});
    return;
  }
  seen.push_back(tag);
  if (tag == "p") flags.p_seen = true;
  const Status problem = check_tag_value(tag, value);
  if (!problem && problem.error() == "unknown tag") return;  // RFC 9989 §4.7: MUST be ignored
  if (!problem) {
    r.problems.push_back({tag, problem.error()});
    note_policy_problem(tag, flags);
    if (tag == "rua") r.rua = parse_uri_list(value);  // keep the usable elements
    if (tag == "ruf") r.ruf = parse_uri_list(value);
    return;
  }
  if (tag == "rua") r.rua = parse_uri_list(value);
  if (tag == "ruf") r.ruf = parse_uri_list(value);
  store_tag(tag, value, r);
}

// RFC 9989 §4.10.1 / RFC 7489 §6.6.3 step 6: a broken policy falls back to p=none when a
// usable rua exists; otherwise the record is not applied at all.
void apply_policy_rule(const PolicyFlags& flags, DmarcMode mode, RecordParse& out) {
  const bool p_missing = !flags.p_seen && mode == DmarcMode::rfc7489;
  const bool np_counts = mode == DmarcMode::rfc9989 && flags.np_invalid;
  if (!(p_missing || flags.p_invalid || flags.sp_invalid || np_counts)) return;
  const char* tag = flags.p_invalid || p_missing ? "p" : flags.sp_invalid ? "sp" : "np";
  const std::string what = std::string(p_missing ? "missing" : "invalid") + " '" + tag + "'";
  if (!out.record.rua.any_usable()) {
    out.status = RecordStatus::unusable;
    out.reason = what + " and no usable rua: record not applied";
    return;
  }
  out.record.p = Disposition::none;
  out.record.sp.reset();
  out.record.np.reset();
  out.record.forced_none = true;
  out.reason = what + " with a usable rua: treated as p=none";
}

}  // namespace

const char* to_string(Disposition disposition) {
  switch (disposition) {
    case Disposition::none:
      return "none";
    case Disposition::quarantine:
      return "quarantine";
    case Disposition::reject:
      return "reject";
  }
  return "none";
}

const char* to_string(AlignmentMode mode) {
  return mode == AlignmentMode::strict ? "s" : "r";
}

Status check_tag_value(std::string_view tag_in, std::string_view value) {
  const auto tag = lower_ascii(tag_in);
  if (value.empty()) return Error{"empty value"};
  const bool printable = std::all_of(value.begin(), value.end(),
                                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ';'; });
  if (!printable) return Error{"value contains bytes outside %x20-3A / %x3C-7E"};
  if (tag == "v") {
    if (value == "DMARC1") return Ok{};
    return Error{"version must be exactly DMARC1"};
  }
  if (tag == "p" || tag == "sp" || tag == "np") {
    if (parse_disposition(value)) return Ok{};
    return Error{"must be none, quarantine or reject"};
  }
  if (tag == "adkim" || tag == "aspf") {
    if (one_of(value, {"r", "s"})) return Ok{};
    return Error{"must be r or s"};
  }
  if (tag == "psd") {
    if (one_of(value, {"y", "n", "u"})) return Ok{};
    return Error{"must be y, n or u"};
  }
  if (tag == "t") {
    if (one_of(value, {"y", "n"})) return Ok{};
    return Error{"must be y or n"};
  }
  if (tag == "pct") {
    const auto n = parse_number(value, 3);
    if (n && *n <= 100) return Ok{};
    return Error{"must be an integer 0-100"};
  }
  if (tag == "ri") {
    const auto n = parse_number(value, 10);
    if (n && *n <= kMaxRi) return Ok{};
    return Error{"must be a 32-bit unsigned integer"};
  }
  if (tag == "fo") {
    if (colon_list(value, {"0", "1", "d", "s"})) return Ok{};
    return Error{"must be a colon-separated list of 0, 1, d, s"};
  }
  if (tag == "rf") {
    if (colon_list(value, {"afrf", "iodef"})) return Ok{};
    return Error{"must be a colon-separated list of afrf, iodef"};
  }
  if (tag == "rua" || tag == "ruf") return check_uri_list(value);
  return Error{"unknown tag"};
}

bool is_dmarc_record(std::string_view text) {
  const auto semicolon = text.find(';');
  const auto first = text.substr(0, semicolon);
  const auto equals = first.find('=');
  if (equals == std::string_view::npos) return false;
  const auto name = first.substr(0, equals);
  // RFC 9989 §4.8: dmarc-version = "v" equals %s"DMARC1"; the record starts with it.
  if (name.empty() || (name.front() != 'v' && name.front() != 'V')) return false;
  if (trim_wsp(name.substr(1)).size() != 0) return false;
  return trim_wsp(first.substr(equals + 1)) == "DMARC1";
}

RecordParse parse_record(std::string_view text, DmarcMode mode) {
  RecordParse out;
  if (!is_dmarc_record(text)) {
    out.reason = text.empty() ? "empty record" : "record does not start with v=DMARC1";
    return out;
  }
  if (text.size() > kMaxRecordLength) {
    out.status = RecordStatus::unusable;
    out.reason = "record longer than " + std::to_string(kMaxRecordLength) + " bytes";
    return out;
  }
  out.status = RecordStatus::valid;
  PolicyFlags flags;
  std::vector<std::string> seen{"v"};
  text.remove_prefix(std::min(text.size(), text.find(';')));
  std::size_t tags = 1;
  while (!text.empty()) {
    text.remove_prefix(1);  // the ';'
    const auto next = text.find(';');
    const auto element = trim_wsp(text.substr(0, next));
    text.remove_prefix(std::min(text.size(), next));
    if (element.empty()) {
      if (!text.empty()) out.record.problems.push_back({"", "empty tag ignored"});
      continue;
    }
    if (++tags > kMaxTags) {
      out.record.problems.push_back({"", "more than " + std::to_string(kMaxTags) + " tags"});
      break;
    }
    apply_tag(element, out.record, flags, seen);
  }
  apply_policy_rule(flags, mode, out);
  if (out.reason.empty() && !out.record.problems.empty()) {
    const auto& first = out.record.problems.front();
    out.reason = "tag '" + first.tag + "': " + first.reason;
  }
  return out;
}

}  // namespace authmilter::dmarc
