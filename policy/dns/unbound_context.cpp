#include "dns/unbound_context.h"

#include <unistd.h>

#include <string>

#include "dns/query_name.h"

namespace authmilter::dns {

namespace {

Error failure(const std::string& what, int rc) {
  return Error{what + ": " + ub_strerror(rc)};
}

Status set_upstream(ub_ctx* context, const ResolverOptions& options) {
  for (const std::string& forwarder : options.forwarders) {
    if (const int rc = ub_ctx_set_fwd(context, forwarder.c_str()); rc != UB_NOERROR) {
      return failure("dns forwarder '" + forwarder + "'", rc);
    }
  }
  if (options.forwarders.empty()) {
    if (const int rc = ub_ctx_resolvconf(context, options.resolv_conf.c_str()); rc != UB_NOERROR) {
      return failure("dns resolv.conf '" + options.resolv_conf + "'", rc);
    }
  }
  return Ok{};
}

Status set_trust_anchor(ub_ctx* context, const std::string& file) {
  if (file.empty()) return Ok{};
  // libunbound reads the file only when the context is finalized (first query); check it now
  // so that a wrong path fails at start-up rather than turning every lookup into SERVFAIL.
  if (::access(file.c_str(), R_OK) != 0) {
    return Error{"dns trust anchor file '" + file + "': not readable"};
  }
  if (const int rc = ub_ctx_add_ta_file(context, file.c_str()); rc != UB_NOERROR) {
    return failure("dns trust anchor file '" + file + "'", rc);
  }
  return Ok{};
}

Status set_option(ub_ctx* context, const std::string& name, const std::string& value) {
  if (const int rc = ub_ctx_set_option(context, name.c_str(), value.c_str()); rc != UB_NOERROR) {
    return failure("dns: libunbound setting " + name + " " + value, rc);
  }
  return Ok{};
}

Status set_options(ub_ctx* context, const ResolverOptions& options) {
  // The usual upstream is a local unbound or systemd-resolved on loopback (and every test
  // server is); libunbound refuses to query 127.0.0.0/8 and ::1 unless told otherwise.
  if (Status status = set_option(context, "do-not-query-localhost:", "no"); !status) {
    return status;
  }
  // See kUpstreamStateSeconds: an upstream back from an outage is used again within seconds.
  if (Status status = set_option(context, "infra-host-ttl:", std::to_string(kUpstreamStateSeconds));
      !status) {
    return status;
  }
  // See kUpstreamSockets: a bounded number of descriptors for queries in flight.
  if (Status status = set_option(context, "outgoing-range:", std::to_string(kUpstreamSockets));
      !status) {
    return status;
  }
  for (const auto& [name, value] : options.libunbound_settings) {
    if (Status status = set_option(context, name, value); !status) return status;
  }
  return Ok{};
}

// Must come last: removing a zone finalizes the context.
Status unblock_zones(ub_ctx* context, const std::vector<std::string>& zones) {
  for (const std::string& zone : zones) {
    const auto name = to_query_name(zone);
    if (!name) return Error{"dns unblock local zone '" + zone + "': not a domain name"};
    if (const int rc = ub_ctx_zone_remove(context, name->c_str()); rc != UB_NOERROR) {
      return failure("dns unblock local zone '" + zone + "'", rc);
    }
  }
  return Ok{};
}

}  // namespace

Result<UbContext> make_unbound_context(const ResolverOptions& options) {
  if (options.query_timeout.count() <= 0 || options.query_timeout > kMaxQueryTimeout) {
    return Error{"dns query timeout must be between 1 ms and " +
                 std::to_string(kMaxQueryTimeout.count()) + " ms"};
  }
  UbContext context(ub_ctx_create());
  if (!context) return Error{"dns: cannot create a libunbound context"};
  if (const int rc = ub_ctx_async(context.get(), 1); rc != UB_NOERROR) {
    return failure("dns: threaded mode", rc);
  }
  if (Status status = set_options(context.get(), options); !status) return Error{status.error()};
  if (Status status = set_upstream(context.get(), options); !status) return Error{status.error()};
  if (Status status = set_trust_anchor(context.get(), options.trust_anchor_file); !status) {
    return Error{status.error()};
  }
  if (Status status = unblock_zones(context.get(), options.unblock_local_zones); !status) {
    return Error{status.error()};
  }
  return context;
}

}  // namespace authmilter::dns
