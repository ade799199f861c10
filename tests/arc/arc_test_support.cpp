#include "arc_test_support.h"

#include "arc/arc_verifier.h"

namespace authmilter::arc::testing {

std::string data_path(std::string_view relative) {
  return std::string(AUTHMILTER_TEST_DATA) + "/arc/" + std::string(relative);
}

ArcResult verify_message(const dkim::DkimLibrary& library, dns::Resolver& resolver,
                         std::string_view raw, std::size_t chunk_size, std::time_t now,
                         const ArcOptions& options) {
  ArcVerifier verifier(library, resolver, options);
  stream_message(verifier, split_message(raw), chunk_size);
  return verifier.finish(now);
}

std::string describe(const ArcResult& result) {
  std::string out = to_string(result.code);
  if (!result.reason.empty()) out += " (" + result.reason + ")";
  return out;
}

}  // namespace authmilter::arc::testing
