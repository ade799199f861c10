#include "dns/resolver.h"

namespace authmilter::dns {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::nxdomain:
      return "NXDOMAIN";
    case Outcome::nodata:
      return "NODATA";
    case Outcome::servfail:
      return "SERVFAIL";
    case Outcome::timeout:
      return "timeout";
  }
  return "unknown";
}

}  // namespace authmilter::dns
