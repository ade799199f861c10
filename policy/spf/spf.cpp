#include "spf/spf.h"

#include <ctime>

#include "spf/check_host.h"
#include "spf/identity.h"
#include "spf/libspf2_engine.h"

namespace authmilter::spf {

namespace {

SpfResult check_builtin(const SpfQuery& query, const SpfIdentity& identity, dns::Resolver& resolver,
                        const SpfOptions& options) {
  MacroInputs inputs;
  inputs.sender = identity.sender;
  inputs.local_part = identity.local_part;
  inputs.sender_domain = identity.domain;
  inputs.domain = identity.domain;
  inputs.helo = query.helo;
  inputs.receiver = options.receiver_host;
  inputs.client = query.client;
  inputs.timestamp = options.timestamp != 0 ? options.timestamp : std::time(nullptr);
  CheckHost check(resolver, options, std::move(inputs));
  const HostOutcome outcome = check.evaluate(identity.domain);
  SpfResult result;
  result.code = outcome.code;
  result.scope = identity.scope;
  result.domain = identity.domain;
  result.reason = outcome.reason;
  result.explanation = check.explain(outcome);
  result.dns_lookups = check.dns_terms();
  return result;
}

bool is_loopback(const net::IpAddress& client) {
  // ::ffff:127.x.y.z arrives unmapped (ip_address.h), so these two blocks cover every form.
  static const net::CidrBlock kLoopback4 = *net::CidrBlock::parse("127.0.0.0/8");
  static const net::CidrBlock kLoopback6 = *net::CidrBlock::parse("::1/128");
  return kLoopback4.contains(client) || kLoopback6.contains(client);
}

SpfResult check_identity(const SpfQuery& query, const SpfIdentity& identity,
                         dns::Resolver& resolver, const SpfOptions& options) {
  if (!identity.valid) {
    SpfResult result;  // RFC 7208 §4.3: a malformed domain gives "none"
    result.code = SpfCode::none;
    result.scope = identity.scope;
    result.domain = identity.domain;
    result.reason = identity.problem;
    return result;
  }
  // libspf2 answers "pass (localhost)" for a loopback client without reading the record, so a
  // local process could pass as any domain: our engine evaluates those.
  if (options.engine == SpfEngine::libspf2 && !is_loopback(query.client))
    return check_with_libspf2(query, identity, resolver, options);
  return check_builtin(query, identity, resolver, options);
}

}  // namespace

const char* to_string(SpfCode code) {
  switch (code) {
    case SpfCode::none:
      return "none";
    case SpfCode::neutral:
      return "neutral";
    case SpfCode::pass:
      return "pass";
    case SpfCode::fail:
      return "fail";
    case SpfCode::softfail:
      return "softfail";
    case SpfCode::temperror:
      return "temperror";
    case SpfCode::permerror:
      return "permerror";
  }
  return "permerror";
}

const char* to_string(SpfScope scope) {
  return scope == SpfScope::helo ? "helo" : "mailfrom";
}

SpfResult check_mail_from(const SpfQuery& query, dns::Resolver& resolver,
                          const SpfOptions& options) {
  return check_identity(query, make_mail_from_identity(query), resolver, options);
}

SpfResult check_helo(const SpfQuery& query, dns::Resolver& resolver, const SpfOptions& options) {
  return check_identity(query, make_helo_identity(query), resolver, options);
}

}  // namespace authmilter::spf
