// check_host.h - the RFC 7208 §4 check_host() evaluator behind SpfEngine::builtin.
//
// SYNOPSIS
//   CheckHost check(resolver, options, inputs);   // one per SPF check, never shared
//   HostOutcome outcome = check.evaluate(domain);
//   std::string text = check.explain(outcome);    // only meaningful for fail
//
// DESCRIPTION
//   evaluate() fetches and parses the record of `domain`, evaluates its mechanisms left to
//   right, follows include: and redirect= recursively and enforces the processing limits of
//   RFC 7208 §4.6.4 across the whole recursion (DNS-querying terms, void lookups, MX and PTR
//   names). The recursion depth is bounded by the term limit and by kMaxRecursionDepth.
//   explain() fetches and expands the exp= text of the record that produced a fail, at most
//   once and outside every limit (RFC 7208 §6.2), falling back to the default explanation.
//
// OWNERSHIP
//   Borrows the resolver and the options for its lifetime; holds per-check counters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "spf/macro.h"
#include "spf/record.h"
#include "spf/spf.h"

namespace authmilter::spf {

// Safety net beside the term limit, for options that raise that limit.
inline constexpr int kMaxRecursionDepth = 32;

struct HostOutcome {
  SpfCode code = SpfCode::none;
  std::string reason;
  // For fail: the record whose mechanism failed, whose exp= (if any) explains it.
  std::optional<std::string> exp_spec;
  std::string exp_domain;
};

class CheckHost {
 public:
  CheckHost(dns::Resolver& resolver, const SpfOptions& options, MacroInputs inputs);

  HostOutcome evaluate(const std::string& domain);
  std::string explain(const HostOutcome& outcome);
  int dns_terms() const { return dns_terms_; }

 private:
  enum class Match { no, yes, temperror, permerror };
  struct TermResult {
    Match match = Match::no;
    std::string reason;  // for errors
  };
  struct RecordFetch {
    std::optional<SpfRecord> record;
    SpfCode code = SpfCode::none;  // when there is no record
    std::string reason;
  };

  HostOutcome check_host(const std::string& domain, int depth);
  RecordFetch fetch_record(const std::string& domain);
  HostOutcome run_record(const SpfRecord& record, const std::string& domain, int depth);
  HostOutcome follow_redirect(const std::string& spec, const std::string& domain, int depth);
  TermResult evaluate_mechanism(const Mechanism& m, const std::string& domain, int depth);

  // mechanisms.cpp
  TermResult match_include(const Mechanism& m, const std::string& domain, int depth);
  TermResult match_a(const Mechanism& m, const std::string& target);
  static TermResult cut_address_answer(const std::string& name);
  TermResult match_mx(const Mechanism& m, const std::string& target);
  TermResult match_ptr(const std::string& target);
  TermResult match_exists(const std::string& target);
  bool matches_cidr(const net::IpAddress& address, const Mechanism& m) const;
  std::vector<std::string> validated_names(const dns::NameAnswer& answer);
  std::string validated_name_for_macro();

  // Limits (RFC 7208 §4.6.4); each returns the error to report, or nullopt.
  std::optional<TermResult> count_dns_term();
  std::optional<TermResult> count_void(dns::Outcome outcome);

  // expand_target - the expanded, truncated name of spec in `domain`; nullopt when it cannot
  // be queried (bad macro, empty or over-long labels), which callers treat as no such name.
  std::optional<std::string> expand_target(const std::string& spec, const std::string& domain);
  // query_name - name truncated to 253 octets from the left (RFC 7208 §4.8); nullopt as above.
  static std::optional<std::string> query_name(const std::string& name);
  std::optional<std::string> fetch_explanation(const HostOutcome& outcome);

  dns::Resolver& resolver_;
  const SpfOptions& options_;
  MacroInputs inputs_;
  int dns_terms_ = 0;
  int void_lookups_ = 0;
  // The client's validated names for %{p}, looked up once: every %{p} would otherwise repeat a
  // PTR and up to max_ptr_names address lookups, none of them counted as a DNS term.
  std::optional<std::vector<std::string>> names_for_macro_;
};

}  // namespace authmilter::spf
