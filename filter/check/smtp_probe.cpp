#include "check/smtp_probe.h"

#include <unistd.h>

#include <cctype>
#include <cstring>
#include <ctime>

#include "daemon/probe_token.h"
#include "report/smtp_channel.h"
#include "report/smtp_sender.h"

namespace authmilter::check {

namespace {

constexpr std::chrono::seconds kProbeTimeout{120};  // the MTA waits for the milter's DNS

std::string rfc5322_date() {
  char text[64];
  const std::time_t now = std::time(nullptr);
  tm parts{};
  gmtime_r(&now, &parts);
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &parts);
  return text;
}

// Our own name for EHLO: an MTA may refuse a name without a dot (reject_non_fqdn_helo_hostname).
std::string helo_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || std::strchr(name, '.') == nullptr)
    return "localhost";
  for (const char* c = name; *c != '\0'; ++c)
    if (!std::isalnum(static_cast<unsigned char>(*c)) && *c != '.' && *c != '-') return "localhost";
  return name;
}

std::string joined(const report::SmtpReply& reply) {
  std::string text;
  for (const auto& line : reply.lines) text += (text.empty() ? "" : " ") + line;
  return text;
}

}  // namespace

std::string probe_message(const std::string& header_value, const std::string& nonce,
                          const std::string& recipient) {
  return "From: authmilter-check <postmaster@localhost>\r\n"
         "To: <" +
         recipient +
         ">\r\n"
         "Subject: authmilter-check probe " +
         nonce +
         "\r\n"
         "Date: " +
         rfc5322_date() +
         "\r\n"
         "Message-ID: <" +
         nonce +
         "@authmilter-check.invalid>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=us-ascii\r\n" +
         std::string(daemon::kProbeHeaderName) + ": " + header_value +
         "\r\n"
         "\r\n"
         "authmilter-check --smtp sent this message to see whether the MTA passes mail through\r\n"
         "authmilter. authmilter refuses it on purpose; if it reached a mailbox, the MTA did\r\n"
         "not consult authmilter, and incoming mail is not being checked.\r\n";
}

Result<ProbeExchange> send_probe(const std::string& host, int port, const std::string& recipient,
                                 const std::string& message) {
  auto channel = report::SmtpChannel::connect(host, port, kProbeTimeout);
  if (!channel.ok()) return Error{channel.error()};
  ProbeExchange exchange;
  // Each step: send (unless empty), read the reply, stop at anything but the expected class.
  const auto step = [&](const std::string& stage, const std::string& line, int expected) {
    exchange.stage = stage;
    if (!line.empty())
      if (auto wrote = channel->write(line); !wrote.ok()) return Status(Error{wrote.error()});
    auto reply = channel->read_reply();
    if (!reply.ok()) return Status(Error{stage + ": " + reply.error()});
    exchange.code = reply->code;
    exchange.text = joined(*reply);
    return reply->code / 100 == expected ? Status(Ok{}) : Status(Error{""});
  };
  const std::pair<std::string, std::string> steps[] = {
      {"greeting", ""},
      {"EHLO", "EHLO " + helo_name() + "\r\n"},
      {"MAIL FROM", "MAIL FROM:<>\r\n"},
      {"RCPT TO", "RCPT TO:<" + recipient + ">\r\n"},
      {"DATA", "DATA\r\n"},
      {"end of data", report::smtp_data(message)}};
  for (const auto& [stage, line] : steps) {
    auto done = step(stage, line, stage == "DATA" ? 3 : 2);
    if (!done.ok()) {
      if (!done.error().empty()) return Error{done.error()};
      break;
    }
  }
  (void)channel->write("QUIT\r\n");
  return exchange;
}

}  // namespace authmilter::check
