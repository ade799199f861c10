#include "dns/dnssec_status.h"

namespace authmilter::dns {

const char* to_string(DnssecStatus status) {
  switch (status) {
    case DnssecStatus::unvalidated:
      return "unvalidated";
    case DnssecStatus::secure:
      return "secure";
    case DnssecStatus::insecure:
      return "insecure";
    case DnssecStatus::bogus:
      return "bogus";
  }
  return "unknown";
}

}  // namespace authmilter::dns
