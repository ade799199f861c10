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

#include "dkim/dkim_library.h"
#include "dkim/dkim_verifier.h"
#include "dns/resolver.h"

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

const authmilter::dkim::DkimLibrary& library() {
  static const auto created = authmilter::dkim::DkimLibrary::create({});
  if (!created.ok()) __builtin_trap();
  return **created;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t chunk = size > 0 ? 1 + data[0] % 97 : 1;
  const auto first_newline = input.find('\n');
  KeyResolver resolver(std::string(input.substr(0, first_newline)));
  input = first_newline == std::string_view::npos ? std::string_view()
                                                  : input.substr(first_newline + 1);

  authmilter::dkim::DkimVerifier verifier(library(), resolver);
  std::size_t signatures = 0;
  std::string name, value;
  const auto flush = [&] {
    if (name.empty()) return;
    // Blanks before the colon do not change the field name (libopendkim and we both trim them).
    const std::size_t kept = name.find_last_not_of(" \t") + 1;
    if (kept == 14 && strncasecmp(name.c_str(), "DKIM-Signature", 14) == 0) ++signatures;
    verifier.add_header(name, value);
    name.clear();
  };
  while (!input.empty()) {
    const auto end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.front() == ' ' || line.front() == '\t') {
      value += "\r\n";
      value += line;
      continue;
    }
    flush();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    name = std::string(line.substr(0, colon));
    value = std::string(line.substr(colon + 1));
  }
  flush();
  verifier.end_of_headers();
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    const std::string_view piece = input.substr(at, chunk);
    verifier.add_body({piece.data(), piece.size()});
  }
  const auto results = verifier.finish();
  if (results.size() > signatures) __builtin_trap();
  return 0;
}
