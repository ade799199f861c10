// arc_signature_check.h - what an ARC signature covers, and checking it against its key.
//
// message_signature_input(): the header hash input of an ARC-Message-Signature (RFC 8617
//   §4.1.2 = RFC 6376 §3.7 with the AMS in place of DKIM-Signature): every field named in h=,
//   each taking the next instance of that name from the bottom up (a name with no instance left
//   contributes nothing, RFC 6376 §5.4.2), canonicalized with the AMS's c=, then the AMS itself
//   with b= emptied and no trailing CRLF. Only fields that existed when instance i signed are
//   candidates: ARC fields of newer instances, AS(i) and AMS(i) are skipped.
// seal_input(): the hash input of ARC-Seal i (RFC 8617 §5.1.1): for instance 1..i in order,
//   AAR, AMS and AS, relaxed canonicalization, AS(i) with b= emptied and no trailing CRLF.
// check_signature(): algorithm (rsa-sha256, ed25519-sha256; rsa-sha1 refused, RFC 8301),
//   key (ArcKeyLookup), b= decode, SHA-256 of the input and dkim::verify_header_digest().
//   Fills the facts (d=, s=, a=, key bits, DNSSEC, verified) as far as it got.
// Pure apart from the key lookup; not thread-safe (the lookup is per message).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_chain_structure.h"
#include "arc/arc_header_parse.h"
#include "arc/arc_header_store.h"
#include "arc/arc_key_lookup.h"
#include "arc/arc_result.h"
#include "common/result.h"

namespace authmilter::arc {

std::string message_signature_input(std::span<const StoredField> headers,
                                    std::size_t signature_field,
                                    const ArcMessageSignatureFields& signature);

// `set_fields[k]` are the header indexes (into `headers`) of instance k + 1's AS, AMS and AAR.
std::string seal_input(std::span<const StoredField> headers,
                       std::span<const ArcSetIndex> set_fields, unsigned instance);

std::vector<unsigned char> sha256(std::string_view data);

// a= as libopendkim's algorithm, or why it is not accepted (rsa-sha1: RFC 8301 §3.1).
Result<dkim_alg_t> signature_algorithm(std::string_view algorithm);

struct SignatureCheck {
  ArcKey::Status status = ArcKey::Status::fail;  // ok: the signature verified
  std::string reason;                            // when not ok, without the "AMS i=N" prefix
};

SignatureCheck check_signature(ArcKeyLookup& keys, const ArcSignatureFields& signature,
                               std::string_view signed_data, ArcSignatureFacts& facts);

}  // namespace authmilter::arc
