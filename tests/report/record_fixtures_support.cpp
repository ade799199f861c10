// record_fixtures_support.cpp - sample ReportRecords for the report tests.
#include "record_fixtures.h"

namespace authmilter::report::testing {

ReportRecord sample_record(std::int64_t time, const std::string& policy_domain, int variant) {
  ReportRecord record;
  record.time = time;
  record.source_ip = variant % 2 == 0 ? "192.0.2.1" : "2001:db8::25";
  record.header_from = policy_domain;
  record.envelope_from = "bounce." + policy_domain;
  record.envelope_to = {"example.net"};
  record.spf_domain = record.envelope_from;
  record.spf_result = variant % 3 == 0 ? "pass" : "softfail";
  record.dkim = {{policy_domain, "sel1", "pass"}};
  if (variant % 4 == 1) record.dkim.push_back({"third.example", "s2", "fail"});
  record.policy.domain = policy_domain;
  record.policy.p = "reject";
  record.policy.sp = "quarantine";
  record.policy.np = "reject";
  record.policy.rua = "mailto:dmarc@" + policy_domain;
  record.disposition = "none";
  record.dmarc_result = "pass";
  record.dkim_aligned = "pass";
  record.spf_aligned = variant % 3 == 0 ? "pass" : "fail";
  if (variant % 5 == 2) record.overrides = {{"local_policy", "trusted network"}};
  record.queue_id = "Q" + std::to_string(variant);
  return record;
}

Result<RunClaim> claim_slot(RecordStore& store, const ReportSlot& slot) {
  SlotQuery query;
  query.interval_seconds = slot.end - slot.begin;
  query.since = slot.begin;
  query.until = slot.end;
  query.domain = slot.policy_domain;
  return store.claim(query);
}

}  // namespace authmilter::report::testing
