// smtp_channel.h - one SMTP client connection: TCP, optional TLS (OpenSSL), bounded replies.
//
// connect() opens TCP with a timeout; start_tls() upgrades after the server's 220 to STARTTLS,
// verifying the server certificate against the system CAs (or ca_file) and the host name
// unless verification is switched off (tests). read_reply() reads one possibly multi-line
// reply (RFC 5321 §4.2), bounding line length (§4.5.3.1.5: 512 octets) and line count. Every
// call returns an error on I/O failure or timeout; the channel is then unusable.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/c_handle.h"
#include "common/result.h"

namespace authmilter::report {

inline constexpr std::size_t kMaxSmtpReplyLine = 512;  // RFC 5321 §4.5.3.1.5
inline constexpr std::size_t kMaxSmtpReplyLines = 64;  // our bound (EHLO lists extensions)

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;  // text after "NNN-" / "NNN "
  std::string text() const;
};

class SmtpChannel {
 public:
  static Result<SmtpChannel> connect(const std::string& host, int port,
                                     std::chrono::seconds timeout);
  SmtpChannel(SmtpChannel&&) noexcept;
  SmtpChannel& operator=(SmtpChannel&&) = delete;
  ~SmtpChannel();

  Status start_tls(const std::string& host, bool verify, const std::string& ca_file);
  bool tls() const { return ssl_ != nullptr; }
  Status write(const std::string& data);
  Result<SmtpReply> read_reply();

 private:
  explicit SmtpChannel(int fd) : fd_(fd) {}
  Result<std::string> read_line();
  Result<char> read_byte();

  using SslContext = CHandle<SSL_CTX, SSL_CTX_free>;
  using Ssl = CHandle<SSL, SSL_free>;
  int fd_ = -1;
  SslContext context_;
  Ssl ssl_;
  char buffer_[4096] = {};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace authmilter::report
