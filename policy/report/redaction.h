// redaction.h - RFC 6590 redaction of local parts in recorded addresses and header sections.
//
// redact_address() redacts one address ("local@domain"; text without '@' is returned as it is).
// redact_header_section() redacts every addr-spec-shaped "local@domain" in a header section
// (CRLF lines), in whatever field it stands: From, To, Cc, Reply-To, but also Received "for"
// clauses, DKIM-Signature i= and free-form fields no address parser would see, which is why it
// scans the text instead of parsing only the address fields. Message-ID, In-Reply-To and
// References are left alone: their "local part" is no person's, and the domain owner needs them
// to find the message. Redaction::none returns the text unchanged. Pure apart from OpenSSL.
#pragma once

#include <string>
#include <string_view>

#include "report/failure_options.h"

namespace authmilter::report {

std::string redact_address(std::string_view address, Redaction redaction, std::string_view key);
std::string redact_header_section(std::string_view headers, Redaction redaction,
                                  std::string_view key);

}  // namespace authmilter::report
