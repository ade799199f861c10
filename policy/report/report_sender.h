// report_sender.h - hands a finished report message to the mail system.
//
// send() returns Ok only when the hand-off succeeded (the sendmail program exited 0); the
// caller marks the report sent only then. SendmailSender runs argv (default
// "/usr/sbin/sendmail -t -oi": recipients from the To: header, a lone "." is not the end) with
// the message on its standard input; no shell is involved.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace authmilter::report {

class ReportSender {
 public:
  virtual ~ReportSender() = default;
  virtual Status send(const std::string& message, const std::string& recipient) = 0;
};

class SendmailSender final : public ReportSender {
 public:
  explicit SendmailSender(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  Status send(const std::string& message, const std::string& recipient) override;

 private:
  std::vector<std::string> argv_;
};

}  // namespace authmilter::report
