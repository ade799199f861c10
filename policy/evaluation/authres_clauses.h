// authres_clauses.h - each check's result as an Authentication-Results resinfo (RFC 8601 §2.7).
//
// Pure conversions; format_authres() does the quoting and sanitizing of whatever came from the
// wire, so these may pass domains and reasons through as they are.
#pragma once

#include <cstddef>
#include <vector>

#include "arc/arc_result.h"
#include "authres/authres.h"
#include "dkim/dkim_result.h"
#include "evaluation/dmarc_step.h"
#include "net/ip_address.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

// spf=<result> (<reason>) smtp.mailfrom=<domain> | smtp.helo=<helo>
authres::MethodResult spf_clause(const spf::SpfResult& result);

// One dkim=<result> (<reason>) header.d= header.i= header.s= header.a= header.b= per signature
// (RFC 6008 header.b tells signatures of one domain apart); dkim=none when there is none.
// When the resolver validates (a trust anchor), the comment ends with the key answer's DNSSEC
// status as OpenDKIM writes it: "2048-bit key; secure" (or insecure, bogus; the status alone
// when the key size is unknown, and nothing more for a bogus key whose reason says so already).
// Without a trust anchor the comment has no DNSSEC part.
// At most max_listed signatures are listed (the verified ones, dkim.max_signatures); the rest
// share one dkim=policy clause with their count, so a message with a thousand signature fields
// cannot make us write a header many times its own size.
std::vector<authres::MethodResult> dkim_clauses(const std::vector<dkim::DkimResult>& results,
                                                std::size_t max_listed);

// arc=<result> (i=N; as.N.d=.. as.N.s=..; ...; ams.N.d=..; <reason>) smtp.remote-ip=<client>
// header.oldest-pass=K (RFC 8617 §7.2 registers smtp.remote-ip and header.oldest-pass; the
// sealers, as Google and Microsoft write them, have no registered property and go in the
// comment). oldest-pass only when the chain passes and some AMS verified.
authres::MethodResult arc_clause(const arc::ArcResult& result,
                                 const std::optional<net::IpAddress>& client);

// dmarc=<result> (p=.. sp=.. dis=..; <overrides>) header.from=<domain> policy.dmarc=<applied>
// (RFC 7489 §11.2 header.from; dis= as the large receivers write it). dis and policy.dmarc give
// the disposition decided, also in dry run (the comment then says "dry run"), so the header
// tells what would have happened.
authres::MethodResult dmarc_clause(const DmarcStep& step);

}  // namespace authmilter::evaluation
