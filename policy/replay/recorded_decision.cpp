// recorded_decision.cpp - ReportRecord -> DecisionInput -> decide(); see recorded_decision.h.
#include "replay/recorded_decision.h"

#include <optional>
#include <string_view>

#include "decision/trusted_vouch.h"
#include "dmarc/evaluate.h"

namespace authmilter::replay {

namespace {

std::optional<dmarc::DmarcCode> dmarc_code(std::string_view word) {
  using dmarc::DmarcCode;
  for (DmarcCode code : {DmarcCode::pass, DmarcCode::fail, DmarcCode::none, DmarcCode::temperror,
                         DmarcCode::permerror})
    if (word == dmarc::to_string(code)) return code;
  return std::nullopt;
}

std::optional<dmarc::Disposition> disposition(std::string_view word) {
  using dmarc::Disposition;
  for (Disposition value : {Disposition::none, Disposition::quarantine, Disposition::reject})
    if (word == dmarc::to_string(value)) return value;
  return std::nullopt;
}

// The stored disposition is the one applied (evaluation/message_report_record.cpp): none under dry
// run.
std::optional<decision::Action> recorded_action(std::string_view word) {
  if (word == "none") return decision::Action::deliver;
  if (word == "quarantine") return decision::Action::quarantine;
  if (word == "reject") return decision::Action::reject;
  return std::nullopt;
}

Error unreadable(std::string_view what, std::string_view value) {
  return Error{std::string(what) + " '" + std::string(value.substr(0, 40)) + "'"};
}

std::vector<decision::ArcSealerEvidence> sealer_evidence(const report::DecisionFacts& facts) {
  std::vector<decision::ArcSealerEvidence> sealers;
  sealers.reserve(facts.arc_sealers.size());
  for (const auto& entry : facts.arc_sealers)
    sealers.push_back({entry.instance, entry.sealer, entry.evidence});
  return sealers;
}

}  // namespace

Result<decision::DecisionInput> decision_input_from_record(const report::ReportRecord& record) {
  const report::DecisionFacts& facts = *record.facts;
  decision::DecisionInput input;
  if (facts.author_verdict == "evaluate")
    input.author = dmarc::AuthorVerdict::evaluate;
  else if (facts.author_verdict == "fail")
    input.author = dmarc::AuthorVerdict::fail;
  else
    return unreadable("author verdict", facts.author_verdict);
  input.author_domains = facts.author_domains;
  const auto code = dmarc_code(facts.dmarc_code);
  if (!code) return unreadable("dmarc result", facts.dmarc_code);
  const auto published = disposition(facts.published);
  if (!published) return unreadable("published disposition", facts.published);
  const auto requested = disposition(facts.requested);
  if (!requested) return unreadable("requested disposition", facts.requested);
  if (record.header_from.empty()) return unreadable("From domain", record.header_from);
  input.dmarc.code = *code;
  input.dmarc.from_domain = record.header_from;
  input.dmarc.policy_domain = record.policy.domain;
  input.dmarc.published = *published;
  input.dmarc.requested = *requested;
  input.signs.list_headers = facts.list_headers;
  input.signs.arc_pass_sealer = facts.arc_sealer;
  if (!record.source_ip.empty()) {
    input.client = net::IpAddress::parse(record.source_ip);
    if (!input.client) return unreadable("client address", record.source_ip);
  }
  // dmarc_step.cpp alignment_input(): SPF's domain when it passed, every DKIM pass (bounded).
  if (record.spf_result == "pass") input.spf_pass_domain = record.spf_domain;
  for (const auto& signature : record.dkim) {
    if (signature.result != "pass") continue;
    if (input.dkim_pass_domains.size() >= dmarc::kMaxDkimDomains) break;
    input.dkim_pass_domains.push_back(signature.domain);
  }
  return input;
}

ReplayedRecord replay_record(const report::ReportRecord& record,
                             const decision::LocalPolicy& candidate) {
  ReplayedRecord out;
  const auto recorded = recorded_action(record.disposition);
  if (!recorded) {
    out.missing = "disposition '" + record.disposition.substr(0, 40) + "'";
    return out;
  }
  out.recorded = *recorded;
  if (!record.facts) {
    // Before schema version 2 only the verdict is known. A DMARC pass is delivered whatever the
    // policy says (decision.h); a fail depends on facts that were not recorded.
    if (record.dmarc_result == "pass") {
      decision::DecisionInput pass;
      pass.dmarc.code = dmarc::DmarcCode::pass;
      pass.dmarc.from_domain = record.header_from;
      out.replayed = decision::decide(pass, candidate);
      out.status = ReplayStatus::judged;
    } else if (record.dmarc_result == "fail") {
      out.status = ReplayStatus::not_judged;
      out.missing = "recorded before schema version 2";
    } else {
      out.missing = "dmarc result '" + record.dmarc_result.substr(0, 40) + "'";
    }
    return out;
  }
  auto input = decision_input_from_record(record);
  if (!input) {
    out.missing = input.error();
    return out;
  }
  bool vouch_known = true;
  if (input->author == dmarc::AuthorVerdict::evaluate &&
      input->dmarc.code == dmarc::DmarcCode::fail) {
    const auto selection = decision::select_trusted_vouch(sealer_evidence(*record.facts),
                                                          candidate.trusted_arc_sealers);
    input->trusted_arc = selection.vouch;
    vouch_known = selection.known;
  }
  out.replayed = decision::decide(*input, candidate);
  // Without a vouch the message is delivered anyway: an unrecorded older sealer cannot matter.
  if (!vouch_known && out.replayed.intended != decision::Action::deliver) {
    out.status = ReplayStatus::not_judged;
    out.missing =
        "ARC instances older than the recorded " + std::to_string(record.facts->arc_sealers.size());
    return out;
  }
  out.status = ReplayStatus::judged;
  return out;
}

}  // namespace authmilter::replay
