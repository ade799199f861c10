#include "evaluation/message_limits.h"

namespace authmilter::evaluation {

std::string describe(const LimitBreach& breach) {
  return breach.bound + "=" + std::to_string(breach.limit) + " exceeded (" +
         std::to_string(breach.value) + "): " + breach.consequence;
}

}  // namespace authmilter::evaluation
