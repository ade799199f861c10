// record_lookup.h - fetch and classify the DMARC record published for one domain.
//
// RecordSource::lookup(domain) queries TXT at "_dmarc.<domain>" through the shared Resolver,
// keeps the TXT strings that start with v=DMARC1 (RFC 9989 §4.10 step 2) and classifies:
//   found     - exactly one DMARC record; `parse` holds it (valid or unusable). An answer that
//               a size bound cut (dns::Answer::truncated) is `found` and unusable, whatever it
//               holds: it cannot be trusted to be whole (evaluate.h makes that permerror)
//   none      - NXDOMAIN, NODATA, or no TXT string is a DMARC record
//   multiple  - several DMARC records: RFC 9989 discards them all (the walk goes on),
//               RFC 7489 §6.6.3 ends discovery; the caller applies the mode's rule
//   temperror - SERVFAIL or timeout (never treated as "no record")
// At most kMaxDmarcQueriesPerMessage queries are made; past that every new name answers
// temperror, so hostile identifiers (many deep DKIM d= values) cannot multiply DNS work.
// One RecordSource lives for one message evaluation: answers are memoised so that policy
// discovery and the organizational-domain walks of several identifiers share queries.
// Not thread-safe (one per evaluation); the Resolver it borrows must outlive it.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "dmarc/record.h"
#include "dns/resolver.h"

namespace authmilter::dmarc {

// Our bound: a full tree walk for the author, SPF and a few DKIM domains (8 queries each,
// RFC 9989 §4.10), mostly shared through the memo.
inline constexpr int kMaxDmarcQueriesPerMessage = 40;

enum class LookupStatus { found, none, multiple, temperror };

struct RecordLookup {
  LookupStatus status = LookupStatus::none;
  std::string domain;  // the name queried, without "_dmarc."
  RecordParse parse;   // meaningful when status == found
  std::string reason;  // DNS outcome or why nothing was found
};

class RecordSource {
 public:
  RecordSource(dns::Resolver& resolver, DmarcMode mode) : resolver_(resolver), mode_(mode) {}

  const RecordLookup& lookup(const std::string& domain);
  int queries() const { return queries_; }
  DmarcMode mode() const { return mode_; }
  dns::Resolver& resolver() { return resolver_; }

 private:
  dns::Resolver& resolver_;
  DmarcMode mode_;
  std::map<std::string, RecordLookup> cache_;
  int queries_ = 0;
};

}  // namespace authmilter::dmarc
