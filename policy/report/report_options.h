// report_options.h - how authmilter-report builds and sends aggregate reports.
//
// Plain values filled by conf/report_sections.cpp (YAML section `reports`); defaults follow
// RFC 9990 (one report per UTC day, the dmarc-2.0 XML format).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace authmilter::report {

enum class ReportFormat { rfc9990, rfc7489 };

inline constexpr std::int64_t kDefaultIntervalSeconds = 86400;  // RFC 9990 §2.1: a UTC day
inline constexpr std::int64_t kMinIntervalSeconds = 3600;       // RFC 9990 §2.1: at most hourly

enum class StartTls { required, opportunistic, off };

struct SmtpOptions {
  std::string host = "localhost";
  int port = 587;  // RFC 6409 §3.1
  StartTls starttls = StartTls::required;
  bool verify_certificate = true;
  std::string ca_file;  // "" = the system CA store
  std::string username;
  std::string password;
  std::string helo_name = "localhost";
  std::string envelope_from;  // MAIL FROM; the program sets it to ReportOptions::email
  std::chrono::seconds timeout{60};
};

enum class DeliveryMethod { sendmail, smtp };

struct ReportOptions {
  std::string org_name;            // report_metadata/org_name (RFC 9990 §3.1.1.1)
  std::string email;               // report_metadata/email, also the From address
  std::string extra_contact_info;  // optional
  std::string submitter;           // receiver domain: Subject "Submitter:" and file name
  ReportFormat format = ReportFormat::rfc9990;
  std::int64_t interval_seconds = kDefaultIntervalSeconds;
  DeliveryMethod delivery = DeliveryMethod::sendmail;
  std::vector<std::string> sendmail_command = {"/usr/sbin/sendmail", "-t", "-oi"};
  SmtpOptions smtp;                // delivery: smtp
  std::string public_suffix_list;  // RFC 7489 org domains for destination checks ("" = default)
};

}  // namespace authmilter::report
