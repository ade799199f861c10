// smtp_channel.cpp - sockets and OpenSSL for the SMTP submission sender.
#include "report/smtp_channel.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace authmilter::report {

namespace {

std::string ssl_error(const std::string& what) {
  char text[256] = {};
  ERR_error_string_n(ERR_get_error(), text, sizeof text);
  return std::string("smtp: ") + what + ": " + text;
}

int connect_any(const addrinfo* list, std::chrono::seconds timeout) {
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    close(fd);
  }
  return -1;
}

}  // namespace

std::string SmtpReply::text() const {
  std::string out = std::to_string(code);
  for (const auto& line : lines) out += " " + line;
  return out;
}

Result<SmtpChannel> SmtpChannel::connect(const std::string& host, int port,
                                         std::chrono::seconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  if (rc != 0) return Error{"smtp: " + host + ": " + gai_strerror(rc)};
  const int fd = connect_any(list, timeout);
  freeaddrinfo(list);
  if (fd < 0)
    return Error{"smtp: cannot connect to " + host + ":" + std::to_string(port) + ": " +
                 strerror(errno)};
  return SmtpChannel(fd);
}

SmtpChannel::SmtpChannel(SmtpChannel&& other) noexcept
    : fd_(other.fd_),
      context_(std::move(other.context_)),
      ssl_(std::move(other.ssl_)),
      begin_(other.begin_),
      end_(other.end_) {
  std::memcpy(buffer_, other.buffer_, sizeof buffer_);
  other.fd_ = -1;
}

SmtpChannel::~SmtpChannel() {
  if (ssl_) SSL_shutdown(ssl_.get());
  ssl_.reset();
  if (fd_ >= 0) close(fd_);
}

Status SmtpChannel::start_tls(const std::string& host, bool verify, const std::string& ca_file) {
  // Bytes the server sent before the handshake would be a command injection (CVE-2011-0411).
  if (begin_ != end_) return Error{"smtp: server sent data after its STARTTLS reply"};
  context_.reset(SSL_CTX_new(TLS_client_method()));
  if (!context_) return Error{ssl_error("SSL_CTX_new")};
  SSL_CTX_set_min_proto_version(context_.get(), TLS1_2_VERSION);
  if (verify) {
    const int loaded =
        ca_file.empty() ? SSL_CTX_set_default_verify_paths(context_.get())
                        : SSL_CTX_load_verify_locations(context_.get(), ca_file.c_str(), nullptr);
    if (loaded != 1) return Error{ssl_error("loading CA certificates")};
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
  }
  ssl_.reset(SSL_new(context_.get()));
  if (!ssl_) return Error{ssl_error("SSL_new")};
  SSL_set_fd(ssl_.get(), fd_);
  SSL_set_tlsext_host_name(ssl_.get(), host.c_str());
  if (verify && SSL_set1_host(ssl_.get(), host.c_str()) != 1)
    return Error{ssl_error("SSL_set1_host")};
  if (SSL_connect(ssl_.get()) != 1) {
    auto error = ssl_error("TLS handshake with " + host);
    ssl_.reset();
    return Error{error};
  }
  return Ok{};
}

Status SmtpChannel::write(const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const std::size_t left = data.size() - done;
    const long wrote = ssl_ ? SSL_write(ssl_.get(), data.data() + done, static_cast<int>(left))
                            : ::send(fd_, data.data() + done, left, MSG_NOSIGNAL);
    if (wrote < 0 && !ssl_ && errno == EINTR) continue;
    if (wrote <= 0) return Error{"smtp: write failed (connection closed or timed out)"};
    done += static_cast<std::size_t>(wrote);
  }
  return Ok{};
}

Result<char> SmtpChannel::read_byte() {
  if (begin_ == end_) {
    const long got = ssl_ ? SSL_read(ssl_.get(), buffer_, sizeof buffer_)
                          : ::recv(fd_, buffer_, sizeof buffer_, 0);
    if (got <= 0) return Error{"smtp: read failed (connection closed or timed out)"};
    begin_ = 0;
    end_ = static_cast<std::size_t>(got);
  }
  return buffer_[begin_++];
}

Result<std::string> SmtpChannel::read_line() {
  std::string line;
  while (true) {
    auto byte = read_byte();
    if (!byte) return Error{byte.error()};
    if (*byte == '\n') break;
    line += *byte;
    if (line.size() > kMaxSmtpReplyLine) return Error{"smtp: reply line too long"};
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<SmtpReply> SmtpChannel::read_reply() {
  SmtpReply reply;
  while (reply.lines.size() < kMaxSmtpReplyLines) {
    auto line = read_line();
    if (!line) return Error{line.error()};
    const bool well_formed = line->size() >= 3 &&
                             std::isdigit(static_cast<unsigned char>((*line)[0])) &&
                             std::isdigit(static_cast<unsigned char>((*line)[1])) &&
                             std::isdigit(static_cast<unsigned char>((*line)[2])) &&
                             (line->size() == 3 || (*line)[3] == ' ' || (*line)[3] == '-');
    if (!well_formed) return Error{"smtp: malformed reply '" + line->substr(0, 80) + "'"};
    const int code = std::stoi(line->substr(0, 3));
    if (reply.code != 0 && code != reply.code) return Error{"smtp: inconsistent reply codes"};
    reply.code = code;
    reply.lines.push_back(line->size() > 4 ? line->substr(4) : "");
    if (line->size() == 3 || (*line)[3] == ' ') return reply;
  }
  return Error{"smtp: reply has too many lines"};
}

}  // namespace authmilter::report
