// fo_trigger.h - does a message call for a failure report, per the policy's fo= tag?
//
// RFC 7489 §6.3 / RFC 9991 fo= options, a colon-separated list:
//   0 - DMARC failed: no underlying mechanism gave an aligned pass (the default);
//   1 - some mechanism did not give an aligned pass (SPF or DKIM; DMARC itself may pass);
//   d - a DKIM signature failed evaluation, aligned or not;
//   s - SPF failed evaluation, aligned or not.
// Only the options the receiver honours (failure_reports.fo) count. A record whose options are
// all unhonoured is read as fo=0 when 0 is honoured: it still asked for reports on DMARC
// failure. fired_fo_options() returns the options that fired, in the order 0 1 d s, "" for none.
#pragma once

#include <string>
#include <string_view>

namespace authmilter::report {

struct AuthenticationFacts {
  bool dmarc_failed = false;  // DMARC result fail
  bool spf_aligned = false;   // an aligned SPF pass
  bool dkim_aligned = false;  // an aligned DKIM pass
  bool spf_failed = false;    // SPF fail, softfail or permerror
  bool dkim_failed = false;   // some DKIM signature fail, policy or permerror
};

std::string fired_fo_options(std::string_view fo, std::string_view honoured,
                             const AuthenticationFacts& facts);

}  // namespace authmilter::report
