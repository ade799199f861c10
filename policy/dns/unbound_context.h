// unbound_context.h - one libunbound context configured from ResolverOptions.
//
// make_unbound_context() creates the ub_ctx, puts it in threaded async mode (a background
// thread, never a forked process), points it at the forwarders (or resolv.conf), lets it
// query servers on loopback, loads the optional DNSSEC trust anchor and removes the built-in
// local zones listed in unblock_local_zones. Errors name the option and the libunbound reason.
// The returned context is ready for UnboundQueryLoop::start(); it may already be finalized
// (no further ub_ctx_set_* calls). Call once per resolver, at start-up.
#pragma once

#include "common/result.h"
#include "dns/resolver_options.h"
#include "dns/unbound_handles.h"

namespace authmilter::dns {

Result<UbContext> make_unbound_context(const ResolverOptions& options);

}  // namespace authmilter::dns
