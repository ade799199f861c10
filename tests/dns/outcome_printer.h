// outcome_printer.h - lets GoogleTest print dns::Outcome and DnssecStatus by name in failures.
#pragma once

#include <ostream>

#include "dns/resolver.h"

namespace authmilter::dns {

inline void PrintTo(Outcome outcome, std::ostream* out) {
  *out << to_string(outcome);
}

inline void PrintTo(DnssecStatus status, std::ostream* out) {
  *out << to_string(status);
}

}  // namespace authmilter::dns
