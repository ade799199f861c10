// gen_mail.cpp - writes the load driver's workload: DKIM-signed (rsa-sha256) test messages.
//
//   gen_mail --key KEY.pem --domain D --selector S --out DIR [--count N] [--size BYTES]
//            [--client-ip IP] [--helo NAME] [--rcpt ADDR]
//            [--ed25519-key KEY.pem [--ed25519-selector S2]]
// Writes DIR/msg-NNNN.eml (From: bench@D, a unique Message-ID, a body of text lines so that the
// whole signed message is about --size bytes), DIR/envelopes.tsv (the format workload.h reads;
// MAIL FROM bench@D, so SPF, DKIM and DMARC all concern D) and DIR/dkim-txt.txt (the TXT
// value to publish at S._domainkey.D). With --ed25519-key each message also carries an
// ed25519-sha256 signature (RFC 8463, selector S2, default "ed") above the RSA one, and
// DIR/dkim-ed25519-txt.txt holds its key record. Signing uses libopendkim's signer
// (relaxed/relaxed, rsa-sha256), so the milter verifies a signature made by an independent
// implementation. Exit status 0, or 1 with a message on stderr.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/c_handle.h"
#include "common/result.h"
#include "dkim/opendkim_api.h"  // <opendkim/dkim.h> with C99 _Bool made readable to C++

namespace {

using authmilter::CHandle;
using authmilter::Error;
using authmilter::Result;
using DkimLib = CHandle<DKIM_LIB, dkim_close>;
using Dkim = CHandle<DKIM, dkim_free>;
using Bio = CHandle<BIO, BIO_free_all>;
using PrivateKey = CHandle<EVP_PKEY, EVP_PKEY_free>;

constexpr int kMaxCount = 100000;
constexpr int kMaxSize = 10 * 1024 * 1024;
constexpr const char* kWords[] = {"lorem", "ipsum", "dolor", "sit",     "amet", "consectetur",
                                  "sed",   "do",    "magna", "aliqua",  "ut",   "enim",
                                  "minim", "quis",  "nisi",  "commodo", "duis", "aute"};

struct Options {
  std::map<std::string, std::string> values{{"count", "50"},
                                            {"size", "2048"},
                                            {"client-ip", "127.0.0.1"},
                                            {"helo", "client.bench.test"},
                                            {"rcpt", "rcpt@example.net"}};
  std::string operator[](const std::string& key) const {
    const auto found = values.find(key);
    return found == values.end() ? std::string() : found->second;
  }
};

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

PrivateKey read_private_key(const std::string& pem) {
  Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PrivateKey(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
}

std::string base64_of(const unsigned char* bytes, std::size_t length) {
  std::string encoded(4 * ((length + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), bytes,
                                      static_cast<int>(length));
  encoded.resize(static_cast<std::size_t>(written));
  return encoded;
}

// dkim_txt - "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>" for the private key in PEM.
Result<std::string> dkim_txt(const std::string& pem) {
  const PrivateKey key = read_private_key(pem);
  if (!key) return Error{"not a PEM private key"};
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key.get(), &der);
  if (length <= 0) return Error{"cannot encode the public key"};
  const std::string encoded = base64_of(der, static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return "v=DKIM1; k=rsa; p=" + encoded;
}

// ed25519_txt - "v=DKIM1; k=ed25519; p=<base64 raw 32-byte public key>" (RFC 8463 §4).
Result<std::string> ed25519_txt(const std::string& pem) {
  const PrivateKey key = read_private_key(pem);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    return Error{"not a PEM ed25519 private key"};
  unsigned char raw[32];
  std::size_t length = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key.get(), raw, &length) != 1)
    return Error{"cannot read the ed25519 public key"};
  return "v=DKIM1; k=ed25519; p=" + base64_of(raw, length);
}

std::string make_body(std::size_t bytes, unsigned seed) {
  std::string body;
  std::string line;
  while (body.size() < bytes) {
    seed = seed * 1103515245u + 12345u;
    line += kWords[(seed >> 16) % (sizeof kWords / sizeof kWords[0])];
    line += ' ';
    if (line.size() > 66) {
      body += line + "\r\n";
      line.clear();
    }
  }
  return body + line + "\r\n";
}

// sign - the DKIM-Signature field (without CRLF) over headers + body, from libopendkim.
struct SigningKey {
  std::string pem;
  std::string selector;
  dkim_alg_t algorithm;
};

Result<std::string> sign(DKIM_LIB* lib, const std::string& domain, const SigningKey& key,
                         const std::vector<std::string>& headers, const std::string& body) {
  DKIM_STAT status = DKIM_STAT_OK;
  auto* key_bytes = reinterpret_cast<const unsigned char*>(key.pem.c_str());
  const std::string& selector = key.selector;
  Dkim dkim(dkim_sign(lib, reinterpret_cast<const unsigned char*>("gen"), nullptr,
                      const_cast<unsigned char*>(key_bytes),
                      reinterpret_cast<const unsigned char*>(selector.c_str()),
                      reinterpret_cast<const unsigned char*>(domain.c_str()), DKIM_CANON_RELAXED,
                      DKIM_CANON_RELAXED, key.algorithm, -1, &status));
  if (!dkim || status != DKIM_STAT_OK) return Error{"dkim_sign failed"};
  for (std::string field : headers) {
    if (dkim_header(dkim.get(), reinterpret_cast<unsigned char*>(field.data()), field.size()) !=
        DKIM_STAT_OK) {
      return Error{"dkim_header failed"};
    }
  }
  std::string copy = body;
  if (dkim_eoh(dkim.get()) != DKIM_STAT_OK ||
      dkim_body(dkim.get(), reinterpret_cast<unsigned char*>(copy.data()), copy.size()) !=
          DKIM_STAT_OK ||
      dkim_eom(dkim.get(), nullptr) != DKIM_STAT_OK) {
    return Error{"signing failed"};
  }
  unsigned char* signature = nullptr;
  std::size_t length = 0;
  const std::string name = "DKIM-Signature: ";
  if (dkim_getsighdr_d(dkim.get(), name.size(), &signature, &length) != DKIM_STAT_OK) {
    return Error{"dkim_getsighdr_d failed"};
  }
  // libopendkim folds with bare LF; a message on the wire uses CRLF.
  std::string folded;
  for (std::size_t i = 0; i < length; ++i) {
    if (signature[i] == '\n') folded += '\r';
    folded += static_cast<char>(signature[i]);
  }
  return name + folded;
}

// keys: the signatures to add, the first one topmost.
Result<std::string> make_message(DKIM_LIB* lib, const Options& options,
                                 const std::vector<SigningKey>& keys, int number) {
  const std::string domain = options["domain"];
  const std::vector<std::string> headers = {
      "From: Bench Sender <bench@" + domain + ">",
      "To: <" + options["rcpt"] + ">",
      "Subject: authmilter benchmark message " + std::to_string(number),
      "Date: Thu, 26 Nov 2026 12:00:00 +0000",
      "Message-ID: <bench-" + std::to_string(number) + "@" + domain + ">",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=us-ascii"};
  std::size_t head = 0;
  for (const auto& field : headers) head += field.size() + 2;
  // The signature field of an RSA-2048 key is about 520 bytes with its folds, ed25519's ~300.
  const std::size_t target = static_cast<std::size_t>(std::atoi(options["size"].c_str()));
  const std::size_t overhead = head + 2 + 520 + (keys.size() > 1 ? 300 : 0);
  const std::string body =
      make_body(target > overhead + 64 ? target - overhead : 64, static_cast<unsigned>(number));
  std::string text;
  for (const auto& key : keys) {
    auto signature = sign(lib, domain, key, headers, body);
    if (!signature) return Error{signature.error()};
    text += *signature + "\r\n";
  }
  for (const auto& field : headers) text += field + "\r\n";
  return text + "\r\n" + body;
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0) return false;
    options.values[name.substr(2)] = argv[i + 1];
  }
  const int count = std::atoi(options["count"].c_str());
  const int size = std::atoi(options["size"].c_str());
  return argc % 2 == 1 && !options["key"].empty() && !options["domain"].empty() &&
         !options["selector"].empty() && !options["out"].empty() && count >= 1 &&
         count <= kMaxCount && size >= 256 && size <= kMaxSize;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "gen_mail: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    return fail(
        "usage: gen_mail --key KEY.pem --domain D --selector S --out DIR "
        "[--count N] [--size BYTES] [--client-ip IP] [--helo NAME] [--rcpt ADDR] "
        "[--ed25519-key KEY.pem [--ed25519-selector S2]]");
  }
  const auto key = read_text(options["key"]);
  if (!key) return fail(key.error());
  const auto txt = dkim_txt(*key);
  if (!txt) return fail(txt.error());
  std::vector<SigningKey> keys;
  std::string ed25519_record;
  if (!options["ed25519-key"].empty()) {
    const auto ed_key = read_text(options["ed25519-key"]);
    if (!ed_key) return fail(ed_key.error());
    const auto ed_txt = ed25519_txt(*ed_key);
    if (!ed_txt) return fail(ed_txt.error());
    ed25519_record = *ed_txt;
    const std::string selector =
        options["ed25519-selector"].empty() ? "ed" : options["ed25519-selector"];
    keys.push_back({*ed_key, selector, DKIM_SIGN_ED25519SHA256});
  }
  keys.push_back({*key, options["selector"], DKIM_SIGN_RSASHA256});
  const DkimLib lib(dkim_init(nullptr, nullptr));
  if (!lib) return fail("dkim_init failed");
  const std::string out = options["out"];
  std::ofstream envelopes(out + "/envelopes.tsv");
  std::ofstream record(out + "/dkim-txt.txt");
  if (!envelopes || !record) return fail("cannot write into " + out);
  record << *txt << "\n";
  if (!ed25519_record.empty()) {
    std::ofstream ed_record(out + "/dkim-ed25519-txt.txt");
    if (!(ed_record << ed25519_record << "\n")) return fail("cannot write into " + out);
  }
  envelopes << "# file\tclient_ip\thelo\tmail_from\trcpt\n";
  std::size_t total = 0;
  const int count = std::atoi(options["count"].c_str());
  for (int number = 1; number <= count; ++number) {
    auto message = make_message(lib.get(), options, keys, number);
    if (!message) return fail(message.error());
    char name[32];
    std::snprintf(name, sizeof name, "msg-%04d.eml", number);
    std::ofstream file(out + "/" + name, std::ios::binary);
    if (!(file << *message)) return fail(std::string("cannot write ") + name);
    total += message->size();
    envelopes << name << '\t' << options["client-ip"] << '\t' << options["helo"] << "\tbench@"
              << options["domain"] << '\t' << options["rcpt"] << '\n';
  }
  std::printf("gen_mail: %d messages, %zu bytes on average, in %s\n", count,
              total / static_cast<std::size_t>(count), out.c_str());
  return 0;
}
