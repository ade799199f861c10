// outcome_printer.h - lets GoogleTest print dns::Outcome by name in failure messages.
#pragma once

#include <ostream>

#include "dns/resolver.h"

namespace authmilter::dns {

inline void PrintTo(Outcome outcome, std::ostream* out) {
  *out << to_string(outcome);
}

}  // namespace authmilter::dns
