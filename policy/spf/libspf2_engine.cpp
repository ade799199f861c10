#include "spf/libspf2_engine.h"

#include <netinet/in.h>

#include <cstring>
#include <string>

#include "common/c_handle.h"
#include "spf/libspf2_dns.h"

namespace authmilter::spf {

namespace {

using SpfServer = CHandle<SPF_server_t, SPF_server_free>;
using SpfRequest = CHandle<SPF_request_t, SPF_request_free>;
using SpfResponse = CHandle<SPF_response_t, SPF_response_free>;

SpfCode code_of(SPF_result_t result, SPF_errcode_t error) {
  switch (result) {
    case SPF_RESULT_NEUTRAL:
      return SpfCode::neutral;
    case SPF_RESULT_PASS:
      return SpfCode::pass;
    case SPF_RESULT_FAIL:
      return SpfCode::fail;
    case SPF_RESULT_SOFTFAIL:
      return SpfCode::softfail;
    case SPF_RESULT_NONE:
      return SpfCode::none;
    case SPF_RESULT_TEMPERROR:
      return SpfCode::temperror;
    case SPF_RESULT_PERMERROR:
      return SpfCode::permerror;
    case SPF_RESULT_INVALID:
      break;
  }
  // "(invalid)": libspf2 gave up; only a DNS failure makes that temporary.
  return error == SPF_E_DNS_ERROR ? SpfCode::temperror : SpfCode::permerror;
}

SpfResult failure(const SpfIdentity& identity, SpfCode code, std::string reason) {
  SpfResult result;
  result.code = code;
  result.scope = identity.scope;
  result.domain = identity.domain;
  result.reason = std::move(reason);
  return result;
}

void configure(SPF_server_t* server, const SpfOptions& options) {
  SPF_response_t* raw = nullptr;
  SPF_server_set_explanation(server, options.default_explanation.c_str(), &raw);
  SpfResponse discarded(raw);  // compile diagnostics of the explanation, not needed
  SPF_server_set_rec_dom(server, options.receiver_host.c_str());
  SPF_server_set_max_dns_mech(server, options.max_dns_terms);
  SPF_server_set_max_dns_mx(server, options.max_mx_names);
  SPF_server_set_max_dns_ptr(server, options.max_ptr_names);
}

bool set_client(SPF_request_t* request, const net::IpAddress& client) {
  if (client.is_v4()) {
    in_addr v4{};
    std::memcpy(&v4, client.bytes().data(), sizeof v4);
    return SPF_request_set_ipv4(request, v4) == SPF_E_SUCCESS;
  }
  in6_addr v6{};
  std::memcpy(&v6, client.bytes().data(), sizeof v6);
  return SPF_request_set_ipv6(request, v6) == SPF_E_SUCCESS;
}

}  // namespace

SpfResult check_with_libspf2(const SpfQuery& query, const SpfIdentity& identity,
                             dns::Resolver& resolver, const SpfOptions& options) {
  Libspf2DnsLayer layer(resolver);
  SpfServer server(SPF_server_new_dns(layer.server(), 0));
  if (!server) return failure(identity, SpfCode::temperror, "libspf2: cannot create server");
  configure(server.get(), options);
  SpfRequest request(SPF_request_new(server.get()));
  if (!request) return failure(identity, SpfCode::temperror, "libspf2: cannot create request");
  if (!set_client(request.get(), query.client))
    return failure(identity, SpfCode::permerror, "libspf2: client address rejected");
  if (!query.helo.empty()) SPF_request_set_helo_dom(request.get(), query.helo.c_str());
  if (SPF_request_set_env_from(request.get(), identity.sender.c_str()) != 0)
    return failure(identity, SpfCode::none, "libspf2: sender rejected");
  SPF_response_t* raw = nullptr;
  // libspf2 reports why it failed in the return code and the response's messages, while the
  // response's own errcode stays SPF_E_SUCCESS.
  const SPF_errcode_t error = SPF_request_query_mailfrom(request.get(), &raw);
  SpfResponse response(raw);
  if (!response) return failure(identity, SpfCode::temperror, "libspf2: no response");
  SpfResult result = failure(identity, code_of(SPF_response_result(response.get()), error), {});
  result.reason = std::string("libspf2: ") + SPF_strreason(SPF_response_reason(response.get()));
  if (SPF_response_messages(response.get()) > 0) {
    const char* message = SPF_error_message(SPF_response_message(response.get(), 0));
    if (message != nullptr) result.reason = std::string("libspf2: ") + message;
  } else if (error != SPF_E_SUCCESS) {
    result.reason += std::string(" (") + SPF_strerror(error) + ")";
  }
  if (result.code == SpfCode::fail) {
    const char* text = SPF_response_get_explanation(response.get());
    if (text != nullptr) result.explanation = text;
  }
  return result;
}

}  // namespace authmilter::spf
