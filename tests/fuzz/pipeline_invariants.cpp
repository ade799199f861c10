#include "pipeline_invariants.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "authres/parse.h"
#include "common/ascii.h"
#include "dmarc/evaluate.h"

namespace authmilter::fuzz {

namespace {

std::string dns_key(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return lower_ascii(name);
}

bool in_subtree(std::string_view domain, std::string_view root) {
  if (domain == root) return true;
  return domain.size() > root.size() && domain.ends_with(root) &&
         domain[domain.size() - root.size() - 1] == '.';
}

// Relaxed alignment as a necessary condition (RFC 9989 §4.4): equal names, or both inside the
// subtree of the Organizational Domain that evaluation found for the Author Domain.
bool aligned(std::string_view identifier, std::string_view author, std::string_view org) {
  const std::string a = dns_key(identifier);
  const std::string b = dns_key(author);
  if (a == b) return !a.empty();
  const std::string root = dns_key(org);
  return !root.empty() && in_subtree(a, root) && in_subtree(b, root);
}

// A DNS name as the DKIM key lookup would have asked for it; nullopt when sanitizing for the
// AR header may have changed it (then the lookup name cannot be rebuilt from the AR).
std::optional<std::string> plain_name(std::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
  if (!plain) return std::nullopt;
  return dns_key(text);
}

std::string property(const authres::MethodResult& result, std::string_view type,
                     std::string_view name) {
  for (const auto& item : result.properties)
    if (item.type == type && item.name == name) return item.value;
  return {};
}

std::string check_field_bytes(std::string_view value, std::string_view authserv_id) {
  if (!value.starts_with(authserv_id) || value.size() <= authserv_id.size() ||
      value[authserv_id.size()] != ';')
    return "AR value does not start with '<authserv-id>;'";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '\r') return "AR value contains CR";
    if (c == '\n' && (i + 1 >= value.size() || value[i + 1] != '\t'))
      return "AR value contains an LF that is not a fold";
    if (c == '\t' && (i == 0 || value[i - 1] != '\n')) return "AR value contains a bare TAB";
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
      return "AR value contains a control character";
  }
  return {};
}

std::string check_dkim_pass(const authres::MethodResult& clause, const TracingResolver& dns) {
  const auto domain = plain_name(property(clause, "header", "d"));
  const auto selector = plain_name(property(clause, "header", "s"));
  if (!domain || !selector) return {};
  const auto& outcomes = dns.txt_outcomes(*selector + "._domainkey." + *domain);
  if (outcomes.size() != 1 || !outcomes.contains(dns::Outcome::ok))
    return "dkim=pass but the key " + *selector + "._domainkey." + *domain +
           " was not answered (or not only answered) ok";
  return {};
}

// Invariants 3 and 4 for DMARC: the structured result and the AR clauses that back it.
std::string check_dmarc_pass(const dmarc::DmarcResult& result,
                             const std::vector<authres::MethodResult>& clauses,
                             const CheckContext& context) {
  const std::string& author = result.from_domain;
  if (context.dns->txt_failed("_dmarc." + author))
    return "dmarc=pass although _dmarc." + author + " failed in DNS";
  if (!result.spf_aligned && !result.dkim_aligned) return "dmarc=pass with nothing aligned";
  if (result.spf_aligned) {
    const auto& spf = context.evaluation->spf_mail_from();
    if (!spf || spf->code != spf::SpfCode::pass) return "dmarc=pass: spf aligned without spf=pass";
    if (!aligned(spf->domain, author, result.org_domain))
      return "dmarc=pass: SPF domain " + spf->domain + " not aligned with " + author;
  }
  if (result.dkim_aligned) {
    const bool backed = std::any_of(clauses.begin(), clauses.end(), [&](const auto& clause) {
      return clause.method == "dkim" && clause.result == "pass" &&
             dns_key(property(clause, "header", "d")) == dns_key(result.aligned_dkim_domain) &&
             aligned(result.aligned_dkim_domain, author, result.org_domain);
    });
    if (!backed) return "dmarc=pass: no aligned dkim=pass for d=" + result.aligned_dkim_domain;
  }
  return {};
}

std::string check_clauses(const std::vector<authres::MethodResult>& clauses,
                          const evaluation::MessageOutcome& outcome, const CheckContext& context) {
  for (const auto& clause : clauses) {
    if (clause.result != "pass") continue;
    if (clause.method == "spf") {
      std::string domain = property(clause, "smtp", "mailfrom");
      if (domain.empty()) domain = property(clause, "smtp", "helo");
      if (context.dns->txt_failed(domain)) return "spf=pass although TXT " + domain + " failed";
    }
    if (clause.method == "dkim") {
      if (auto problem = check_dkim_pass(clause, *context.dns); !problem.empty()) return problem;
    }
    if (clause.method == "dmarc") {
      if (!outcome.dmarc || !outcome.dmarc->result ||
          outcome.dmarc->result->code != dmarc::DmarcCode::pass)
        return "AR says dmarc=pass but the outcome does not";
    }
  }
  if (outcome.dmarc && outcome.dmarc->result &&
      outcome.dmarc->result->code == dmarc::DmarcCode::pass)
    return check_dmarc_pass(*outcome.dmarc->result, clauses, context);
  return {};
}

std::string check_forged_indices(const std::vector<int>& indices, int headers) {
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] < 1 || indices[i] > headers) return "forged AR index out of range";
    if (i > 0 && indices[i] >= indices[i - 1]) return "forged AR indices not strictly descending";
  }
  return {};
}

}  // namespace

dns::TxtAnswer TracingResolver::lookup_txt(std::string_view name) {
  dns::TxtAnswer answer = inner_.lookup_txt(name);
  txt_outcomes_[dns_key(name)].insert(answer.outcome);
  return answer;
}

const std::set<dns::Outcome>& TracingResolver::txt_outcomes(std::string_view name) const {
  static const std::set<dns::Outcome> kNone;
  const auto found = txt_outcomes_.find(dns_key(name));
  return found == txt_outcomes_.end() ? kNone : found->second;
}

bool TracingResolver::txt_failed(std::string_view name) const {
  const auto& outcomes = txt_outcomes(name);
  return outcomes.contains(dns::Outcome::servfail) || outcomes.contains(dns::Outcome::timeout);
}

std::string check_reply(const evaluation::StageReply& reply) {
  for (const char c : reply.refusal.text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return "reply text contains a control character";
  }
  if (reply.kind != evaluation::StageReply::Kind::proceed && reply.refusal.code.size() != 3)
    return "refusal without a three-digit reply code";
  return {};
}

std::string check_outcome(const evaluation::MessageOutcome& outcome, const CheckContext& context) {
  if (auto problem = check_reply(outcome.reply); !problem.empty()) return problem;
  if (auto problem = check_forged_indices(outcome.forged_header_indices,
                                          context.authentication_results_headers);
      !problem.empty())
    return problem;
  // A refused message carries no AR header (too many forged ones, or over the limits).
  if (outcome.authentication_results.empty()) {
    if (outcome.reply.kind == evaluation::StageReply::Kind::proceed)
      return "a delivered message without an AR value";
    return {};
  }
  const std::string& value = outcome.authentication_results;
  if (auto problem = check_field_bytes(value, context.authserv_id); !problem.empty())
    return problem;
  const auto parsed = authres::parse_authres(value);
  if (!parsed.ok()) return "our AR value does not parse: " + parsed.error();
  if (parsed->authserv_id != lower_ascii(context.authserv_id))
    return "our AR value names another authserv-id";
  return check_clauses(parsed->results, outcome, context);
}

}  // namespace authmilter::fuzz
