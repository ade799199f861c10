// message_context.h - what libopendkim's callbacks need to know about one message.
//
// DkimVerifier owns one MessageContext per message and registers it with
// dkim_set_user_context(); the callbacks (verifier_callbacks.h) find it again with
// dkim_get_user_context(). We never hand libopendkim a key (it would decode it again, the costly
// step), so libopendkim records "no key" for every signature it asked about; per signature we
// remember instead why the lookup failed (key_failures: DNS, q=, size) or what the record held
// (fetched_keys: its check and the shared decoded key), and judge the signature after dkim_eom().
// Both keep the key answer's DNSSEC status for the result (DkimResult::key_dnssec).
// key_cache is the process-wide PublicKeyCache of the DkimLibrary (borrowed).
// Not thread-safe: one message is processed by one thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "dkim/dkim_options.h"
#include "dkim/dkim_result.h"
#include "dkim/opendkim_api.h"
#include "dkim/public_key.h"
#include "dkim/public_key_cache.h"
#include "dns/resolver.h"

namespace authmilter::dkim {

struct KeyFailure {
  DkimCode code = DkimCode::permerror;
  std::string reason;
  dns::DnssecStatus dnssec = dns::DnssecStatus::unvalidated;
};

// A key record that was fetched: its check (key_record_check.h) and, if usable, the key.
struct FetchedKey {
  int error = DKIM_SIGERROR_OK;          // DKIM_SIGERROR_* from the record check
  std::shared_ptr<const PublicKey> key;  // set when error is DKIM_SIGERROR_OK
  bool testing = false;                  // t=y
  bool same_domain_only = false;         // t=s
  dns::DnssecStatus dnssec = dns::DnssecStatus::unvalidated;
};

struct MessageContext {
  const DkimOptions* options = nullptr;
  dns::Resolver* resolver = nullptr;
  PublicKeyCache* key_cache = nullptr;
  std::map<const DKIM_SIGINFO*, KeyFailure> key_failures;
  std::map<const DKIM_SIGINFO*, FetchedKey> fetched_keys;
};

}  // namespace authmilter::dkim
