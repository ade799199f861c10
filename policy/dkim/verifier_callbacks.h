// verifier_callbacks.h - the libopendkim callbacks DkimLibrary registers (C boundary).
//
// lookup_key: libopendkim asks for the key record of one signature; we check its q= method,
//   fetch the record through the message's dns::Resolver (key_record.h) and copy it into
//   libopendkim's buffer. On any failure we record why in MessageContext::key_failures and
//   answer DKIM_CBSTAT_NOTFOUND, the one "no key" answer libopendkim handles per signature
//   without aborting the message (a temporary failure is restored as temperror from the record).
// prescreen_signatures: marks every signature after the first max_signatures as ignored.
// Both are noexcept: no exception crosses into C; an internal error becomes temperror.
#pragma once

#include <cstddef>

#include "dkim/opendkim_api.h"

namespace authmilter::dkim {

DKIM_CBSTAT lookup_key(DKIM* dkim, DKIM_SIGINFO* signature, unsigned char* buffer,
                       std::size_t buffer_length) noexcept;

DKIM_CBSTAT prescreen_signatures(DKIM* dkim, DKIM_SIGINFO** signatures, int count) noexcept;

}  // namespace authmilter::dkim
