#include "dkim/dkim_result.h"

namespace authmilter::dkim {

const char* to_string(DkimCode code) {
  switch (code) {
    case DkimCode::pass:
      return "pass";
    case DkimCode::fail:
      return "fail";
    case DkimCode::neutral:
      return "neutral";
    case DkimCode::policy:
      return "policy";
    case DkimCode::permerror:
      return "permerror";
    case DkimCode::temperror:
      return "temperror";
  }
  return "neutral";
}

}  // namespace authmilter::dkim
