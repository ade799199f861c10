// arc_verifier.h - streaming validation of one message's ARC chain (RFC 8617 §5.2).
//
// Fed like DkimVerifier, the message exactly as the milter receives it, never a buffered copy:
//   add_header() for every header field in order  ->  end_of_headers()  ->
//   add_body() for every body chunk               ->  finish() once.
// Only ARC-* fields and the fields an AMS may sign are kept (bounded, ArcOptions); the body is
// canonicalized and hashed as it streams, once per distinct (canonicalization, l=) among the
// AMSes that are verified.
// Keys are looked up as DKIM keys (selector._domainkey.domain TXT) through the borrowed resolver
// in finish(), checked with dkim::check_key_record() and decoded through the DkimLibrary's
// PublicKeyCache (one decode per key for the whole process); RFC 8301 rules as DkimOptions says.
//
// Ownership: borrows the DkimLibrary (for its key cache and options) and the Resolver, which must
// outlive it. One verifier per message; not thread-safe; movable.
#pragma once

#include <ctime>
#include <memory>
#include <span>
#include <string_view>

#include "arc/arc_options.h"
#include "arc/arc_result.h"
#include "dkim/dkim_library.h"
#include "dns/resolver.h"

namespace authmilter::arc {

class ArcVerifier {
 public:
  ArcVerifier(const dkim::DkimLibrary& library, dns::Resolver& resolver,
              const ArcOptions& options = {});
  ~ArcVerifier();
  ArcVerifier(ArcVerifier&&) noexcept;
  ArcVerifier& operator=(ArcVerifier&&) noexcept;
  ArcVerifier(const ArcVerifier&) = delete;
  ArcVerifier& operator=(const ArcVerifier&) = delete;

  // raw_value: the bytes after the colon, leading whitespace included; folded lines may end in
  // "\r\n" or a bare "\n" (normalized to CRLF). A trailing line end is dropped.
  void add_header(std::string_view name, std::string_view raw_value);
  void end_of_headers();
  // A CRLF may be split across chunks; bare LF is normalized to CRLF.
  void add_body(std::span<const char> chunk);
  // `now` judges t= and x= (seconds since the epoch).
  ArcResult finish(std::time_t now);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace authmilter::arc
