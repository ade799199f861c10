#include "dkim/verifier_callbacks.h"

#include <cctype>
#include <string>
#include <string_view>

#include "common/ascii.h"
#include "dkim/key_record.h"
#include "dkim/key_record_check.h"
#include "dkim/message_context.h"
#include "dkim/tag_list.h"

namespace authmilter::dkim {

namespace {

MessageContext* context_of(DKIM* dkim) {
  return static_cast<MessageContext*>(dkim_get_user_context(dkim));
}

std::string_view text_of(const unsigned char* value) {
  return value == nullptr ? std::string_view{} : reinterpret_cast<const char*>(value);
}

// RFC 6376 §3.5 q=: a colon-separated list; "dns/txt" is the only defined method and
// unrecognized methods are ignored. No usable method means no key can be fetched.
bool offers_dns_txt(std::string_view methods) {
  const std::string lowered = lower_ascii(strip_whitespace(methods));
  std::string_view rest = lowered;
  while (true) {
    const std::size_t colon = rest.find(':');
    if (rest.substr(0, colon) == "dns/txt") return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

DKIM_CBSTAT record_failure(MessageContext& context, const DKIM_SIGINFO* signature, DkimCode code,
                           std::string reason,
                           dns::DnssecStatus dnssec = dns::DnssecStatus::unvalidated) {
  context.key_failures[signature] = KeyFailure{code, std::move(reason), dnssec};
  return DKIM_CBSTAT_NOTFOUND;
}

FetchedKey key_for(MessageContext& context, DKIM_SIGINFO* signature, std::string_view record) {
  dkim_alg_t algorithm = DKIM_SIGN_UNKNOWN;
  (void)dkim_sig_getsignalg(signature, &algorithm);
  KeyRecordCheck check = check_key_record(record, algorithm);
  FetchedKey fetched;
  fetched.error = check.error;
  fetched.testing = check.testing;
  fetched.same_domain_only = check.same_domain_only;
  if (check.error == DKIM_SIGERROR_OK)
    fetched.key = context.key_cache->get(check.type, check.key_data);
  return fetched;
}

// max_record_length: libopendkim's buffer size, still the bound on a record (as before).
DKIM_CBSTAT fetch_key(MessageContext& context, DKIM_SIGINFO* signature,
                      std::size_t max_record_length) {
  static unsigned char query_tag[] = "q";
  const std::string_view methods = text_of(dkim_sig_gettagvalue(signature, false, query_tag));
  if (!methods.empty() && !offers_dns_txt(methods)) {
    return record_failure(context, signature, DkimCode::permerror, "unsupported query method q=");
  }
  const KeyFetch fetch =
      fetch_key_record(*context.resolver, text_of(dkim_sig_getselector(signature)),
                       text_of(dkim_sig_getdomain(signature)), max_record_length);
  if (!fetch.found)
    return record_failure(context, signature, fetch.code, fetch.reason, fetch.dnssec);
  FetchedKey& fetched = context.fetched_keys[signature];
  fetched = key_for(context, signature, fetch.record);
  fetched.dnssec = fetch.dnssec;
  // "Not found" keeps libopendkim from decoding the key; the verifier judges the signature
  // with this one after dkim_eom() (signature_check.h).
  return DKIM_CBSTAT_NOTFOUND;
}

}  // namespace

DKIM_CBSTAT lookup_key(DKIM* dkim, DKIM_SIGINFO* signature, unsigned char* buffer,
                       std::size_t buffer_length) noexcept {
  MessageContext* context = context_of(dkim);
  if (context == nullptr || buffer == nullptr || buffer_length < 2) return DKIM_CBSTAT_ERROR;
  try {
    return fetch_key(*context, signature, buffer_length - 1);
  } catch (...) {
    // Out of memory or a resolver bug: never a pass, and retrying later may succeed.
    try {
      return record_failure(*context, signature, DkimCode::temperror,
                            "internal error in key lookup");
    } catch (...) {
      return DKIM_CBSTAT_ERROR;
    }
  }
}

DKIM_CBSTAT prescreen_signatures(DKIM* dkim, DKIM_SIGINFO** signatures, int count) noexcept {
  const MessageContext* context = context_of(dkim);
  if (context == nullptr || signatures == nullptr) return DKIM_CBSTAT_ERROR;
  for (int i = 0; i < count; ++i) {
    if (static_cast<std::size_t>(i) >= context->options->max_signatures) {
      dkim_sig_ignore(signatures[i]);
    }
  }
  return DKIM_CBSTAT_CONTINUE;
}

}  // namespace authmilter::dkim
