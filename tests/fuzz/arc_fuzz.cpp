// arc_fuzz.cpp - hostile ARC chains and key records through the streaming ARC verifier.
//
// Input: the first line is the TXT record served for dummy._domainkey.example.org (the key of
// the ValiMail suite's seeds, so mutations of it fuzz key parsing on real chains); the other
// suite keys are served as published, servfail._domainkey.example.org answers SERVFAIL and
// timeout._domainkey.example.org times out. The rest is the message, split into header fields
// (folded lines kept, at most kMaxFields) and a body fed in chunks whose size comes from the
// last input byte, as libmilter would hand them over.
// Invariants: no crash, no sanitizer report, and the verdict is consistent with the facts:
//   pass      -> instances 1..N listed, every seal verified, the newest AMS verified,
//                1 <= oldest_pass <= N, no reason;
//   none      -> no instances;
//   otherwise -> a reason is given, oldest_pass is 0 unless the code is fail.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "arc/arc_verifier.h"
#include "dns/zone_resolver.h"
#include "fuzz_message.h"

namespace {

using namespace authmilter;

constexpr std::size_t kMaxFields = 400;

void add_fixed_keys(dns::ZoneResolver& zone) {
  static constexpr const char* kDummy =
      "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhd"
      "R6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hst"
      "T5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
  zone.add_txt("dummy2._domainkey.example.org", kDummy);
  zone.add_txt("1024._domainkey.example.org",
               "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyBwu6PiaDN87t3DVZ84zIrE"
               "hCoxtFuv7g52oCwAUXTDnXZ+0XHM/rhkm8XSGr1yLsDc1zLGX8IfITY1dL2CzptdgyiX7vgYjzZqG368"
               "C8BtGB5m6nj26NyhSKEdlV7MS9KbASd359ggCeGTT5QjRKEMSauVyVSeapq6ZcpZ9JwQIDAQAB");
  zone.add_txt("512._domainkey.example.org",
               "v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAIWmlgix/84GJ+dfgjm7LTc9EPdfk"
               "ftlgiPpCq4/kbDAZmU0VvYKDljjleJ1dfvS+CGy9U/kk1tG3EeEvb82xAcCAwEAAQ==");
  zone.add_failure("servfail._domainkey.example.org", dns::RecordType::txt, dns::Outcome::servfail);
  zone.add_failure("timeout._domainkey.example.org", dns::RecordType::txt, dns::Outcome::timeout);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t chunk = size > 0 ? 1 + data[size - 1] % 97 : 1;
  dns::ZoneResolver zone;
  add_fixed_keys(zone);
  zone.add_txt("dummy._domainkey.example.org", fuzz::take_first_line(input));

  arc::ArcVerifier verifier(fuzz::dkim_library(), zone);
  std::size_t fields = 0;
  const std::string_view body =
      fuzz::split_header_fields(input, [&](const std::string& name, const std::string& value) {
        if (fields++ < kMaxFields) verifier.add_header(name, value);
      });
  fuzz::feed_body(verifier, body, chunk);
  // The suite's signatures carry t=12345..; 2017-01-01 is after them.
  const arc::ArcResult result = verifier.finish(1483228800);

  switch (result.code) {
    case arc::ArcCode::pass: {
      const std::size_t n = result.instances.size();
      if (n == 0 || n > arc::kMaxArcInstances || !result.reason.empty()) __builtin_trap();
      for (std::size_t k = 0; k < n; ++k) {
        if (result.instances[k].instance != k + 1 || !result.instances[k].seal.verified) {
          __builtin_trap();
        }
      }
      if (!result.instances.back().message.verified) __builtin_trap();
      if (result.oldest_pass < 1 || result.oldest_pass > n) __builtin_trap();
      break;
    }
    case arc::ArcCode::none:
      if (!result.instances.empty() || result.oldest_pass != 0) __builtin_trap();
      break;
    case arc::ArcCode::fail:
    case arc::ArcCode::temperror:
      if (result.reason.empty()) __builtin_trap();
      if (result.code == arc::ArcCode::temperror && result.oldest_pass != 0) __builtin_trap();
      break;
  }
  return 0;
}
