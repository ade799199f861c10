// signature_field.h - whether a header field is a DKIM-Signature field, as libopendkim decides.
//
// libopendkim ignores blanks between a field name and its colon ("DKIM-Signature :"), so every
// place that counts or pairs signatures (the verifier, the dkim.max_signatures bound) must too,
// or the counts fall out of step with the signatures libopendkim verifies.
#pragma once

#include <string_view>

#include "common/ascii.h"

namespace authmilter::dkim {

inline bool is_signature_field(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return equal_ignoring_case(name, "DKIM-Signature");
}

}  // namespace authmilter::dkim
