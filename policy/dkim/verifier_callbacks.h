// verifier_callbacks.h - the libopendkim callbacks DkimLibrary registers (C boundary).
//
// lookup_key: libopendkim asks for the key record of one signature; we check its q= method,
//   fetch the record through the message's dns::Resolver (key_record.h), check it for this
//   signature (key_record_check.h) and take the decoded key from the library's PublicKeyCache,
//   recording the outcome in MessageContext::fetched_keys; a failed fetch (also a DNSSEC bogus
//   answer: no key) is recorded in MessageContext::key_failures. Both keep the answer's DNSSEC
//   status. Either way we answer DKIM_CBSTAT_NOTFOUND, the one "no key"
//   answer libopendkim handles per signature without aborting the message: libopendkim then
//   never decodes a key, and the verifier judges the signature after dkim_eom().
//   `buffer` is left untouched.
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
