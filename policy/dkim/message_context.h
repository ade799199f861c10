// message_context.h - what libopendkim's callbacks need to know about one message.
//
// DkimVerifier owns one MessageContext per message and registers it with
// dkim_set_user_context(); the callbacks (verifier_callbacks.h) find it again with
// dkim_get_user_context(). key_failures remembers, per signature, why no key was handed to
// libopendkim, because libopendkim itself can only record "no key" for all of them.
// Not thread-safe: one message is processed by one thread.
#pragma once

#include <map>
#include <string>

#include "dkim/dkim_options.h"
#include "dkim/dkim_result.h"
#include "dkim/opendkim_api.h"
#include "dns/resolver.h"

namespace authmilter::dkim {

struct KeyFailure {
  DkimCode code = DkimCode::permerror;
  std::string reason;
};

struct MessageContext {
  const DkimOptions* options = nullptr;
  dns::Resolver* resolver = nullptr;
  std::map<const DKIM_SIGINFO*, KeyFailure> key_failures;
};

}  // namespace authmilter::dkim
