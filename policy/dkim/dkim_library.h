// dkim_library.h - the process-wide libopendkim instance (RAII over DKIM_LIB).
//
// Create one DkimLibrary at start-up (before dropping privileges is fine: it opens nothing) and
// share it read-only by every thread; each message gets its own DkimVerifier. create() sets the
// library up for verification through our resolver: keys come from the key-lookup callback
// (never libopendkim's own DNS), malformed signatures are kept so they can be reported
// (DKIM_LIBFLAGS_BADSIGHANDLES), and a prescreen callback enforces max_signatures.
// RFC 8301 rules are applied by the verifier, not by libopendkim, so that results can say why.
// The library also owns the process's PublicKeyCache (thread-safe), so that a key is decoded
// once for all messages and threads rather than by libopendkim for every signature.
// Returns an Error only when libopendkim cannot be initialised or configured.
#pragma once

#include <memory>

#include "common/result.h"
#include "dkim/dkim_handles.h"
#include "dkim/dkim_options.h"
#include "dkim/public_key_cache.h"

namespace authmilter::dkim {

class DkimLibrary {
 public:
  static Result<std::unique_ptr<DkimLibrary>> create(const DkimOptions& options);

  const DkimOptions& options() const { return options_; }
  DKIM_LIB* handle() const { return handle_.get(); }         // borrowed, for dkim_verify()
  PublicKeyCache& key_cache() const { return *key_cache_; }  // internally synchronized

 private:
  struct Key {};  // only create() may construct (make_unique needs a public constructor)

 public:
  DkimLibrary(Key, const DkimOptions& options, DkimLibHandle handle)
      : options_(options),
        handle_(std::move(handle)),
        key_cache_(std::make_unique<PublicKeyCache>(options.key_cache_entries)) {}

 private:
  DkimOptions options_;
  DkimLibHandle handle_;
  std::unique_ptr<PublicKeyCache> key_cache_;
};

}  // namespace authmilter::dkim
