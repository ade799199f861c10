// dnssec_status.h - what DNSSEC validation said about one answer (RFC 4035 §4.3).
//
// unvalidated: nothing was validated, because no trust anchor is configured
//              (ResolverOptions::trust_anchor_file is empty) or because there was no answer to
//              validate (timeout, SERVFAIL, a lookup refused by the message budget).
// secure:      the answer, or the proof that the name or type does not exist, chains to a
//              configured trust anchor.
// insecure:    validation ran and the answer is provably unsigned (an insecure delegation) or
//              lies outside every trust anchor (RFC 4035's "indeterminate"; libunbound reports
//              both the same way).
// bogus:       validation ran and failed (bad or expired signature, missing DNSKEY, ...). A bogus
//              answer always has Outcome::servfail and no records, so that every caller that does
//              not look at this status treats it as a temporary failure; DKIM and ARC keys read
//              it and treat the key as missing.
#pragma once

namespace authmilter::dns {

enum class DnssecStatus { unvalidated, secure, insecure, bogus };

// "unvalidated", "secure", "insecure", "bogus": the words of the AR comments and the log.
const char* to_string(DnssecStatus status);

}  // namespace authmilter::dns
