// dkim_handles.h - RAII ownership of libopendkim handles (see common/c_handle.h).
//
// DkimLibHandle owns a DKIM_LIB (dkim_init -> dkim_close); DkimHandle owns one message's DKIM
// context (dkim_verify -> dkim_free). Both free exactly once; null is never freed.
#pragma once

#include "common/c_handle.h"
#include "dkim/opendkim_api.h"

namespace authmilter::dkim {

using DkimLibHandle = CHandle<DKIM_LIB, dkim_close>;
using DkimHandle = CHandle<DKIM, dkim_free>;

}  // namespace authmilter::dkim
