// signature_check.h - verify one signature with the key we fetched (after dkim_eom()).
//
// check_signature() reproduces what libopendkim's dkim_sig_process() did with a key in hand, in
// its order, and returns the state libopendkim would have left: the record's error if the key
// is unusable (KEYDECODE for an undecodable one); else the header digest is verified
// (signature_crypto.h), t=s is enforced (i= domain must equal d=, else SUBDOMAIN, whatever the
// signature said), and only a verified signature gets its body hash compared with bh=
// (MATCH and error OK, or MISMATCH and BADSIG). Digests come from dkim_sig_gethashes(), valid
// once dkim_eom() has closed the body: libopendkim finalizes the header digest before it asks
// for the key, and our "not found" answer leaves the digests alone. If they are unavailable
// the state is DKIM_SIGERROR_UNKNOWN ("not evaluated"), never a pass.
// The caller only asks for signatures libopendkim marked "no key" (DKIM_SIGERROR_NOKEY): an
// ignored one, one with a syntax error, or l= beyond the body keeps libopendkim's verdict.
#pragma once

#include "dkim/message_context.h"
#include "dkim/opendkim_api.h"

namespace authmilter::dkim {

struct SignatureState {
  int error = DKIM_SIGERROR_UNKNOWN;  // DKIM_SIGERROR_*
  bool passed = false;                // header signature verified (DKIM_SIGFLAG_PASSED)
  int body_hash = DKIM_SIGBH_UNTESTED;
};

SignatureState check_signature(DKIM_SIGINFO* signature, const FetchedKey& key);

}  // namespace authmilter::dkim
