#include "dkim/dkim_verifier.h"

#include <cctype>
#include <string>

#include "common/ascii.h"
#include "dkim/dkim_handles.h"
#include "dkim/line_endings.h"
#include "dkim/message_context.h"
#include "dkim/signature_facts.h"
#include "dkim/signature_field.h"
#include "dkim/signature_outcome.h"

namespace authmilter::dkim {

namespace {

// libopendkim keeps this pointer for the life of the handle and prints it in its own logs.
const unsigned char kJobId[] = "authmilter";

enum class Stage { headers, body, finished };

struct SignatureHeader {
  SignatureFacts facts;
  bool fed = false;  // handed to libopendkim, so it has an entry in the signature list
  bool syntax_ok = false;
  bool beyond_limit = false;  // after max_signatures fed ones: listed, never verified
  std::string rejection;      // why it was not fed
};

// Statuses that mean libopendkim itself broke, not that the message is bad.
bool is_internal_failure(DKIM_STAT status) {
  return status == DKIM_STAT_NORESOURCE || status == DKIM_STAT_INTERNAL ||
         status == DKIM_STAT_INVALID || status == DKIM_STAT_CBERROR ||
         status == DKIM_STAT_CBINVALID || status == DKIM_STAT_CBTRYAGAIN ||
         status == DKIM_STAT_CBREJECT;
}

}  // namespace

struct DkimVerifier::State {
  const DkimLibrary* library = nullptr;
  MessageContext context;
  DkimHandle dkim;
  Stage stage = Stage::headers;
  bool body_active = false;
  bool header_overflow = false;
  std::size_t header_fields = 0;
  std::size_t header_bytes = 0;
  std::size_t signatures_fed = 0;
  std::string failure;  // set when the verifier itself failed: every signature is temperror
  std::vector<SignatureHeader> signatures;
  BodyNormalizer body;

  void note_status(DKIM_STAT status, std::string_view where) {
    if (is_internal_failure(status) && failure.empty()) {
      const char* text = dkim_getresultstr(status);
      failure = std::string("verifier error in ") + std::string(where) + ": " +
                (text != nullptr ? text : "unknown");
    }
  }
  bool usable() const { return dkim != nullptr && failure.empty() && !header_overflow; }
  void feed_body(const std::string& bytes);
  std::vector<DkimResult> collect_results();
};

DkimVerifier::DkimVerifier(const DkimLibrary& library, dns::Resolver& resolver)
    : state_(std::make_unique<State>()) {
  state_->library = &library;
  state_->context.options = &library.options();
  state_->context.resolver = &resolver;
  state_->context.key_cache = &library.key_cache();
  DKIM_STAT status = DKIM_STAT_OK;
  state_->dkim.reset(dkim_verify(library.handle(), kJobId, nullptr, &status));
  if (state_->dkim == nullptr) {
    state_->failure = "verifier error: dkim_verify failed";
    return;
  }
  dkim_set_user_context(state_->dkim.get(), &state_->context);
}

DkimVerifier::~DkimVerifier() = default;
DkimVerifier::DkimVerifier(DkimVerifier&&) noexcept = default;
DkimVerifier& DkimVerifier::operator=(DkimVerifier&&) noexcept = default;

void DkimVerifier::add_header(std::string_view name, std::string_view raw_value) {
  State& s = *state_;
  if (s.stage != Stage::headers) return;
  const bool signature = is_signature_field(name);
  s.header_bytes += name.size() + raw_value.size();
  const DkimOptions& options = s.library->options();
  if (++s.header_fields > options.max_header_fields || s.header_bytes > options.max_header_bytes) {
    s.header_overflow = true;  // nothing more is hashed; signatures are still listed (bounded)
  }
  if (s.header_overflow && (!signature || s.signatures.size() >= options.max_header_fields)) return;
  std::string value = crlf_header_value(raw_value);
  if (signature) {
    SignatureHeader header{.facts = read_signature_facts(value), .rejection = {}};
    if (value.size() > options.max_signature_header_length) {
      // Not parsed by libopendkim at all: bounded work for a hostile field.
      header.rejection = "signature header field too long";
      s.signatures.push_back(std::move(header));
      return;
    }
    if (s.signatures_fed >= options.max_signatures) {
      // Kept from libopendkim: it sets up hashing for every signature it is given, ignored or
      // not, so a thousand signatures with distinct l= would each hash the whole body. (A fed
      // signature whose h= covers such a field then fails; only past the bound.)
      header.beyond_limit = true;
      s.signatures.push_back(std::move(header));
      return;
    }
    s.signatures.push_back(std::move(header));
  }
  if (!s.usable()) return;
  std::string field = std::string(name) + ":" + value;
  const DKIM_STAT status =
      dkim_header(s.dkim.get(), reinterpret_cast<unsigned char*>(field.data()), field.size());
  if (signature) {
    SignatureHeader& header = s.signatures.back();
    header.fed = true;
    ++s.signatures_fed;
    header.syntax_ok = status == DKIM_STAT_OK && header.facts.well_formed;
  }
  s.note_status(status == DKIM_STAT_SYNTAX ? DKIM_STAT_OK : status, "header");
}

void DkimVerifier::end_of_headers() {
  State& s = *state_;
  if (s.stage != Stage::headers) return;
  s.stage = Stage::body;
  if (!s.usable()) return;
  const DKIM_STAT status = dkim_eoh(s.dkim.get());
  s.body_active = status == DKIM_STAT_OK;
  // NOSIG: unsigned, or every signature ignored; SYNTAX: no usable From (libopendkim carries on
  // with BADSIGHANDLES). Neither is an error of ours.
  s.note_status(status, "end of headers");
}

void DkimVerifier::State::feed_body(const std::string& bytes) {
  if (bytes.empty() || !body_active || !usable()) return;
  std::string copy = bytes;  // dkim_body takes a non-const pointer
  note_status(dkim_body(dkim.get(), reinterpret_cast<unsigned char*>(copy.data()), copy.size()),
              "body");
}

void DkimVerifier::add_body(std::span<const char> chunk) {
  State& s = *state_;
  if (s.stage == Stage::headers) end_of_headers();
  if (s.stage != Stage::body || !s.body_active) return;
  s.feed_body(s.body.feed(chunk));
}

std::vector<DkimResult> DkimVerifier::finish() {
  State& s = *state_;
  if (s.stage == Stage::finished) return {};
  if (s.stage == Stage::headers) end_of_headers();
  s.stage = Stage::finished;
  if (s.body_active && s.usable()) {
    s.feed_body(s.body.flush());
    // The overall status summarises one signature only; each one is classified below.
    s.note_status(dkim_eom(s.dkim.get(), nullptr), "end of message");
  }
  return s.collect_results();
}

namespace {

DkimResult reported_fields(const SignatureFacts& facts) {
  DkimResult result;
  result.domain = facts.domain;
  result.identity = facts.identity;
  result.selector = facts.selector;
  result.algorithm = facts.algorithm;
  result.body_length = facts.body_length;
  return result;
}

void set_outcome(DkimResult& result, DkimCode code, std::string reason) {
  result.code = code;
  result.reason = std::move(reason);
}

// Our list and libopendkim's are paired by position; a verdict is only credited to the field it
// belongs to if d= and s= agree, so a shift could never lend one signer's pass to another.
bool same_signature(DKIM_SIGINFO* signature, const SignatureFacts& facts) {
  const auto* domain = reinterpret_cast<const char*>(dkim_sig_getdomain(signature));
  const auto* selector = reinterpret_cast<const char*>(dkim_sig_getselector(signature));
  if (domain == nullptr || selector == nullptr)
    return facts.domain.empty() || facts.selector.empty();
  return equal_ignoring_case(domain, facts.domain) && equal_ignoring_case(selector, facts.selector);
}

}  // namespace

std::vector<DkimResult> DkimVerifier::State::collect_results() {
  DKIM_SIGINFO** list = nullptr;
  int count = 0;
  if (usable() && dkim_getsiglist(dkim.get(), &list, &count) != DKIM_STAT_OK) count = 0;
  std::vector<DkimResult> results;
  std::vector<std::string> signature_values;
  std::size_t next = 0;
  for (const SignatureHeader& header : signatures) {
    DkimResult result = reported_fields(header.facts);
    if (header_overflow) {
      set_outcome(result, DkimCode::permerror, "header section too large");
    } else if (!failure.empty()) {
      set_outcome(result, DkimCode::temperror, failure);
    } else if (header.beyond_limit) {
      set_outcome(result, DkimCode::policy,
                  "not verified: more than " + std::to_string(library->options().max_signatures) +
                      " signatures");
    } else if (!header.fed) {
      set_outcome(result, DkimCode::permerror, header.rejection);
    } else if (list == nullptr || next >= static_cast<std::size_t>(count)) {
      set_outcome(result, DkimCode::neutral, "signature not evaluated");
    } else {
      DKIM_SIGINFO* signature = list[next++];
      const auto key_failure = context.key_failures.find(signature);
      const bool key_failed = key_failure != context.key_failures.end();
      const auto fetched_key = context.fetched_keys.find(signature);
      classify_signature(signature, key_failed ? &key_failure->second : nullptr,
                         fetched_key != context.fetched_keys.end() ? &fetched_key->second : nullptr,
                         library->options(), result);
      if (!same_signature(signature, header.facts)) {
        set_outcome(result, DkimCode::neutral, "signature not evaluated (lists out of step)");
      }
      // RFC 6376 §3.2/§6.1.1: a malformed tag list makes the signature unusable, whatever
      // libopendkim made of the parts it could read.
      if (!header.syntax_ok && (result.code != DkimCode::permerror || key_failed)) {
        set_outcome(result, DkimCode::permerror, "signature syntax error");
      }
    }
    results.push_back(std::move(result));
    signature_values.push_back(header.facts.signature);
  }
  const std::vector<std::string> prefixes = signature_prefixes(signature_values);
  for (std::size_t i = 0; i < results.size(); ++i) results[i].signature_prefix = prefixes[i];
  return results;
}

}  // namespace authmilter::dkim
