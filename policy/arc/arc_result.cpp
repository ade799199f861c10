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

}  // namespace authmilter::arc
