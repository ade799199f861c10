// report_record.cpp - bounding a record before it is stored.
#include "report/report_record.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "report/utf8_text.h"

namespace authmilter::report {

namespace {

// Control characters would break the list encoding (record_codec.h) and have no place in a
// domain, selector or result word; cutting to a bound keeps one hostile message from growing
// the store; and one invalid UTF-8 byte would make PostgreSQL refuse the whole batch of rows.
void clean(std::string& text, std::size_t limit) {
  std::erase_if(text, [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; });
  if (text.size() > limit) text.resize(limit);
  text = utf8_or_ascii(std::move(text));
}

void clean_policy(PublishedPolicy& policy) {
  for (std::string* field : {&policy.domain, &policy.p, &policy.sp, &policy.np, &policy.psd,
                             &policy.adkim, &policy.aspf, &policy.fo, &policy.discovery})
    clean(*field, kMaxShortFieldLength);
  clean(policy.rua, kMaxRuaLength);
  policy.pct = std::clamp(policy.pct, 0, 100);
}

void clean_facts(DecisionFacts& facts) {
  for (std::string* field : {&facts.author_verdict, &facts.dmarc_code, &facts.published,
                             &facts.requested, &facts.arc_result, &facts.arc_sealer})
    clean(*field, kMaxShortFieldLength);
  if (facts.author_domains.size() > kMaxDkimPerRecord)
    facts.author_domains.resize(kMaxDkimPerRecord);
  for (auto& domain : facts.author_domains) clean(domain, kMaxShortFieldLength);
  if (facts.arc_sealers.size() > kMaxArcSealersPerRecord)
    facts.arc_sealers.resize(kMaxArcSealersPerRecord);
  for (auto& sealer : facts.arc_sealers) {
    clean(sealer.sealer, kMaxShortFieldLength);
    clean(sealer.evidence, kMaxCommentLength);
  }
}

}  // namespace

void sanitize_record(ReportRecord& record) {
  for (std::string* field :
       {&record.source_ip, &record.header_from, &record.envelope_from, &record.spf_domain,
        &record.spf_scope, &record.spf_result, &record.disposition, &record.dmarc_result,
        &record.dkim_aligned, &record.spf_aligned, &record.queue_id})
    clean(*field, kMaxShortFieldLength);
  if (record.envelope_to.size() > kMaxDkimPerRecord) record.envelope_to.resize(kMaxDkimPerRecord);
  for (auto& domain : record.envelope_to) clean(domain, kMaxShortFieldLength);
  if (record.dkim.size() > kMaxDkimPerRecord) record.dkim.resize(kMaxDkimPerRecord);
  for (auto& entry : record.dkim) {
    clean(entry.domain, kMaxShortFieldLength);
    clean(entry.selector, kMaxShortFieldLength);
    clean(entry.result, kMaxShortFieldLength);
  }
  if (record.overrides.size() > kMaxOverridesPerRecord)
    record.overrides.resize(kMaxOverridesPerRecord);
  for (auto& reason : record.overrides) {
    clean(reason.type, kMaxShortFieldLength);
    clean(reason.comment, kMaxCommentLength);
  }
  clean_policy(record.policy);
  if (record.facts) clean_facts(*record.facts);
  if (record.failure) sanitize_failure(*record.failure);
}

}  // namespace authmilter::report
