// smtp_sender.cpp - the submission dialogue; see smtp_sender.h.
#include "report/smtp_sender.h"

#include <openssl/evp.h>

#include "report/smtp_channel.h"

namespace authmilter::report {

namespace {

std::string base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()),
                                     static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

// Sends one command and expects a reply of class `expected` (2 or 3).
Result<SmtpReply> command(SmtpChannel& channel, const std::string& line, int expected,
                          const std::string& what) {
  if (!line.empty())
    if (auto wrote = channel.write(line + "\r\n"); !wrote) return Error{wrote.error()};
  auto reply = channel.read_reply();
  if (!reply) return Error{reply.error()};
  if (reply->code / 100 != expected) return Error{"smtp: " + what + ": " + reply->text()};
  return reply;
}

bool offers(const SmtpReply& ehlo, const std::string& keyword) {
  for (const auto& line : ehlo.lines) {
    std::string upper;
    for (char c : line) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == keyword || upper.starts_with(keyword + " ")) return true;
  }
  return false;
}

// A header or address must not carry CR/LF into the dialogue.
bool clean(const std::string& text) {
  return text.find_first_of("\r\n") == std::string::npos;
}

Result<SmtpReply> secure_session(SmtpChannel& channel, const SmtpOptions& options) {
  if (auto greeting = command(channel, "", 2, "greeting"); !greeting) return greeting;
  auto ehlo = command(channel, "EHLO " + options.helo_name, 2, "EHLO");
  if (!ehlo) return ehlo;
  const bool want_tls = options.starttls != StartTls::off && offers(*ehlo, "STARTTLS");
  if (options.starttls == StartTls::required && !want_tls)
    return Error{"smtp: " + options.host + " does not offer STARTTLS (required)"};
  if (!want_tls) return ehlo;
  if (auto go = command(channel, "STARTTLS", 2, "STARTTLS"); !go) return go;
  if (auto tls = channel.start_tls(options.host, options.verify_certificate, options.ca_file); !tls)
    return Error{tls.error()};
  return command(channel, "EHLO " + options.helo_name, 2, "EHLO after STARTTLS");
}

Status authenticate(SmtpChannel& channel, const SmtpReply& ehlo, const SmtpOptions& options) {
  if (options.username.empty()) return Ok{};
  if (!channel.tls()) return Error{"smtp: refusing AUTH without TLS"};
  bool plain = false;
  for (const auto& line : ehlo.lines)
    if (line.starts_with("AUTH ") || line.starts_with("AUTH=") || line.starts_with("auth "))
      plain = plain || line.find("PLAIN") != std::string::npos;
  if (!plain) return Error{"smtp: " + options.host + " does not offer AUTH PLAIN"};
  const std::string token = std::string(1, '\0') + options.username + '\0' + options.password;
  auto done = command(channel, "AUTH PLAIN " + base64(token), 2, "AUTH");
  if (!done) return Error{done.error()};
  return Ok{};
}

}  // namespace

std::string smtp_data(const std::string& message) {
  std::string out;
  out.reserve(message.size() + message.size() / 40 + 8);
  bool line_start = true;
  for (const char c : message) {
    if (line_start && c == '.') out += '.';
    if (c == '\n') {
      if (out.empty() || out.back() != '\r') out += '\r';
      out += '\n';
      line_start = true;
      continue;
    }
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  return out + ".\r\n";
}

Status SmtpSender::send(const std::string& message, const std::string& recipient) {
  if (!clean(recipient) || !clean(options_.envelope_from) || !clean(options_.helo_name))
    return Error{"smtp: line break in an address"};
  auto channel = SmtpChannel::connect(options_.host, options_.port, options_.timeout);
  if (!channel) return Error{channel.error()};
  auto ehlo = secure_session(*channel, options_);
  if (!ehlo) return Error{ehlo.error()};
  if (auto auth = authenticate(*channel, *ehlo, options_); !auth) return auth;
  for (const auto& [line, expected, what] :
       {std::tuple<std::string, int, std::string>{"MAIL FROM:<" + options_.envelope_from + ">", 2,
                                                  "MAIL FROM"},
        {"RCPT TO:<" + recipient + ">", 2, "RCPT TO"},
        {"DATA", 3, "DATA"}}) {
    if (auto reply = command(*channel, line, expected, what); !reply) return Error{reply.error()};
  }
  if (auto wrote = channel->write(smtp_data(message)); !wrote) return wrote;
  if (auto accepted = command(*channel, "", 2, "end of DATA"); !accepted)
    return Error{accepted.error()};
  (void)command(*channel, "QUIT", 2, "QUIT");  // the message is already accepted
  return Ok{};
}

}  // namespace authmilter::report
