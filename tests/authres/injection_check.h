// injection_check.h - test predicates for the formatter's header-injection invariant.
//
// only_own_folds() is true when every control character in a formatted field value belongs to
// a fold the formatter writes ("\n\t" for FoldStyle::lf, "\r\n\t" for FoldStyle::crlf): no
// stray CR, LF, NUL or other CTL, hence no way to end the header or start a new one.
#pragma once

#include <cstddef>
#include <string_view>

#include "authres/authres.h"

namespace authmilter::authres::testing {

bool only_own_folds(std::string_view text, FoldStyle fold);

// Length of the longest line, line ends excluded (RFC 5322 §2.1.1 caps it at 998).
std::size_t longest_line(std::string_view text);

// True when text is well-formed UTF-8 (no truncated sequence left by the length bound).
bool is_utf8(std::string_view text);

}  // namespace authmilter::authres::testing
