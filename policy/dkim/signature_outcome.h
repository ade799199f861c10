// signature_outcome.h - turn libopendkim's per-signature state into a DkimResult code + reason.
//
// classify_signature() reads one DKIM_SIGINFO after dkim_eom(): its flags (DKIM_SIGFLAG_IGNORE,
// _PASSED, _TESTKEY), its error (DKIM_SIGERROR_*) and its body-hash state (DKIM_SIGBH_*), plus
// what our key-lookup callback recorded: a key failure (which takes precedence over
// libopendkim's generic "no key"), or a fetched key, with which the signature libopendkim left
// as "no key" is verified here (signature_check.h); testing_key and key_bits then come from it. A
// pass needs all three: PASSED, body hash MATCH and error OK (libopendkim's DKIM_SIG_CHECK macro
// ignores the error, which would let a t=s subdomain violation pass). Then RFC 8301 applies to
// passes: rsa-sha1 and short RSA keys become `policy`. The codes follow the table in dkim_result.h.
// Fills code, reason, testing_key, key_bits and key_dnssec (from the recorded failure or key).
#pragma once

#include "dkim/dkim_options.h"
#include "dkim/dkim_result.h"
#include "dkim/message_context.h"
#include "dkim/opendkim_api.h"

namespace authmilter::dkim {

void classify_signature(DKIM_SIGINFO* signature, const KeyFailure* key_failure,
                        const FetchedKey* fetched_key, const DkimOptions& options,
                        DkimResult& result);

}  // namespace authmilter::dkim
