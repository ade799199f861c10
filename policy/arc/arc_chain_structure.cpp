#include "arc/arc_chain_structure.h"

#include <algorithm>
#include <optional>

#include "arc/arc_result.h"

namespace authmilter::arc {

namespace {

const char* kind_name(int kind) {
  switch (kind) {
    case 0:
      return "ARC-Seal";
    case 1:
      return "ARC-Message-Signature";
    default:
      return "ARC-Authentication-Results";
  }
}

}  // namespace

ChainStructure check_chain_structure(const ArcFieldInstances& fields) {
  ChainStructure result;
  const std::vector<unsigned>* kinds[3] = {&fields.seals, &fields.message_signatures,
                                           &fields.authentication_results};
  unsigned newest = 0;
  for (int kind = 0; kind < 3; ++kind) {
    for (unsigned instance : *kinds[kind]) {
      result.present = true;
      if (instance == 0) {
        result.error = std::string(kind_name(kind)) + " with unreadable i=";
        return result;
      }
      newest = std::max(newest, instance);
    }
  }
  if (!result.present) return result;
  // Step 1: at most 50 sets.
  if (newest > kMaxArcInstances) {
    result.error = "more than " + std::to_string(kMaxArcInstances) + " ARC instances";
    return result;
  }
  // Step 2: the newest seal's cv=fail ends it (looked at before the structure, as the RFC does).
  for (std::size_t k = 0; k < fields.seals.size(); ++k) {
    if (fields.seals[k] == newest && k < fields.seal_cv.size() && fields.seal_cv[k] == "fail") {
      result.error = "seal i=" + std::to_string(newest) + " says cv=fail";
      return result;
    }
  }
  // Step 3.1 / 3.2: exactly one of each per instance, 1..N without gaps.
  std::vector<std::optional<std::size_t>> slots[3];
  for (int kind = 0; kind < 3; ++kind) {
    slots[kind].assign(newest, std::nullopt);
    const std::vector<unsigned>& instances = *kinds[kind];
    for (std::size_t k = 0; k < instances.size(); ++k) {
      auto& slot = slots[kind][instances[k] - 1];
      if (slot) {
        result.error =
            std::string("duplicate ") + kind_name(kind) + " i=" + std::to_string(instances[k]);
        return result;
      }
      slot = k;
    }
  }
  for (unsigned instance = 1; instance <= newest; ++instance) {
    int missing_kinds = 0;
    for (const auto& kind_slots : slots) missing_kinds += kind_slots[instance - 1] ? 0 : 1;
    if (missing_kinds == 3) {
      result.error = "instance " + std::to_string(instance) + " missing";
      return result;
    }
    for (int kind = 0; kind < 3; ++kind) {
      if (!slots[kind][instance - 1]) {
        result.error = std::string(kind_name(kind)) + " i=" + std::to_string(instance) + " missing";
        return result;
      }
    }
  }
  // Step 3.3: cv=none at i=1, cv=pass above.
  for (unsigned instance = 1; instance <= newest; ++instance) {
    const std::size_t seal = *slots[0][instance - 1];
    const std::string& cv = seal < fields.seal_cv.size() ? fields.seal_cv[seal] : std::string();
    const char* wanted = instance == 1 ? "none" : "pass";
    if (cv != wanted) {
      result.error = "seal i=" + std::to_string(instance) + " has cv=" + (cv.empty() ? "?" : cv) +
                     ", expected " + wanted;
      return result;
    }
  }
  for (unsigned instance = 1; instance <= newest; ++instance) {
    result.sets.push_back(
        ArcSetIndex{*slots[0][instance - 1], *slots[1][instance - 1], *slots[2][instance - 1]});
  }
  return result;
}

}  // namespace authmilter::arc
