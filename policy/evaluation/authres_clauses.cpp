#include "evaluation/authres_clauses.h"

#include <algorithm>
#include <string>

namespace authmilter::evaluation {

authres::MethodResult spf_clause(const spf::SpfResult& result) {
  authres::MethodResult clause;
  clause.method = "spf";
  clause.result = spf::to_string(result.code);
  clause.comment = result.reason;
  // RFC 8601 §2.7.2: the identity checked; for MAIL FROM we report its domain (as OpenDMARC and
  // DMARC reports do), for HELO the name itself.
  if (result.scope == spf::SpfScope::helo)
    clause.properties.push_back({"smtp", "helo", result.domain});
  else
    clause.properties.push_back({"smtp", "mailfrom", result.domain});
  return clause;
}

namespace {

// " 2048-bit key secure" when the resolver validated the key's answer (as the dkim clause says
// it, OpenDKIM's words), else nothing: the comment stays as short as without a trust anchor.
std::string key_note(const arc::ArcSignatureFacts& facts) {
  if (facts.dnssec == arc::KeyDnssec::unknown) return {};
  std::string note = " ";
  if (facts.key_bits > 0) note += std::to_string(facts.key_bits) + "-bit key ";
  return note + arc::to_string(facts.dnssec);
}

// "i=2; as.2.d=lists.example as.2.s=s1; as.1.d=... ; ams.2.d=... ams.2.s=...": who sealed, newest
// first, and who signed the newest message, so the reader need not parse the ARC sets.
std::string arc_comment(const arc::ArcResult& result) {
  std::string comment;
  if (!result.instances.empty()) {
    const arc::ArcInstance& newest = result.instances.back();
    const std::string n = std::to_string(newest.instance);
    comment = "i=" + n;
    for (auto set = result.instances.rbegin(); set != result.instances.rend(); ++set) {
      const std::string i = std::to_string(set->instance);
      comment += "; as." + i + ".d=";
      comment += set->seal.domain;
      comment += " as." + i + ".s=";
      comment += set->seal.selector;
      comment += key_note(set->seal);
    }
    comment += "; ams." + n + ".d=" + newest.message.domain + " ams." + n +
               ".s=" + newest.message.selector + key_note(newest.message);
  }
  if (!result.reason.empty()) comment += (comment.empty() ? "" : "; ") + result.reason;
  return comment;
}

}  // namespace

authres::MethodResult arc_clause(const arc::ArcResult& result,
                                 const std::optional<net::IpAddress>& client) {
  authres::MethodResult clause;
  clause.method = "arc";
  clause.result = arc::to_string(result.code);
  clause.comment = arc_comment(result);
  if (client) clause.properties.push_back({"smtp", "remote-ip", client->to_string()});
  if (result.code == arc::ArcCode::pass && result.oldest_pass > 0)
    clause.properties.push_back({"header", "oldest-pass", std::to_string(result.oldest_pass)});
  return clause;
}

std::vector<authres::MethodResult> dkim_clauses(const std::vector<dkim::DkimResult>& results,
                                                std::size_t max_listed) {
  std::vector<authres::MethodResult> clauses;
  if (results.empty()) {
    clauses.push_back({.method = "dkim",
                       .result = "none",
                       .comment = "no signatures",
                       .reason = "",
                       .properties = {}});
    return clauses;
  }
  const std::size_t listed = std::min(results.size(), max_listed);
  for (std::size_t i = 0; i < listed; ++i) {
    const dkim::DkimResult& result = results[i];
    authres::MethodResult clause;
    clause.method = "dkim";
    clause.result = dkim::to_string(result.code);
    clause.comment = result.reason;
    if (result.testing_key) clause.comment += clause.comment.empty() ? "test key" : "; test key";
    if (result.body_length)
      clause.comment += (clause.comment.empty() ? "" : "; ") + std::string("body length ") +
                        std::to_string(*result.body_length) + " signed (l=)";
    // OpenDKIM's "2048-bit key; secure"; only when a trust anchor made the status mean something.
    // A bogus key's reason (kBogusKeyReason) already says so.
    const dns::DnssecStatus dnssec = result.key_dnssec;
    if (dnssec != dns::DnssecStatus::unvalidated &&
        !(dnssec == dns::DnssecStatus::bogus && result.reason == dkim::kBogusKeyReason)) {
      if (!clause.comment.empty()) clause.comment += "; ";
      if (result.key_bits > 0) clause.comment += std::to_string(result.key_bits) + "-bit key; ";
      clause.comment += dns::to_string(dnssec);
    }
    clause.properties.push_back({"header", "d", result.domain});
    clause.properties.push_back({"header", "i", result.identity});
    clause.properties.push_back({"header", "s", result.selector});
    clause.properties.push_back({"header", "a", result.algorithm});
    clause.properties.push_back({"header", "b", result.signature_prefix});
    clauses.push_back(std::move(clause));
  }
  if (results.size() > listed)
    clauses.push_back({.method = "dkim",
                       .result = "policy",
                       .comment = std::to_string(results.size() - listed) +
                                  " more signatures not verified or listed (more than " +
                                  std::to_string(max_listed) + " signatures)",
                       .reason = "",
                       .properties = {}});
  return clauses;
}

}  // namespace authmilter::evaluation

namespace authmilter::evaluation {

namespace {

std::string policy_comment(const dmarc::DmarcResult& result, const decision::Decision& decision) {
  if (!result.record) return result.reason;
  const auto& record = *result.record;
  return std::string("p=") + dmarc::to_string(record.policy()) +
         " sp=" + dmarc::to_string(record.sp.value_or(record.policy())) +
         " dis=" + dmarc::to_string(decision.disposition);
}

std::string decision_notes(const decision::Decision& decision) {
  std::string notes;
  for (const auto& item : decision.overrides) {
    notes += std::string("; ") + decision::to_string(item.reason);
    // Which intermediary we believed, and what it saw: the operator's question about a delivery.
    if (item.reason == decision::OverrideReason::trusted_forwarder && !item.comment.empty())
      notes += ": " + item.comment;
  }
  if (decision.dry_run) notes += "; dry run";
  return notes;
}

}  // namespace

authres::MethodResult dmarc_clause(const DmarcStep& step) {
  authres::MethodResult clause;
  clause.method = "dmarc";
  const auto& decision = step.decision;
  if (step.result) {
    clause.result = dmarc::to_string(step.result->code);
    clause.comment = policy_comment(*step.result, decision);
    clause.properties.push_back({"header", "from", step.result->from_domain});
  } else {
    // RFC 9989 §5.3.1: no single Author Domain, DMARC cannot be applied.
    clause.result = step.authors.verdict == dmarc::AuthorVerdict::no_author ? "none" : "permerror";
    clause.comment = step.authors.reason + " dis=" + dmarc::to_string(decision.disposition);
  }
  clause.comment += decision_notes(decision);
  if (clause.comment.rfind("; ", 0) == 0) clause.comment.erase(0, 2);
  clause.properties.push_back({"policy", "dmarc", dmarc::to_string(decision.disposition)});
  return clause;
}

}  // namespace authmilter::evaluation
