// failure_record_builder.cpp - see failure_record_builder.h.
#include "evaluation/failure_record_builder.h"

#include "common/ascii.h"
#include "report/fo_trigger.h"
#include "report/redaction.h"

namespace authmilter::evaluation {

namespace {

bool spf_failed(const std::optional<spf::SpfResult>& spf) {
  if (!spf) return false;
  return spf->code == spf::SpfCode::fail || spf->code == spf::SpfCode::softfail ||
         spf->code == spf::SpfCode::permerror;
}

bool signature_failed(const dkim::DkimResult& signature) {
  return signature.code == dkim::DkimCode::fail || signature.code == dkim::DkimCode::policy ||
         signature.code == dkim::DkimCode::permerror;
}

// RFC 6591 §3.1 reports one signature: the first that failed, else the first there is.
const dkim::DkimResult* reported_signature(const std::vector<dkim::DkimResult>& dkim) {
  for (const auto& signature : dkim)
    if (signature.code != dkim::DkimCode::pass) return &signature;
  return dkim.empty() ? nullptr : &dkim.front();
}

std::string identity_alignment(const dmarc::DmarcResult& result) {
  if (result.dkim_aligned && result.spf_aligned) return "dkim, spf";
  if (result.dkim_aligned) return "dkim";
  if (result.spf_aligned) return "spf";
  return "none";
}

// RFC 6591 §3.2 Delivery-Result: what we did with the message.
std::string delivery_result(const decision::Decision& decision) {
  if (decision.dry_run) return "delivered";
  switch (decision.action) {
    case decision::Action::reject:
      return "reject";
    case decision::Action::quarantine:
      return "spam";
    case decision::Action::deliver:
      return "delivered";
    default:
      return "other";
  }
}

// The SPF record that failed, for SPF-DNS (RFC 6591 §3.2): the one v=spf1 TXT, if any.
std::string spf_record(dns::Resolver& resolver, const std::string& domain) {
  const auto answer = resolver.lookup_txt(domain);
  std::string found;
  for (const auto& text : answer.records) {
    const std::string lowered = lower_ascii(text.substr(0, 7));
    if (lowered == "v=spf1" || lowered == "v=spf1 ") {
      if (!found.empty()) return "";  // several: SPF permerror, nothing one record explains
      found = text;
    }
  }
  return found;
}

// Our AR value may be folded; the report's field is one line.
std::string unfolded(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\r' || c == '\n') continue;
    out += c == '\t' ? ' ' : c;
  }
  return out;
}

}  // namespace

std::optional<report::FailureRecord> make_failure_record(const FailureRecordInput& input) {
  const report::FailureReportOptions* options = input.options;
  if (options == nullptr || !options->enabled || input.step == nullptr) return std::nullopt;
  const DmarcStep& step = *input.step;
  if (!step.result || !step.result->record) return std::nullopt;
  const dmarc::DmarcResult& result = *step.result;
  const dmarc::DmarcRecord& record = *result.record;
  if (!record.ruf.any_usable() || record.psd == dmarc::PsdFlag::yes) return std::nullopt;
  if (result.code != dmarc::DmarcCode::pass && result.code != dmarc::DmarcCode::fail)
    return std::nullopt;
  static const std::optional<spf::SpfResult> kNoSpf;
  static const std::vector<dkim::DkimResult> kNoDkim;
  const auto& spf = input.spf != nullptr ? *input.spf : kNoSpf;
  const auto& dkim = input.dkim != nullptr ? *input.dkim : kNoDkim;
  report::AuthenticationFacts facts;
  facts.dmarc_failed = result.code == dmarc::DmarcCode::fail;
  facts.spf_aligned = result.spf_aligned;
  facts.dkim_aligned = result.dkim_aligned;
  facts.spf_failed = spf_failed(spf);
  for (const auto& signature : dkim)
    facts.dkim_failed = facts.dkim_failed || signature_failed(signature);
  std::string fired = report::fired_fo_options(record.fo, options->honoured_fo, facts);
  if (fired.empty()) return std::nullopt;

  report::FailureRecord failure;
  for (const auto& uri : record.ruf.uris) {
    if (!failure.ruf.empty()) failure.ruf += ',';
    failure.ruf += uri.text;
  }
  failure.fired = std::move(fired);
  failure.identity_alignment = identity_alignment(result);
  const auto redaction = options->redact;
  const std::string_view key = options->redact_key;
  failure.mail_from = report::redact_address(input.mail_from, redaction, key);
  if (spf && spf->code != spf::SpfCode::pass && !spf->domain.empty() && input.resolver != nullptr)
    failure.spf_record = spf_record(*input.resolver, spf->domain);
  if (const auto* signature = reported_signature(dkim)) {
    failure.dkim_domain = signature->domain;
    failure.dkim_identity = report::redact_address(signature->identity, redaction, key);
    failure.dkim_selector = signature->selector;
  }
  failure.authentication_results = unfolded(input.authentication_results);
  failure.delivery_result = delivery_result(step.decision);
  failure.headers = report::redact_header_section(input.headers, redaction, key);
  failure.headers_cut = input.headers_cut;
  report::sanitize_failure(failure);
  return failure;
}

}  // namespace authmilter::evaluation
