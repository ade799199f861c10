// arc_chain_structure.h - RFC 8617 §5.2 steps 1-3: are the ARC sets a usable chain?
//
// Input: the instance (i=) of every ARC header field in message order, by kind, and each seal's
// cv= (0 for a field whose i= could not be read). Output: for instance 1..N the index (into the
// input vectors) of its one AS, AMS and AAR, or the reason the chain fails:
//   - no ARC field at all: `none` (empty reason, no sets);
//   - an unreadable i=, more than kMaxArcInstances instances, the newest seal saying cv=fail
//     (step 2), a gap, a duplicate or a missing member (step 3.1, 3.2), cv other than none at
//     i=1 or pass above (step 3.3): fail.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace authmilter::arc {

struct ArcFieldInstances {
  std::vector<unsigned> seals;  // i= of each ARC-Seal, in message order
  std::vector<std::string> seal_cv;
  std::vector<unsigned> message_signatures;
  std::vector<unsigned> authentication_results;
};

struct ArcSetIndex {
  std::size_t seal = 0;
  std::size_t message_signature = 0;
  std::size_t authentication_results = 0;
};

struct ChainStructure {
  bool present = false;           // any ARC field at all
  std::string error;              // empty: `sets` is a valid chain 1..N
  std::vector<ArcSetIndex> sets;  // sets[k] is instance k + 1
};

ChainStructure check_chain_structure(const ArcFieldInstances& fields);

}  // namespace authmilter::arc
