// unbound_handles.h - RAII ownership of libunbound's C handles.
//
// UbContext owns a ub_ctx (freed with ub_ctx_delete, which also stops libunbound's background
// worker thread); UbResult owns a ub_result (freed with ub_resolve_free). Null handles are fine.
#pragma once

#include <unbound.h>

#include "common/c_handle.h"

namespace authmilter::dns {

using UbContext = CHandle<ub_ctx, ub_ctx_delete>;
using UbResult = CHandle<ub_result, ub_resolve_free>;

}  // namespace authmilter::dns
