#include "daemon/probe_token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dns/owned_fd.h"

namespace authmilter::daemon {

namespace {

constexpr std::size_t kSecretOctets = 32;
constexpr std::size_t kNonceOctets = 16;
constexpr std::size_t kMaxKeyFileBytes = 256;

std::string to_hex(const unsigned char* bytes, std::size_t length) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (std::size_t i = 0; i < length; ++i) {
    hex += digits[bytes[i] >> 4];
    hex += digits[bytes[i] & 0x0f];
  }
  return hex;
}

std::string random_hex(std::size_t octets) {
  unsigned char bytes[64];
  if (octets > sizeof bytes || RAND_bytes(bytes, static_cast<int>(octets)) != 1) return {};
  return to_hex(bytes, octets);
}

bool is_hex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<std::string> read_key_file(const std::string& path) {
  const dns::OwnedFd owned(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  const int fd = owned.get();
  if (fd < 0) return Error{"probe_key_file " + path + ": " + std::strerror(errno)};
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
    return Error{"probe_key_file " + path + ": not a regular file"};
  // Whoever can read the key can make the daemon refuse a message of their choosing.
  if ((info.st_mode & 077) != 0)
    return Error{"probe_key_file " + path + ": readable by others than its owner (chmod 0600)"};
  char buffer[kMaxKeyFileBytes + 1];
  const ssize_t got = read(fd, buffer, sizeof buffer);
  if (got < 0) return Error{"probe_key_file " + path + ": " + std::strerror(errno)};
  std::string text(buffer, static_cast<std::size_t>(got));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() < 2 * kSecretOctets || text.size() > kMaxKeyFileBytes || !is_hex(text))
    return Error{"probe_key_file " + path + ": expected " + std::to_string(2 * kSecretOctets) +
                 " or more lower-case hex digits"};
  return text;
}

Status create_key_file(const std::string& path) {
  const std::string secret = random_hex(kSecretOctets);
  if (secret.empty()) return Error{"probe_key_file: no random bytes"};
  const dns::OwnedFd owned(
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  const int fd = owned.get();
  if (fd < 0) return Error{"cannot create probe_key_file " + path + ": " + std::strerror(errno)};
  const std::string line = secret + "\n";
  if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || fsync(fd) != 0)
    return Error{"cannot write probe_key_file " + path + ": " + std::strerror(errno)};
  return Ok{};
}

std::optional<ProbeKey>& installed_key() {
  static std::optional<ProbeKey> key;
  return key;
}

}  // namespace

Result<ProbeKey> ProbeKey::load(const std::string& path) {
  auto secret = read_key_file(path);
  if (!secret.ok()) return Error{secret.error()};
  return ProbeKey(std::move(*secret));
}

Result<ProbeKey> ProbeKey::load_or_create(const std::string& path) {
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    if (auto created = create_key_file(path); !created.ok()) return Error{created.error()};
  }
  return load(path);
}

std::string ProbeKey::new_nonce() {
  return random_hex(kNonceOctets);
}

std::string ProbeKey::mac_hex(std::string_view nonce) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size(), mac,
           &length) == nullptr)
    return {};
  return to_hex(mac, length);
}

std::string ProbeKey::header_value(const std::string& nonce) const {
  return nonce + "." + mac_hex(nonce);
}

std::optional<std::string> ProbeKey::verified_nonce(std::string_view header_value) const {
  std::string_view value = header_value;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n'))
    value.remove_suffix(1);
  const std::size_t dot = value.find('.');
  if (dot == std::string_view::npos || value.size() > kMaxProbeHeaderLength) return std::nullopt;
  const std::string_view nonce = value.substr(0, dot), mac = value.substr(dot + 1);
  if (nonce.size() != 2 * kNonceOctets || !is_hex(nonce)) return std::nullopt;
  const std::string expected = mac_hex(nonce);
  if (expected.empty() || mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  return std::string(nonce);
}

void install_probe_key(std::optional<ProbeKey> key) {
  installed_key() = std::move(key);
}

const ProbeKey* probe_key() {
  return installed_key() ? &*installed_key() : nullptr;
}

}  // namespace authmilter::daemon
