// unbound_answer.h - turning a finished libunbound query into the Resolver's Answer types.
//
// Outcome mapping: no answer before the deadline -> timeout; a libunbound error, a DNSSEC
// bogus answer, or an RCODE other than NOERROR/NXDOMAIN (SERVFAIL, REFUSED, FORMERR, ...) ->
// servfail; RCODE NXDOMAIN -> nxdomain; NOERROR without records of the asked type -> nodata.
// DNSSEC (Answer::dnssec, dnssec_status.h): ub_result::bogus -> bogus (outcome servfail);
// otherwise, when `validating` (a trust anchor is configured), ub_result::secure -> secure and
// its absence -> insecure, also for proven NXDOMAIN/NODATA; without a trust anchor libunbound
// cannot tell insecure from unchecked -> unvalidated. No answer (timeout, error) -> unvalidated.
// Records: at most bounds.max_records, TXT joined and cut at bounds.max_txt_bytes (by default
// kMaxRecordsPerAnswer and kMaxTxtLength), names lower-case
// without trailing dot; a cut sets `truncated`. RDATA that breaks the wire format makes the
// whole answer servfail (it cannot be trusted); a record whose name cannot be rendered as text
// (see wire_rdata.h) is dropped and also sets `truncated`; if no record is left -> nodata.
// Pure functions over the completion; thread-safe.
#pragma once

#include "dns/resolver.h"
#include "dns/unbound_query_loop.h"

namespace authmilter::dns {

// How one resolver converts its answers.
struct AnswerRules {
  AnswerBounds bounds;
  bool validating = false;  // a trust anchor is configured: libunbound validated the answer
};

TxtAnswer to_txt_answer(const QueryCompletion& completion, const AnswerRules& rules = {});
AddressAnswer to_address_answer(const QueryCompletion& completion, net::IpFamily family,
                                const AnswerRules& rules = {});
MxAnswer to_mx_answer(const QueryCompletion& completion, const AnswerRules& rules = {});
NameAnswer to_name_answer(const QueryCompletion& completion, const AnswerRules& rules = {});

}  // namespace authmilter::dns
