#include "arc/arc_result.h"

namespace authmilter::arc {

const char* to_string(ArcCode code) {
  switch (code) {
    case ArcCode::none:
      return "none";
    case ArcCode::pass:
      return "pass";
    case ArcCode::fail:
      return "fail";
    case ArcCode::temperror:
      return "temperror";
  }
  return "fail";
}

const char* to_string(KeyDnssec status) {
  switch (status) {
    case KeyDnssec::secure:
      return "secure";
    case KeyDnssec::insecure:
      return "insecure";
    case KeyDnssec::bogus:
      return "bogus";
    case KeyDnssec::unknown:
      break;
  }
  return "";
}

}  // namespace authmilter::arc
