// arc_verify_bench - what ARC validation costs per message, and what it costs mail without ARC.
//
//   arc_verify_bench [--messages N] [--rounds R]
//
// 1. Unsealed mail: a 2 KB message with 16 header fields through MessageEvaluation (DKIM on,
//    no signature; DMARC off so only the header/body path differs), once with arc_enabled false
//    and once true, alternating R rounds (default 7) of N messages (default 5000) and printing
//    the median CPU per message of each and their difference. The point: mail without ARC sets
//    must not get slower (the verifier keeps the header fields an AMS could sign, nothing else).
// 2. Sealed mail: the same message sealed by 1 and by 3 hops (RSA-2048, relaxed/relaxed, the
//    test sealer of tests/arc), validated by ArcVerifier alone N times, keys from an in-memory
//    zone through the shared PublicKeyCache as in the daemon. Every validation must pass, else
//    exit status 1: a verifier that stopped verifying cannot look fast.
// Figures, not assertions; compare them only with figures of the same run (README.md).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_verifier.h"
#include "arc_signer_support.h"
#include "arc_test_support.h"
#include "dns/zone_resolver.h"
#include "evaluation/message_evaluation.h"

namespace {

using namespace authmilter;

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// A 2 KB message with the header fields real mail carries (Received, DKIM-less list mail).
std::string unsealed_message() {
  std::string message;
  for (int hop = 0; hop < 4; ++hop)
    message += "Received: from relay" + std::to_string(hop) +
               ".example.net (relay.example.net [192.0.2." + std::to_string(hop + 1) +
               "])\r\n\tby mx.example.org with ESMTPS id 4Abc" + std::to_string(hop) +
               "; Sun, 1 Jan 2017 00:00:0" + std::to_string(hop) + " +0000\r\n";
  message +=
      "From: Joe <joe@example.org>\r\nTo: list@example.net\r\nSubject: hello\r\n"
      "Date: Sun, 1 Jan 2017 00:00:00 +0000\r\nMessage-ID: <bench@example.org>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 7bit\r\nX-Mailer: bench\r\nList-Unsubscribe: <mailto:u@x>\r\n"
      "Reply-To: joe@example.org\r\nX-Spam-Score: 0.1\r\n\r\n";
  while (message.size() < 2048) message += "The quick brown fox jumps over the lazy dog.\r\n";
  return message;
}

double evaluation_round(const evaluation::EvaluationSettings& settings,
                        const arc::testing::MessageParts& parts, int count) {
  const double start = process_cpu_seconds();
  for (int i = 0; i < count; ++i) {
    evaluation::MessageEvaluation message(settings,
                                          {net::IpAddress::parse("192.0.2.1"), "client", "client"},
                                          {"joe@example.org", "", "", {"list@example.net"}});
    for (const auto& [name, value] : parts.headers) message.header(name, value);
    message.end_of_headers();
    message.body_chunk({parts.body.data(), parts.body.size()});
    const auto outcome = message.end_of_message();
    if (outcome.authentication_results.empty()) std::exit(1);
  }
  return (process_cpu_seconds() - start) * 1e6 / count;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Median µs per message of ARC validation; exits 1 if a validation does not pass.
double sealed_run(const dkim::DkimLibrary& library, dns::Resolver& zone, const std::string& raw,
                  int count) {
  const auto parts = arc::testing::split_message(raw);
  const double start = process_cpu_seconds();
  for (int i = 0; i < count; ++i) {
    arc::ArcVerifier verifier(library, zone);
    for (const auto& [name, value] : parts.headers) verifier.add_header(name, value);
    verifier.end_of_headers();
    verifier.add_body({parts.body.data(), parts.body.size()});
    const auto result = verifier.finish(arc::testing::kSuiteNow);
    if (result.code != arc::ArcCode::pass) {
      std::fprintf(stderr, "validation did not pass: %s\n", arc::testing::describe(result).c_str());
      std::exit(1);
    }
  }
  return (process_cpu_seconds() - start) * 1e6 / count;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 5000;
  int rounds = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--messages") count = std::atoi(argv[i + 1]);
    if (flag == "--rounds") rounds = std::atoi(argv[i + 1]);
  }
  if (count <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: arc_verify_bench [--messages N] [--rounds R]\n");
    return 2;
  }
  auto library = arc::testing::make_library();
  if (!library) return 1;
  dns::ZoneResolver zone;
  const auto key = arc::testing::make_rsa_key(2048);
  zone.add_txt("sel._domainkey.example.org", key.record);
  zone.add_txt("sel._domainkey.lists.example.net", key.record);
  zone.add_txt("sel._domainkey.fwd.example.com", key.record);

  evaluation::EvaluationSettings settings;
  settings.options.authserv_id = "mx.example.net";
  settings.resolver = &zone;
  settings.dkim = library.get();
  settings.options.dmarc_enabled = false;
  const auto unsealed = arc::testing::split_message(unsealed_message());
  std::vector<double> off, on;
  for (int round = 0; round < rounds; ++round) {
    settings.options.arc_enabled = false;
    off.push_back(evaluation_round(settings, unsealed, count));
    settings.options.arc_enabled = true;
    on.push_back(evaluation_round(settings, unsealed, count));
  }
  const double off_us = median(off), on_us = median(on);
  std::printf("unsealed 2 KB message, MessageEvaluation (DKIM on, DMARC off), %d x %d, median:\n",
              rounds, count);
  std::printf(
      "  arc off %8.2f us/msg\n  arc on  %8.2f us/msg\n  ARC cost on unsealed mail "
      "%+.2f us/msg (%+.1f%%)\n",
      off_us, on_us, on_us - off_us, 100.0 * (on_us - off_us) / off_us);

  using arc::testing::SealSpec;
  std::string sealed = unsealed_message();
  const char* sealers[] = {"example.org", "lists.example.net", "fwd.example.com"};
  std::printf("sealed 2 KB message, ArcVerifier alone, rsa-2048, %d messages:\n", count);
  for (unsigned hop = 1; hop <= 3; ++hop) {
    SealSpec spec;
    spec.instance = hop;
    spec.key = &key;
    spec.domain = sealers[hop - 1];
    sealed = arc::testing::add_arc_set(sealed, spec);
    if (hop == 2) continue;
    std::printf("  %u hop%s  %8.2f us/msg (%u RSA verifications)\n", hop, hop == 1 ? " " : "s",
                sealed_run(*library, zone, sealed, count), hop + 1);
  }
  return 0;
}
