#include "evaluation/authres_clauses.h"

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

std::vector<authres::MethodResult> dkim_clauses(const std::vector<dkim::DkimResult>& results) {
  std::vector<authres::MethodResult> clauses;
  if (results.empty()) {
    clauses.push_back({"dkim", "none", "no signatures", "", {}});
    return clauses;
  }
  for (const auto& result : results) {
    authres::MethodResult clause;
    clause.method = "dkim";
    clause.result = dkim::to_string(result.code);
    clause.comment = result.reason;
    if (result.testing_key) clause.comment += clause.comment.empty() ? "test key" : "; test key";
    if (result.body_length)
      clause.comment += (clause.comment.empty() ? "" : "; ") + std::string("body length ") +
                        std::to_string(*result.body_length) + " signed (l=)";
    clause.properties.push_back({"header", "d", result.domain});
    clause.properties.push_back({"header", "i", result.identity});
    clause.properties.push_back({"header", "s", result.selector});
    clause.properties.push_back({"header", "a", result.algorithm});
    clause.properties.push_back({"header", "b", result.signature_prefix});
    clauses.push_back(std::move(clause));
  }
  return clauses;
}

}  // namespace authmilter::evaluation
