// dkim_fuzz.cpp - hostile messages and key records through the streaming DKIM verifier.
//
// Input: the first line is the TXT record served for every *._domainkey name the message asks
// for (so a fuzzed DKIM-Signature with any s=/d= finds this key); the rest is the message,
// split into header fields (folded lines kept) and a body fed in chunks whose size comes from
// the first input byte, as libmilter would hand them over.
// Invariants: no crash, no sanitizer report, and a result per signature (never more than the
// number of DKIM-Signature fields).
#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dkim/dkim_verifier.h"
#include "dns/resolver.h"
#include "fuzz_message.h"

namespace {

using namespace authmilter;

// Answers every TXT query with the fuzzed key record; nothing else exists.
class KeyResolver final : public dns::Resolver {
 public:
  explicit KeyResolver(std::string record) : record_(std::move(record)) {}
  dns::TxtAnswer lookup_txt(std::string_view) override {
    dns::TxtAnswer answer;
    answer.outcome = dns::Outcome::ok;
    answer.records.push_back(record_);
    return answer;
  }
  dns::AddressAnswer lookup_addresses(std::string_view, net::IpFamily) override {
    return {dns::Outcome::nxdomain, {}, dns::DnssecStatus::unvalidated, false};
  }
  dns::MxAnswer lookup_mx(std::string_view) override {
    return {dns::Outcome::nxdomain, {}, dns::DnssecStatus::unvalidated, false};
  }
  dns::NameAnswer lookup_ptr(const net::IpAddress&) override {
    return {dns::Outcome::nxdomain, {}, dns::DnssecStatus::unvalidated, false};
  }

 private:
  std::string record_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t chunk = size > 0 ? 1 + data[0] % 97 : 1;
  KeyResolver resolver(fuzz::take_first_line(input));

  authmilter::dkim::DkimVerifier verifier(fuzz::dkim_library(), resolver);
  std::size_t signatures = 0;
  const std::string_view body =
      fuzz::split_header_fields(input, [&](const std::string& name, const std::string& value) {
        // Blanks before the colon do not change the field name (libopendkim and we both trim
        // them).
        const std::size_t kept = name.find_last_not_of(" \t") + 1;
        if (kept == 14 && strncasecmp(name.c_str(), "DKIM-Signature", 14) == 0) ++signatures;
        verifier.add_header(name, value);
      });
  fuzz::feed_body(verifier, body, chunk);
  const auto results = verifier.finish();
  if (results.size() > signatures) __builtin_trap();
  return 0;
}
