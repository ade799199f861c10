// report_record.cpp - bounding a record before it is stored.
#include "report/report_record.h"

#include <algorithm>

#include "report/utf8_text.h"

namespace authmilter::report {

namespace {

void clean_policy(PublishedPolicy& policy) {
  for (std::string* field : {&policy.domain, &policy.p, &policy.sp, &policy.np, &policy.psd,
                             &policy.adkim, &policy.aspf, &policy.fo, &policy.discovery})
    clean_stored_text(*field, kMaxShortFieldLength);
  clean_stored_text(policy.rua, kMaxRuaLength);
  policy.pct = std::clamp(policy.pct, 0, 100);
}

void clean_facts(DecisionFacts& facts) {
  for (std::string* field : {&facts.author_verdict, &facts.dmarc_code, &facts.published,
                             &facts.requested, &facts.arc_result, &facts.arc_sealer})
    clean_stored_text(*field, kMaxShortFieldLength);
  if (facts.author_domains.size() > kMaxDkimPerRecord)
    facts.author_domains.resize(kMaxDkimPerRecord);
  for (auto& domain : facts.author_domains) clean_stored_text(domain, kMaxShortFieldLength);
  if (facts.arc_sealers.size() > kMaxArcSealersPerRecord)
    facts.arc_sealers.resize(kMaxArcSealersPerRecord);
  for (auto& sealer : facts.arc_sealers) {
    clean_stored_text(sealer.sealer, kMaxShortFieldLength);
    clean_stored_text(sealer.evidence, kMaxCommentLength);
  }
}

}  // namespace

void sanitize_record(ReportRecord& record) {
  for (std::string* field :
       {&record.source_ip, &record.header_from, &record.envelope_from, &record.spf_domain,
        &record.spf_scope, &record.spf_result, &record.disposition, &record.dmarc_result,
        &record.dkim_aligned, &record.spf_aligned, &record.queue_id})
    clean_stored_text(*field, kMaxShortFieldLength);
  if (record.envelope_to.size() > kMaxDkimPerRecord) record.envelope_to.resize(kMaxDkimPerRecord);
  for (auto& domain : record.envelope_to) clean_stored_text(domain, kMaxShortFieldLength);
  if (record.dkim.size() > kMaxDkimPerRecord) record.dkim.resize(kMaxDkimPerRecord);
  for (auto& entry : record.dkim) {
    clean_stored_text(entry.domain, kMaxShortFieldLength);
    clean_stored_text(entry.selector, kMaxShortFieldLength);
    clean_stored_text(entry.result, kMaxShortFieldLength);
  }
  if (record.overrides.size() > kMaxOverridesPerRecord)
    record.overrides.resize(kMaxOverridesPerRecord);
  for (auto& reason : record.overrides) {
    clean_stored_text(reason.type, kMaxShortFieldLength);
    clean_stored_text(reason.comment, kMaxCommentLength);
  }
  clean_policy(record.policy);
  if (record.facts) clean_facts(*record.facts);
  if (record.failure) sanitize_failure(*record.failure);
}

}  // namespace authmilter::report
