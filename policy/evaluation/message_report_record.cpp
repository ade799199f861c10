#include "evaluation/message_report_record.h"

#include <algorithm>

#include "common/ascii.h"
#include "dmarc/record.h"

namespace authmilter::evaluation {

namespace {

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return lower_ascii(at == std::string::npos ? address : address.substr(at + 1));
}

std::string published_rua(const dmarc::UriList& rua) {
  std::string text;
  for (const auto& uri : rua.uris) {
    if (!text.empty()) text += ',';
    text += uri.text;
    if (uri.max_bytes) text += "!" + std::to_string(*uri.max_bytes);
  }
  return text;
}

report::PublishedPolicy published_policy(const dmarc::DmarcResult& result) {
  const dmarc::DmarcRecord& record = *result.record;
  report::PublishedPolicy policy;
  policy.domain = result.policy_domain;
  policy.p = dmarc::to_string(record.policy());
  if (record.sp) policy.sp = dmarc::to_string(*record.sp);
  if (record.np) policy.np = dmarc::to_string(*record.np);
  policy.psd = record.psd == dmarc::PsdFlag::yes  ? "y"
               : record.psd == dmarc::PsdFlag::no ? "n"
                                                  : "u";
  policy.testing = record.testing;
  policy.adkim = dmarc::to_string(record.adkim);
  policy.aspf = dmarc::to_string(record.aspf);
  policy.pct = record.pct;
  policy.fo = record.fo;
  policy.discovery = dmarc::to_string(result.discovery);
  policy.rua = published_rua(record.rua);
  return policy;
}

// The disposition actually applied, in RFC 9990 words: a quarantine or reject we did not carry
// out (dry run, downgrades) is what the decision says was applied.
std::string applied_disposition(const decision::Decision& decision) {
  if (decision.dry_run) return "none";
  switch (decision.action) {
    case decision::Action::reject:
      return "reject";
    case decision::Action::quarantine:
      return "quarantine";
    default:
      return "none";
  }
}

const char* verdict_word(dmarc::AuthorVerdict verdict) {
  return verdict == dmarc::AuthorVerdict::fail ? "fail" : "evaluate";
}

// What decide() was given beyond the other columns (report_record.h DecisionFacts).
report::DecisionFacts decision_facts(const DmarcStep& step) {
  const decision::DecisionInput& input = step.facts;
  report::DecisionFacts facts;
  facts.author_verdict = verdict_word(input.author);
  facts.author_domains = input.author_domains;
  facts.dmarc_code = dmarc::to_string(input.dmarc.code);
  facts.published = dmarc::to_string(input.dmarc.published);
  facts.requested = dmarc::to_string(input.dmarc.requested);
  facts.list_headers = input.signs.list_headers;
  facts.arc_result = step.arc_result;
  facts.arc_sealer = input.signs.arc_pass_sealer;
  for (const auto& sealer : step.arc_sealers)
    facts.arc_sealers.push_back({sealer.instance, sealer.sealer, sealer.evidence});
  return facts;
}

}  // namespace

std::optional<report::ReportRecord> make_report_record(const ReportRecordInput& input) {
  if (input.dmarc == nullptr || !*input.dmarc || !(*input.dmarc)->result) return std::nullopt;
  const DmarcStep& step = **input.dmarc;
  const dmarc::DmarcResult& result = *step.result;
  if (!result.record || result.policy_domain.empty()) return std::nullopt;
  // A message we answer 4xx is not received: its retry is what gets counted.
  if (step.decision.action == decision::Action::tempfail) return std::nullopt;
  report::ReportRecord row;
  row.time = input.time;
  if (input.client) row.source_ip = input.client->to_string();
  row.header_from = result.from_domain;
  row.envelope_from = input.mail_from.empty() ? "" : domain_of(input.mail_from);
  if (input.recipients != nullptr) {
    for (const auto& recipient : *input.recipients) {
      std::string domain = domain_of(recipient);
      if (std::find(row.envelope_to.begin(), row.envelope_to.end(), domain) ==
          row.envelope_to.end())
        row.envelope_to.push_back(std::move(domain));
    }
  }
  if (input.spf != nullptr && *input.spf) {
    const spf::SpfResult& spf = **input.spf;
    row.spf_domain = spf.domain;
    row.spf_scope = spf.scope == spf::SpfScope::helo ? "helo" : "mfrom";
    row.spf_result = spf::to_string(spf.code);
  }
  if (input.dkim != nullptr) {
    for (const auto& signature : *input.dkim)
      row.dkim.push_back({signature.domain, signature.selector, dkim::to_string(signature.code)});
  }
  row.policy = published_policy(result);
  row.disposition = applied_disposition(step.decision);
  row.dmarc_result = result.code == dmarc::DmarcCode::pass ? "pass" : "fail";
  row.dkim_aligned = result.dkim_aligned ? "pass" : "fail";
  row.spf_aligned = result.spf_aligned ? "pass" : "fail";
  for (const auto& override_reason : step.decision.overrides)
    row.overrides.push_back({decision::to_string(override_reason.reason), override_reason.comment});
  row.queue_id = input.queue_id;
  row.facts = decision_facts(step);
  report::sanitize_record(row);
  return row;
}

}  // namespace authmilter::evaluation
