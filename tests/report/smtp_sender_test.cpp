// smtp_sender_test.cpp - the submission dialogue against an in-process SMTP server, with a real
// TLS handshake (self-signed certificate made by the openssl command) and AUTH PLAIN.
#include "report/smtp_sender.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace authmilter::report {
namespace {

struct ServerScript {
  bool offer_starttls = true;
  bool offer_auth = true;
  int rcpt_code = 250;
};

// Serves one SMTP session on a loopback port and records what the client sent.
class FakeSubmissionServer {
 public:
  FakeSubmissionServer(ServerScript script, std::string certificate, std::string key)
      : script_(script), certificate_(std::move(certificate)), key_(std::move(key)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(listener_, 1);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSubmissionServer() {
    finish();
    close(listener_);
  }
  // finish - waits for the session to end; the recorded fields are stable afterwards.
  void finish() {
    if (!thread_.joinable()) return;
    shutdown(listener_, SHUT_RDWR);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> commands;
  std::string data;
  bool tls_used = false;

 private:
  void put(const std::string& text) {
    if (ssl_ != nullptr)
      SSL_write(ssl_, text.data(), static_cast<int>(text.size()));
    else
      (void)::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
  }
  bool get_line(std::string& line) {
    line.clear();
    char c = 0;
    while (true) {
      const long got = ssl_ != nullptr ? SSL_read(ssl_, &c, 1) : recv(fd_, &c, 1, 0);
      if (got <= 0) return false;
      if (c == '\n') return true;
      if (c != '\r') line += c;
    }
  }
  void ehlo() {
    put("250-fake.example\r\n");
    if (script_.offer_starttls && ssl_ == nullptr) put("250-STARTTLS\r\n");
    if (script_.offer_auth && ssl_ != nullptr) put("250-AUTH LOGIN PLAIN\r\n");
    put("250 8BITMIME\r\n");
  }
  void upgrade(SSL_CTX* context) {
    put("220 go ahead\r\n");
    ssl_ = SSL_new(context);
    SSL_set_fd(ssl_, fd_);
    tls_used = SSL_accept(ssl_) == 1;
  }
  void read_data() {
    put("354 go on\r\n");
    std::string line;
    while (get_line(line) && line != ".") data += line + "\n";
    put("250 queued as X1\r\n");
  }
  void serve() {
    fd_ = accept(listener_, nullptr, nullptr);
    if (fd_ < 0) return;
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_file(context, certificate_.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(context, key_.c_str(), SSL_FILETYPE_PEM);
    put("220 fake.example ESMTP\r\n");
    std::string line;
    while (get_line(line)) {
      commands.push_back(line);
      if (line.starts_with("EHLO"))
        ehlo();
      else if (line == "STARTTLS")
        upgrade(context);
      else if (line.starts_with("AUTH"))
        put("235 ok\r\n");
      else if (line.starts_with("MAIL"))
        put("250 ok\r\n");
      else if (line.starts_with("RCPT"))
        put(std::to_string(script_.rcpt_code) + " rcpt\r\n");
      else if (line == "DATA")
        read_data();
      else if (line == "QUIT") {
        put("221 bye\r\n");
        break;
      } else
        put("502 what\r\n");
    }
    if (ssl_ != nullptr) SSL_free(ssl_);
    SSL_CTX_free(context);
    close(fd_);
  }

  ServerScript script_;
  std::string certificate_, key_;
  int listener_ = -1, fd_ = -1, port_ = 0;
  SSL* ssl_ = nullptr;
  std::thread thread_;
};

class SmtpSenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/authmilter-smtp-XXXXXX";
    directory_ = mkdtemp(pattern);
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost -days 2 -keyout " +
        directory_ + "/key.pem -out " + directory_ + "/cert.pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl req failed";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(directory_); }

  SmtpOptions options_for(int port) {
    SmtpOptions options;
    options.host = "localhost";
    options.port = port;
    options.ca_file = directory_ + "/cert.pem";
    options.username = "reporter";
    options.password = "s3cret";
    options.envelope_from = "reports@receiver.example";
    options.timeout = std::chrono::seconds(5);
    return options;
  }
  std::unique_ptr<FakeSubmissionServer> server(ServerScript script) {
    return std::make_unique<FakeSubmissionServer>(script, directory_ + "/cert.pem",
                                                  directory_ + "/key.pem");
  }
  static std::string directory_;
};
std::string SmtpSenderTest::directory_;

TEST_F(SmtpSenderTest, SubmitsOverVerifiedTlsWithAuthPlain) {
  auto fake = server({});
  SmtpSender sender(options_for(fake->port()));
  const auto sent = sender.send("Subject: x\n\n.leading dot\nbody\n", "dmarc@example.com");
  fake->finish();
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_TRUE(fake->tls_used);
  const std::vector<std::string> expected = {
      "EHLO localhost",
      "STARTTLS",
      "EHLO localhost",
      "AUTH PLAIN AHJlcG9ydGVyAHMzY3JldA==",  // base64("\0reporter\0s3cret"), RFC 4616
      "MAIL FROM:<reports@receiver.example>",
      "RCPT TO:<dmarc@example.com>",
      "DATA",
      "QUIT"};
  EXPECT_EQ(fake->commands, expected);
  EXPECT_EQ(fake->data, "Subject: x\n\n..leading dot\nbody\n");  // dot-stuffed on the wire
}

TEST_F(SmtpSenderTest, AnUntrustedCertificateFails) {
  auto fake = server({});
  auto options = options_for(fake->port());
  options.ca_file.clear();  // the system CAs do not know our self-signed certificate
  SmtpSender sender(options);
  const auto sent = sender.send("Subject: x\n\nbody\n", "dmarc@example.com");
  fake->finish();
  EXPECT_FALSE(sent.ok());
  for (const auto& command : fake->commands) EXPECT_FALSE(command.starts_with("AUTH"));
}

TEST_F(SmtpSenderTest, RequiredStartTlsThatIsNotOfferedFails) {
  auto fake = server({.offer_starttls = false});
  SmtpSender sender(options_for(fake->port()));
  const auto sent = sender.send("Subject: x\n\nbody\n", "dmarc@example.com");
  fake->finish();
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.error().find("STARTTLS"), std::string::npos) << sent.error();
}

TEST_F(SmtpSenderTest, NeverAuthenticatesInClear) {
  auto fake = server({.offer_starttls = false});
  auto options = options_for(fake->port());
  options.starttls = StartTls::opportunistic;
  SmtpSender sender(options);
  const auto sent = sender.send("Subject: x\n\nbody\n", "dmarc@example.com");
  fake->finish();
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.error().find("without TLS"), std::string::npos) << sent.error();
}

TEST_F(SmtpSenderTest, ARejectedRecipientIsAFailure) {
  auto fake = server({.rcpt_code = 550});
  SmtpSender sender(options_for(fake->port()));
  const auto sent = sender.send("Subject: x\n\nbody\n", "dmarc@example.com");
  fake->finish();
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.error().find("RCPT TO: 550"), std::string::npos) << sent.error();
}

TEST(SmtpData, UsesCrlfAndStuffsDots) {
  EXPECT_EQ(smtp_data("a\n.b\n..c\r\nd"), "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
  EXPECT_EQ(smtp_data(""), ".\r\n");
}

}  // namespace
}  // namespace authmilter::report
