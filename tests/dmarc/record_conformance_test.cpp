// Mail::DMARC record tables (record_parse, defaults_applied, lenient_real_world_records).
#include <gtest/gtest.h>

#include "conformance_support.h"
#include "dmarc/record.h"

namespace authmilter::dmarc {
namespace {

using testing::load_yaml;
using testing::SuiteTally;

YAML::Node mail_dmarc() {
  return load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml");
}

std::string record_text(const YAML::Node& c) {
  if (c["record"]) return c["record"].as<std::string>();
  std::string text = "v=" + c["tags"]["v"].as<std::string>();
  for (const auto& tag : c["tags"]) {
    const auto name = tag.first.as<std::string>();
    if (name != "v") text += "; " + name + "=" + tag.second.as<std::string>();
  }
  return text;
}

std::string field(const DmarcRecord& r, const std::string& name) {
  if (name == "v") return "DMARC1";  // only v=DMARC1 records parse at all
  if (name == "p") return r.p ? to_string(*r.p) : "";
  if (name == "pct") return std::to_string(r.pct);
  if (name == "rua") return r.rua.uris.empty() ? "" : r.rua.uris.front().text;
  if (name == "ruf") return r.ruf.uris.empty() ? "" : r.ruf.uris.front().text;
  if (name == "fo") return r.fo;
  if (name == "rf") return r.rf;
  if (name == "ri") return std::to_string(r.ri);
  if (name == "adkim") return to_string(r.adkim);
  if (name == "aspf") return to_string(r.aspf);
  return "?";
}

bool hash_matches(const RecordParse& parsed, const YAML::Node& expected, std::string& detail) {
  if (parsed.status == RecordStatus::not_dmarc) {
    detail = "not a DMARC record";
    return false;
  }
  for (const auto& kv : expected) {
    const auto name = kv.first.as<std::string>();
    const auto got = field(parsed.record, name);
    if (got != kv.second.as<std::string>()) {
      detail = name + "=" + got;
      return false;
    }
  }
  return true;
}

void run_record_parse(DmarcMode mode, const std::string& era) {
  const std::string backslash_reason =
      "RFC 9989 §4.8: the version value must be exactly DMARC1; 'DMARC1\\' is not (the "
      "backslashes are zone-file escapes that leaked into the TXT data)";
  testing::ExpectedFailures expected{{"record v=DMARC1\\; p=reject\\;", backslash_reason}};
  if (mode == DmarcMode::rfc9989) {
    const std::string missing_p =
        "RFC 9989 §4.7: a record without p is treated as p=none (Mail::DMARC keeps the RFC "
        "7489 requirement of p or a valid rua)";
    expected["tags v=DMARC1"] = missing_p;
    expected["tags v=DMARC1; rua=ftp://www.example.com"] = missing_p;
  }
  SuiteTally tally("mail-dmarc record_parse " + era, expected);
  for (const auto& c : mail_dmarc()["record_parse"]["cases"]) {
    if (c["era"] && c["era"].as<std::string>() != era) continue;
    const auto text = record_text(c);
    const auto parsed = parse_record(text, mode);
    std::string detail = parsed.reason;
    bool ok = true;
    if (c["expected"]) ok = hash_matches(parsed, c["expected"], detail);
    if (c["valid"]) ok = ok && (parsed.status == RecordStatus::valid) == c["valid"].as<bool>();
    tally.check((c["record"] ? "record " : "tags ") + text, ok, detail);
  }
  const auto defaults = mail_dmarc()["record_parse"]["defaults_applied"];
  const auto parsed = parse_record(defaults["input"].as<std::string>(), mode);
  std::string detail;
  tally.check("defaults_applied", hash_matches(parsed, defaults[era + "_era"], detail), detail);
}

TEST(RecordConformance, MailDmarcRecordParse) {
  run_record_parse(DmarcMode::rfc7489, "rfc7489");
  run_record_parse(DmarcMode::rfc9989, "rfc9989");
}

// The records follow Mail::DMARC's stored "domain=NAME;" pseudo-tag; DNS never carries it.
std::string strip_pseudo_domain(const std::string& stored) {
  if (stored.rfind("domain=", 0) != 0) return stored;
  const auto semicolon = stored.find(';');
  return semicolon == std::string::npos ? "" : stored.substr(semicolon + 1);
}

TEST(RecordConformance, MailDmarcLenientRealWorldRecords) {
  const auto lenient = mail_dmarc()["lenient_real_world_records"];
  SuiteTally tally("mail-dmarc lenient_real_world_records", {});
  for (const auto& node : lenient["records"]) {
    const auto text = strip_pseudo_domain(node.as<std::string>());
    for (const auto mode : {DmarcMode::rfc9989, DmarcMode::rfc7489}) {
      const auto parsed = parse_record(text, mode);
      // RFC 9989 §4.7: broken tags are discarded, the record still applies with its p.
      const bool ok = parsed.status == RecordStatus::valid && parsed.record.p.has_value();
      tally.check(text + (mode == DmarcMode::rfc9989 ? " [9989]" : " [7489]"), ok, parsed.reason);
    }
  }
  // Records Mail::DMARC cannot handle: only a defined outcome is required (no crash).
  for (const auto& node : lenient["known_unhandled_by_mail_dmarc"]) {
    const auto text = strip_pseudo_domain(node.as<std::string>());
    const auto parsed = parse_record(text, DmarcMode::rfc9989);
    const bool defined = parsed.status == RecordStatus::valid ||
                         parsed.status == RecordStatus::not_dmarc ||
                         parsed.status == RecordStatus::unusable;
    std::cout << "  unhandled-upstream record -> "
              << (parsed.status == RecordStatus::valid ? "valid" : "rejected") << ": "
              << parsed.reason << "\n";
    tally.check(text, defined, parsed.reason);
  }
}

}  // namespace
}  // namespace authmilter::dmarc
