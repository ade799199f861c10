// dkim_verify_bench - CPU per message of DkimVerifier on messages signed here by libopendkim.
//
//   dkim_verify_bench [--messages N]
//
// Makes an RSA-2048 and an Ed25519 key, signs a 2 KB message with libopendkim's signer
// (relaxed/relaxed): once rsa-sha256 alone, once ed25519-sha256 + rsa-sha256. Then verifies each
// N times (default 2000) through one DkimLibrary, as the milter does for every message, with the
// key records served by an in-memory ZoneResolver (the DNS cache's part, not measured), and
// prints the process CPU time per message. Every verification must pass, else exit status 1:
// a verifier that stopped verifying cannot look fast. Figures, not assertions (README.md).
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "common/c_handle.h"
#include "dkim/dkim_handles.h"
#include "dkim/dkim_library.h"
#include "dkim/dkim_verifier.h"
#include "dns/zone_resolver.h"

namespace {

using namespace authmilter;
using PrivateKey = CHandle<EVP_PKEY, EVP_PKEY_free>;
using Bio = CHandle<BIO, BIO_free>;

constexpr char kDomain[] = "bench.example";
constexpr std::size_t kBodyBytes = 2048;

std::string pem_of(EVP_PKEY* key) {
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string base64_of(const unsigned char* data, int length) {
  std::string out(4 * ((static_cast<std::size_t>(length) + 2) / 3) + 1, '\0');
  out.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, length)));
  return out;
}

std::string rsa_record(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  std::string record = "v=DKIM1; k=rsa; p=" + base64_of(der, length);
  OPENSSL_free(der);
  return record;
}

std::string ed25519_record(EVP_PKEY* key) {
  unsigned char raw[32];
  std::size_t length = sizeof raw;
  EVP_PKEY_get_raw_public_key(key, raw, &length);
  return "v=DKIM1; k=ed25519; p=" + base64_of(raw, static_cast<int>(length));
}

std::vector<std::string> message_headers() {
  return {"From: Bench Sender <sender@bench.example>",    "To: recipient@destination.example",
          "Subject: Quarterly figures for the benchmark", "Date: Fri, 04 Dec 2026 20:00:00 +0000",
          "Message-ID: <bench-0001@bench.example>",       "MIME-Version: 1.0",
          "Content-Type: text/plain; charset=us-ascii"};
}

std::string message_body() {
  static constexpr std::string_view kLine =
      "The quick brown fox jumps over the lazy dog while the milter verifies.\r\n";
  std::string body;
  while (body.size() < kBodyBytes) body += kLine;
  return body;
}

// The DKIM-Signature field (CRLF-folded, without final CRLF) libopendkim makes.
std::string sign(DKIM_LIB* lib, const std::string& pem, const char* selector, dkim_alg_t algorithm,
                 const std::vector<std::string>& headers, const std::string& body) {
  DKIM_STAT status = DKIM_STAT_OK;
  dkim::DkimHandle signer(
      dkim_sign(lib, reinterpret_cast<const unsigned char*>("bench"), nullptr,
                reinterpret_cast<unsigned char*>(const_cast<char*>(pem.c_str())),
                reinterpret_cast<const unsigned char*>(selector),
                reinterpret_cast<const unsigned char*>(kDomain), DKIM_CANON_RELAXED,
                DKIM_CANON_RELAXED, algorithm, -1, &status));
  if (signer == nullptr) return {};
  for (std::string field : headers) {
    dkim_header(signer.get(), reinterpret_cast<unsigned char*>(field.data()), field.size());
  }
  std::string copy = body;
  dkim_eoh(signer.get());
  dkim_body(signer.get(), reinterpret_cast<unsigned char*>(copy.data()), copy.size());
  if (dkim_eom(signer.get(), nullptr) != DKIM_STAT_OK) return {};
  unsigned char* field = nullptr;
  std::size_t length = 0;
  const std::string name = "DKIM-Signature: ";
  if (dkim_getsighdr_d(signer.get(), name.size(), &field, &length) != DKIM_STAT_OK) return {};
  std::string folded;
  for (std::size_t i = 0; i < length; ++i) {
    if (field[i] == '\n') folded += '\r';
    folded += static_cast<char>(field[i]);
  }
  return folded;
}

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Verifies the message `count` times; returns CPU µs per message, or -1 if one did not pass.
double measure(const dkim::DkimLibrary& library, dns::Resolver& zone,
               const std::vector<std::string>& signatures, const std::vector<std::string>& headers,
               const std::string& body, int count) {
  const double start = process_cpu_seconds();
  for (int i = 0; i < count; ++i) {
    dkim::DkimVerifier verifier(library, zone);
    for (const std::string& signature : signatures)
      verifier.add_header("DKIM-Signature", signature);
    for (const std::string& field : headers) {
      const std::size_t colon = field.find(':');
      verifier.add_header(field.substr(0, colon), field.substr(colon + 1));
    }
    verifier.end_of_headers();
    verifier.add_body(body);
    const auto results = verifier.finish();
    if (results.size() != signatures.size()) return -1;
    for (const auto& result : results) {
      if (result.code != dkim::DkimCode::pass) {
        std::fprintf(stderr, "not a pass: %s %s\n", dkim::to_string(result.code),
                     result.reason.c_str());
        return -1;
      }
    }
  }
  return (process_cpu_seconds() - start) * 1e6 / count;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 2000;
  if (argc == 3 && std::string_view(argv[1]) == "--messages") count = std::atoi(argv[2]);
  if (count <= 0) {
    std::fprintf(stderr, "usage: dkim_verify_bench [--messages N]\n");
    return 2;
  }
  PrivateKey rsa(EVP_RSA_gen(2048));
  PrivateKey ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  dkim::DkimLibHandle signing_lib(dkim_init(nullptr, nullptr));
  const auto headers = message_headers();
  const std::string body = message_body();
  const std::string rsa_signature =
      sign(signing_lib.get(), pem_of(rsa.get()), "rsa", DKIM_SIGN_RSASHA256, headers, body);
  const std::string ed25519_signature =
      sign(signing_lib.get(), pem_of(ed25519.get()), "ed", DKIM_SIGN_ED25519SHA256, headers, body);
  if (rsa_signature.empty() || ed25519_signature.empty()) {
    std::fprintf(stderr, "signing failed\n");
    return 1;
  }
  dns::ZoneResolver zone;
  zone.add_txt("rsa._domainkey.bench.example", rsa_record(rsa.get()));
  zone.add_txt("ed._domainkey.bench.example", ed25519_record(ed25519.get()));
  auto library = dkim::DkimLibrary::create(dkim::DkimOptions{});
  if (!library.ok()) return 1;
  // Warm-up: first decode, lazy OpenSSL initialisation.
  measure(*library.value(), zone, {rsa_signature, ed25519_signature}, headers, body, 20);
  const double rsa_us = measure(*library.value(), zone, {rsa_signature}, headers, body, count);
  const double dual_us =
      measure(*library.value(), zone, {ed25519_signature, rsa_signature}, headers, body, count);
  if (rsa_us < 0 || dual_us < 0) return 1;
  std::printf("messages per case: %d, body %zu bytes, one thread\n", count, body.size());
  std::printf("rsa-sha256 (2048-bit)                    %8.1f us CPU/message\n", rsa_us);
  std::printf("ed25519-sha256 + rsa-sha256 (2048-bit)   %8.1f us CPU/message\n", dual_us);
  return 0;
}
