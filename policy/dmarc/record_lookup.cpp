#include "dmarc/record_lookup.h"

#include <string>
#include <vector>

namespace authmilter::dmarc {

namespace {

RecordLookup classify(const std::string& domain, const dns::TxtAnswer& answer, DmarcMode mode) {
  RecordLookup out;
  out.domain = domain;
  if (answer.temporary_failure()) {
    out.status = LookupStatus::temperror;
    out.reason = std::string("_dmarc.") + domain + ": " + dns::to_string(answer.outcome);
    return out;
  }
  if (answer.truncated) {
    // A size bound cut the answer: a dropped or shortened string may be (part of) a DMARC
    // record, so what is left must not be applied as if whole, nor read as "no record".
    out.status = LookupStatus::found;
    out.parse.status = RecordStatus::unusable;
    out.parse.reason = "TXT answer cut at a size bound";
    return out;
  }
  std::vector<const std::string*> records;
  for (const auto& text : answer.records) {
    if (is_dmarc_record(text)) records.push_back(&text);
  }
  if (records.empty()) {
    out.reason = std::string("no DMARC record at _dmarc.") + domain;
    return out;
  }
  if (records.size() > 1) {
    out.status = LookupStatus::multiple;
    out.reason = std::to_string(records.size()) + " DMARC records at _dmarc." + domain;
    return out;
  }
  out.status = LookupStatus::found;
  out.parse = parse_record(*records.front(), mode);
  return out;
}

}  // namespace

const RecordLookup& RecordSource::lookup(const std::string& domain) {
  if (auto it = cache_.find(domain); it != cache_.end()) return it->second;
  if (queries_ >= kMaxDmarcQueriesPerMessage) {
    RecordLookup refused;
    refused.status = LookupStatus::temperror;
    refused.domain = domain;
    refused.reason =
        "DMARC DNS query budget (" + std::to_string(kMaxDmarcQueriesPerMessage) + ") exhausted";
    return cache_.emplace(domain, std::move(refused)).first->second;
  }
  ++queries_;
  const auto answer = resolver_.lookup_txt("_dmarc." + domain);
  return cache_.emplace(domain, classify(domain, answer, mode_)).first->second;
}

}  // namespace authmilter::dmarc
