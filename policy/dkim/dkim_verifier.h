// dkim_verifier.h - streaming DKIM verification of one message (RFC 6376, 8301, 8463).
//
// A DkimVerifier is fed the message exactly as the milter receives it, never as a buffered copy:
//   add_header() for every header field in order  ->  end_of_headers()  ->
//   add_body() for every body chunk               ->  finish() once.
// add_body() before end_of_headers() and finish() before either imply the missing calls; calls
// after finish() are ignored. Keys are fetched through the shared dns::Resolver while
// end_of_headers() runs (libopendkim processes signatures at end of headers), decoded through
// the library's PublicKeyCache, and the signatures verified with them in finish().
//
// Ownership: the verifier borrows the DkimLibrary and the Resolver, which must outlive it; it
// owns its libopendkim DKIM handle. One verifier per message; not thread-safe; movable.
//
// finish() returns one DkimResult per DKIM-Signature field in header order (codes: see
// dkim_result.h); an empty vector means the message is unsigned (dkim=none). Hostile input is
// bounded: a signature field over DkimOptions::max_signature_header_length is not parsed
// (permerror), more than DkimOptions::max_header_fields fields or max_header_bytes bytes of header
// make every signature permerror, and only the first max_signatures signatures are verified (the
// rest are reported as policy).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "dkim/dkim_library.h"
#include "dkim/dkim_options.h"
#include "dkim/dkim_result.h"
#include "dns/resolver.h"

namespace authmilter::dkim {

// Default bounds on the header section we hash (DkimOptions::max_header_fields/_bytes). Postfix's
// header_size_limit defaults to 100 KiB, and RFC 5322 sets no count; these are far above real
// mail and keep per-message work bounded.
inline constexpr std::size_t kMaxHeaderFields = kDefaultMaxHeaderFields;
inline constexpr std::size_t kMaxHeaderBytes = kDefaultMaxHeaderBytes;

class DkimVerifier {
 public:
  DkimVerifier(const DkimLibrary& library, dns::Resolver& resolver);
  ~DkimVerifier();
  DkimVerifier(DkimVerifier&&) noexcept;
  DkimVerifier& operator=(DkimVerifier&&) noexcept;
  DkimVerifier(const DkimVerifier&) = delete;
  DkimVerifier& operator=(const DkimVerifier&) = delete;

  // raw_value: the bytes after the colon, leading whitespace included; folded lines may end in
  // "\r\n" or a bare "\n" (normalized to CRLF). A trailing line end is dropped.
  void add_header(std::string_view name, std::string_view raw_value);
  void end_of_headers();
  // A CRLF may be split across chunks; bare LF is normalized to CRLF.
  void add_body(std::span<const char> chunk);
  std::vector<DkimResult> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace authmilter::dkim
