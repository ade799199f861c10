// probe_token.h - the mark of an authmilter-check probe message (authmilter-check --smtp).
//
// A probe proves, through the running MTA, that mail reaches authmilter: it carries
//   X-Authmilter-Probe: <nonce>.<HMAC-SHA256(key, nonce), hex>
// and the daemon refuses it with a 550 that quotes the Authentication-Results header it would have
// added, so the probe learns the answer in its own SMTP session without a mailbox to read.
// The key lives in `probe_key_file` (mode 0600, read by the daemon as root at start and by
// authmilter-check run as root): a header copied into real mail by anyone who lacks the key
// (a list re-injecting a post, a forger) is just a header, and that mail is treated as any other.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace authmilter::daemon {

inline constexpr const char* kProbeHeaderName = "X-Authmilter-Probe";
inline constexpr std::size_t kMaxProbeHeaderLength = 256;

class ProbeKey {
 public:
  // The daemon: reads the key, or creates it (32 random octets, hex) when the file is missing.
  static Result<ProbeKey> load_or_create(const std::string& path);
  // authmilter-check: reads it; an absent or unreadable file is an error naming why.
  static Result<ProbeKey> load(const std::string& path);

  static std::string new_nonce();  // 16 random octets, hex
  std::string header_value(const std::string& nonce) const;
  // The nonce of a header value made with this key; nothing for any other value.
  std::optional<std::string> verified_nonce(std::string_view header_value) const;

 private:
  explicit ProbeKey(std::string secret) : secret_(std::move(secret)) {}
  std::string mac_hex(std::string_view nonce) const;
  std::string secret_;
};

// The daemon's key, loaded once before the privilege drop; null when probes are off.
void install_probe_key(std::optional<ProbeKey> key);
const ProbeKey* probe_key();

}  // namespace authmilter::daemon
