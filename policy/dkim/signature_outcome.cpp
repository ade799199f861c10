#include "dkim/signature_outcome.h"

#include <string>

#include "dkim/signature_check.h"

namespace authmilter::dkim {

namespace {

struct Verdict {
  DkimCode code;
  std::string reason;
};

unsigned key_bits_of(DKIM_SIGINFO* signature, dkim_alg_t algorithm, unsigned int flags) {
  if (algorithm == DKIM_SIGN_ED25519SHA256) {
    // RFC 8463: Ed25519 keys are always 256 bits; libopendkim records no size for them.
    return (flags & DKIM_SIGFLAG_PROCESSED) != 0 ? 256 : 0;
  }
  unsigned int bits = 0;
  if (dkim_sig_getkeysize(signature, &bits) != DKIM_STAT_OK) return 0;
  return bits;
}

std::string library_reason(int error) {
  const char* text = dkim_sig_geterrorstr(error);
  return text != nullptr ? text : "signature error " + std::to_string(error);
}

Verdict verdict_for_error(const SignatureState& state) {
  switch (state.error) {
    case DKIM_SIGERROR_BADSIG:
      if (state.passed && state.body_hash == DKIM_SIGBH_MISMATCH) {
        return {DkimCode::fail, "body hash did not verify"};
      }
      return {DkimCode::fail, "signature did not verify"};
    case DKIM_SIGERROR_TOOLARGE_L:
      return {DkimCode::fail, "l= exceeds the body length"};
    case DKIM_SIGERROR_KEYFAIL:
      return {DkimCode::temperror, "key lookup failed"};
    case DKIM_SIGERROR_NOKEY:
      return {DkimCode::permerror, "no key"};
    case DKIM_SIGERROR_KEYREVOKED:
      return {DkimCode::permerror, "key revoked"};
    case DKIM_SIGERROR_EXPIRED:
      return {DkimCode::permerror, "signature expired (x=)"};
    case DKIM_SIGERROR_FUTURE:
      return {DkimCode::permerror, "signature timestamp in the future (t=)"};
    case DKIM_SIGERROR_SUBDOMAIN:
      return {DkimCode::permerror, "key t=s forbids an i= subdomain"};
    case DKIM_SIGERROR_MULTIREPLY:
      return {DkimCode::permerror, "multiple key records"};
    case DKIM_SIGERROR_DNSSYNTAX:
      return {DkimCode::permerror, "key record syntax error"};
    case DKIM_SIGERROR_UNKNOWN:
      return {DkimCode::neutral, "signature not evaluated"};
    default:
      return {DkimCode::permerror, library_reason(state.error)};
  }
}

// RFC 8301 §3.1 and §3.2 turn an otherwise passing signature into `policy`.
Verdict rfc8301_verdict(dkim_alg_t algorithm, unsigned key_bits, const DkimOptions& options) {
  if (algorithm == DKIM_SIGN_RSASHA1 && !options.accept_rsa_sha1) {
    return {DkimCode::policy, "rsa-sha1 not accepted (RFC 8301)"};
  }
  if (algorithm != DKIM_SIGN_ED25519SHA256 && key_bits < options.min_rsa_key_bits) {
    return {DkimCode::policy, std::to_string(options.min_rsa_key_bits) +
                                  "-bit minimum (RFC 8301), key has " + std::to_string(key_bits)};
  }
  return {DkimCode::pass, ""};
}

}  // namespace

void classify_signature(DKIM_SIGINFO* signature, const KeyFailure* key_failure,
                        const FetchedKey* fetched_key, const DkimOptions& options,
                        DkimResult& result) {
  const unsigned int flags = dkim_sig_getflags(signature);
  SignatureState state{dkim_sig_geterror(signature), (flags & DKIM_SIGFLAG_PASSED) != 0,
                       dkim_sig_getbh(signature)};
  dkim_alg_t algorithm = DKIM_SIGN_UNKNOWN;
  (void)dkim_sig_getsignalg(signature, &algorithm);
  result.testing_key = (flags & DKIM_SIGFLAG_TESTKEY) != 0;
  result.key_bits = key_bits_of(signature, algorithm, flags);
  if (key_failure != nullptr) result.key_dnssec = key_failure->dnssec;
  if (fetched_key != nullptr) result.key_dnssec = fetched_key->dnssec;
  if (fetched_key != nullptr) {
    // libopendkim never saw this key: the record's flags and size are ours to report.
    result.testing_key = fetched_key->testing;
    // As libopendkim reported them: no size without a decoded key, and none for an Ed25519 key
    // it failed to decode (a record error still counts as processed: 256).
    const bool decoded = fetched_key->key != nullptr && fetched_key->key->usable();
    const bool undecodable = fetched_key->error == DKIM_SIGERROR_KEYDECODE ||
                             (fetched_key->error == DKIM_SIGERROR_OK && !decoded);
    if (algorithm != DKIM_SIGN_ED25519SHA256 || undecodable) {
      result.key_bits = decoded ? fetched_key->key->bits : 0;
    }
    // "No key" is our own answer; anything else (l= beyond the body) is libopendkim's verdict.
    if (state.error == DKIM_SIGERROR_NOKEY) state = check_signature(signature, *fetched_key);
  }

  Verdict verdict;
  if ((flags & DKIM_SIGFLAG_IGNORE) != 0) {
    verdict = {DkimCode::policy,
               "not verified: more than " + std::to_string(options.max_signatures) + " signatures"};
  } else if (key_failure != nullptr) {
    verdict = {key_failure->code, key_failure->reason};
  } else if (state.error == DKIM_SIGERROR_OK && state.passed &&
             state.body_hash == DKIM_SIGBH_MATCH) {
    verdict = rfc8301_verdict(algorithm, result.key_bits, options);
  } else {
    verdict = verdict_for_error(state);
  }
  result.code = verdict.code;
  result.reason = std::move(verdict.reason);
}

}  // namespace authmilter::dkim
