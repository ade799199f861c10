#include "dkim/dkim_library.h"

#include "dkim/verifier_callbacks.h"

namespace authmilter::dkim {

namespace {

Status configure(DKIM_LIB* lib) {
  // Keep malformed signatures in the list so each one gets its own permerror result.
  unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;
  if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) != DKIM_STAT_OK) {
    return Error{"libopendkim: cannot set library flags"};
  }
  // Key size policy (RFC 8301 §3.2) is ours, so that the result can report the key size.
  unsigned int min_key_bits = 0;
  if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &min_key_bits, sizeof min_key_bits) !=
      DKIM_STAT_OK) {
    return Error{"libopendkim: cannot set the minimum key size"};
  }
  if (dkim_set_key_lookup(lib, &lookup_key) != DKIM_STAT_OK ||
      dkim_set_prescreen(lib, &prescreen_signatures) != DKIM_STAT_OK) {
    return Error{"libopendkim: cannot register callbacks"};
  }
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<DkimLibrary>> DkimLibrary::create(const DkimOptions& options) {
  DkimLibHandle handle(dkim_init(nullptr, nullptr));
  if (handle == nullptr) return Error{"libopendkim: dkim_init failed"};
  if (Status status = configure(handle.get()); !status.ok()) return Error{status.error()};
  return std::make_unique<DkimLibrary>(Key{}, options, std::move(handle));
}

}  // namespace authmilter::dkim
