#include "evaluation/arc_vouch.h"

#include "authres/parse.h"
#include "common/domain_name.h"
#include "dmarc/domain_name.h"

namespace authmilter::evaluation {

namespace {

bool is_trusted(const std::string& sealer, const std::vector<std::string>& trusted_sealers) {
  for (const auto& trusted : trusted_sealers)
    if (is_same_or_subdomain(sealer, trusted)) return true;
  return false;
}

const authres::Property* find_property(const authres::MethodResult& result, std::string_view type,
                                       std::string_view name) {
  for (const auto& property : result.properties)
    if (property.type == type && property.name == name) return &property;
  return nullptr;
}

// The domain of "local@domain", "@domain" or "domain", normalized; empty if it is none.
std::string domain_part(std::string_view value) {
  const auto at = value.rfind('@');
  if (at != std::string_view::npos) value.remove_prefix(at + 1);
  return dmarc::normalize_domain(value).value_or("");
}

void read_resinfo(const authres::MethodResult& result, ArcVouchCandidate& candidate) {
  if (result.result != "pass") return;
  if (result.method == "spf" && candidate.spf_pass_domain.empty()) {
    // RFC 8601 §2.7.2 smtp.mailfrom; "smtp.mfrom" is what some sealers write.
    const auto* from = find_property(result, "smtp", "mailfrom");
    if (from == nullptr) from = find_property(result, "smtp", "mfrom");
    if (from != nullptr) candidate.spf_pass_domain = domain_part(from->value);
  } else if (result.method == "dkim") {
    const auto* d = find_property(result, "header", "d");
    if (d == nullptr) d = find_property(result, "header", "i");
    if (d == nullptr || candidate.dkim_pass_domains.size() >= kMaxVouchedDkimDomains) return;
    if (std::string domain = domain_part(d->value); !domain.empty())
      candidate.dkim_pass_domains.push_back(std::move(domain));
  } else if (result.method == "dmarc" && candidate.dmarc_pass_from.empty()) {
    if (const auto* from = find_property(result, "header", "from"))
      candidate.dmarc_pass_from = domain_part(from->value);
  }
}

}  // namespace

std::vector<ArcVouchCandidate> arc_sealer_views(const arc::ArcResult& chain, std::size_t at_least,
                                                const std::vector<std::string>& trusted_sealers) {
  std::vector<ArcVouchCandidate> views;
  if (chain.code != arc::ArcCode::pass) return views;
  bool trusted_so_far = true;  // the running policy's walk has not stopped yet
  for (auto instance = chain.instances.rbegin(); instance != chain.instances.rend(); ++instance) {
    trusted_so_far = trusted_so_far && is_trusted(instance->seal.domain, trusted_sealers);
    if (views.size() >= at_least && !trusted_so_far) break;
    ArcVouchCandidate& view = views.emplace_back();
    view.instance = instance->instance;
    view.sealer = instance->seal.domain;
    if (const auto parsed = authres::parse_authres(instance->authentication_results))
      for (const auto& result : parsed->results) read_resinfo(result, view);
  }
  return views;
}

}  // namespace authmilter::evaluation
