#include "arc/arc_verifier.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "arc/arc_chain_structure.h"
#include "arc/arc_header_parse.h"
#include "arc/arc_header_store.h"
#include "arc/arc_key_lookup.h"
#include "arc/arc_signature_check.h"
#include "arc/body_hasher.h"
#include "dkim/line_endings.h"
#include "dkim/signature_crypto.h"

namespace authmilter::arc {

namespace {

// Every ARC field of a chain of kMaxArcInstances sets, with room for a few stray ones; more are
// not parsed (fail), so that a hostile header section cannot make finish() parse thousands.
constexpr std::size_t kMaxArcFields = 3 * kMaxArcInstances + 3;

std::string prefix(const char* what, unsigned instance) {
  return std::string(what) + " i=" + std::to_string(instance) + " ";
}

}  // namespace

struct ArcVerifier::State {
  State(const dkim::DkimLibrary& lib, dns::Resolver& dns, const ArcOptions& opts)
      : library(&lib),
        resolver(&dns),
        options(opts),
        store(lib.options().max_header_fields, lib.options().max_header_bytes,
              opts.max_header_length) {}

  const dkim::DkimLibrary* library;
  dns::Resolver* resolver;
  ArcOptions options;
  ArcHeaderStore store;
  bool headers_done = false;
  bool finished = false;
  dkim::BodyNormalizer normalizer;
  // Parsed at end of headers: every AMS by header index, and the hashers their bodies need.
  std::vector<std::pair<std::size_t, ArcMessageSignatureFields>> signatures;
  std::vector<BodyHasher> hashers;
  std::vector<std::optional<BodyDigest>> digests;

  void start_body();
  void feed(std::string_view normalized) {
    for (BodyHasher& hasher : hashers) hasher.update(normalized);
  }
  // The digest for this AMS's (c=, l=), or nullptr when it had no hasher (over the bound).
  const BodyDigest* body_digest(const ArcMessageSignatureFields& signature);
  ArcResult verify(std::time_t now);
};

void ArcVerifier::State::start_body() {
  headers_done = true;
  if (!store.any_arc_field() || store.overflowed()) return;
  for (std::size_t k = 0; k < store.fields().size(); ++k) {
    const StoredField& field = store.fields()[k];
    if (field.kind != ArcFieldKind::message_signature) continue;
    if (field.value.size() > options.max_header_length) continue;
    signatures.emplace_back(k, parse_arc_message_signature(field.value));
  }
  // Newest instances first: the bound on hashers then costs old instances, not the newest.
  std::vector<const ArcMessageSignatureFields*> order;
  for (const auto& [index, signature] : signatures) {
    if (signature.error.empty()) order.push_back(&signature);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->instance > b->instance; });
  for (const ArcMessageSignatureFields* signature : order) {
    const bool known = std::any_of(hashers.begin(), hashers.end(), [&](const BodyHasher& h) {
      return h.canonicalization() == signature->body_canonicalization &&
             h.length_limit() == signature->body_length;
    });
    if (known || hashers.size() >= options.max_body_hashes) continue;
    hashers.emplace_back(signature->body_canonicalization, signature->body_length);
  }
}

const BodyDigest* ArcVerifier::State::body_digest(const ArcMessageSignatureFields& signature) {
  for (std::size_t k = 0; k < hashers.size(); ++k) {
    if (hashers[k].canonicalization() != signature.body_canonicalization ||
        hashers[k].length_limit() != signature.body_length) {
      continue;
    }
    if (!digests[k]) digests[k] = hashers[k].finish();
    return &*digests[k];
  }
  return nullptr;
}

ArcResult ArcVerifier::State::verify(std::time_t now) {
  ArcResult result;
  if (!store.any_arc_field()) return result;  // none
  const std::vector<StoredField>& headers = store.fields();
  result.code = ArcCode::fail;
  if (!store.oversize_reason().empty()) {
    result.reason = store.oversize_reason();
    return result;
  }
  if (store.overflowed()) {
    result.reason = "header section over its bounds";
    return result;
  }
  // Collect the fields by kind (indexes into `headers`), then judge the structure.
  ArcFieldInstances instances;
  std::vector<std::size_t> by_kind[3];
  std::vector<ArcSealFields> seals;
  std::vector<ArcAuthenticationResultsFields> results;
  std::size_t arc_fields = 0;
  for (std::size_t k = 0; k < headers.size(); ++k) {
    if (!headers[k].kind) continue;
    if (++arc_fields > kMaxArcFields) {
      result.reason = "more than " + std::to_string(kMaxArcFields) + " ARC header fields";
      return result;
    }
    switch (*headers[k].kind) {
      case ArcFieldKind::seal:
        seals.push_back(parse_arc_seal(headers[k].value));
        instances.seals.push_back(seals.back().instance);
        instances.seal_cv.push_back(seals.back().chain_validation);
        by_kind[0].push_back(k);
        break;
      case ArcFieldKind::message_signature:
        instances.message_signatures.push_back(headers[k].instance);
        by_kind[1].push_back(k);
        break;
      case ArcFieldKind::authentication_results:
        results.push_back(parse_arc_authentication_results(headers[k].value));
        instances.authentication_results.push_back(results.back().instance);
        by_kind[2].push_back(k);
        break;
    }
  }
  const ChainStructure structure = check_chain_structure(instances);
  if (!structure.error.empty()) {
    result.reason = structure.error;
    return result;
  }
  const auto n = static_cast<unsigned>(structure.sets.size());
  // Header indexes of each set, and the facts the result reports.
  std::vector<ArcSetIndex> sets;
  for (unsigned i = 1; i <= n; ++i) {
    const ArcSetIndex& set = structure.sets[i - 1];
    sets.push_back(ArcSetIndex{by_kind[0][set.seal], by_kind[1][set.message_signature],
                               by_kind[2][set.authentication_results]});
    ArcInstance instance;
    instance.instance = i;
    const ArcSealFields& seal = seals[set.seal];
    instance.chain_validation = seal.chain_validation;
    instance.seal.domain = seal.domain;
    instance.seal.selector = seal.selector;
    instance.seal.algorithm = seal.algorithm;
    instance.authentication_results = results[set.authentication_results].payload;
    result.instances.push_back(std::move(instance));
  }
  // Every seal and AAR must be well-formed; so must the newest AMS (older ones only count for
  // oldest-pass).
  for (unsigned i = 1; i <= n; ++i) {
    const ArcSetIndex& set = structure.sets[i - 1];
    if (!seals[set.seal].error.empty()) {
      result.reason = prefix("seal", i) + seals[set.seal].error;
      return result;
    }
    if (!results[set.authentication_results].error.empty()) {
      result.reason = prefix("AAR", i) + results[set.authentication_results].error;
      return result;
    }
  }
  const auto signature_of = [&](unsigned i) -> const ArcMessageSignatureFields* {
    for (const auto& [index, signature] : signatures) {
      if (index == sets[i - 1].message_signature) return &signature;
    }
    return nullptr;
  };
  for (unsigned i = 1; i <= n; ++i) {
    if (const auto* signature = signature_of(i)) {
      result.instances[i - 1].message.domain = signature->domain;
      result.instances[i - 1].message.selector = signature->selector;
      result.instances[i - 1].message.algorithm = signature->algorithm;
    }
  }
  ArcKeyLookup keys(*library, *resolver);
  std::string temporary;  // the first temperror reason; the chain is temperror unless it fails
  const auto time_error = [&](const ArcSignatureFields& fields) -> std::string {
    if (fields.timestamp && *fields.timestamp > now + options.clock_skew_seconds) {
      return "t= in the future";
    }
    if (fields.expiration && *fields.expiration < now) return "expired (x=)";
    if (fields.timestamp && fields.expiration && *fields.expiration < *fields.timestamp) {
      return "x= before t=";
    }
    return {};
  };
  // AMS(i): ok, fail (reason) or temperror (reason).
  const auto check_message_signature = [&](unsigned i, std::string& reason) -> ArcKey::Status {
    const ArcMessageSignatureFields* signature = signature_of(i);
    if (signature == nullptr) {
      reason = prefix("AMS", i) + "unreadable";
      return ArcKey::Status::fail;
    }
    if (!signature->error.empty()) {
      reason = prefix("AMS", i) + signature->error;
      return ArcKey::Status::fail;
    }
    if (const std::string error = time_error(*signature); !error.empty()) {
      reason = prefix("AMS", i) + error;
      return ArcKey::Status::fail;
    }
    if (const auto algorithm = signature_algorithm(signature->algorithm); !algorithm) {
      reason = prefix("AMS", i) + algorithm.error();
      return ArcKey::Status::fail;
    }
    const BodyDigest* body = body_digest(*signature);
    if (body == nullptr) {
      reason = prefix("AMS", i) + "not verified (body hash bound)";
      return ArcKey::Status::fail;
    }
    if (body->shorter_than_limit) {
      reason = prefix("AMS", i) + "l= longer than the body";
      return ArcKey::Status::fail;
    }
    if (!dkim::body_hash_matches(body->digest, signature->body_hash)) {
      reason = prefix("AMS", i) + "body hash mismatch";
      return ArcKey::Status::fail;
    }
    const std::string input =
        message_signature_input(headers, sets[i - 1].message_signature, *signature);
    const SignatureCheck check =
        check_signature(keys, *signature, input, result.instances[i - 1].message);
    if (check.status != ArcKey::Status::ok) reason = prefix("AMS", i) + check.reason;
    return check.status;
  };
  // Step 4: the newest AMS.
  std::string reason;
  const ArcKey::Status newest = check_message_signature(n, reason);
  if (newest == ArcKey::Status::fail) {
    result.reason = reason;
    return result;
  }
  if (newest == ArcKey::Status::temperror) temporary = reason;
  // Step 5: oldest-pass, walking down while older AMSes verify.
  if (newest == ArcKey::Status::ok) {
    result.oldest_pass = n;
    for (unsigned i = n - 1; i >= 1; --i) {
      std::string ignored;
      if (check_message_signature(i, ignored) != ArcKey::Status::ok) break;
      result.oldest_pass = i;
    }
  }
  // Step 6: every seal, newest first.
  for (unsigned i = n; i >= 1; --i) {
    const ArcSealFields& seal = seals[structure.sets[i - 1].seal];
    if (const std::string error = time_error(seal); !error.empty()) {
      result.reason = prefix("seal", i) + error;
      return result;
    }
    const SignatureCheck check =
        check_signature(keys, seal, seal_input(headers, sets, i), result.instances[i - 1].seal);
    if (check.status == ArcKey::Status::fail) {
      result.reason = prefix("seal", i) + check.reason;
      return result;
    }
    if (check.status == ArcKey::Status::temperror && temporary.empty()) {
      temporary = prefix("seal", i) + check.reason;
    }
  }
  if (!temporary.empty()) {
    result.code = ArcCode::temperror;
    result.oldest_pass = 0;
    result.reason = temporary;
    return result;
  }
  result.code = ArcCode::pass;
  return result;
}

ArcVerifier::ArcVerifier(const dkim::DkimLibrary& library, dns::Resolver& resolver,
                         const ArcOptions& options)
    : state_(std::make_unique<State>(library, resolver, options)) {}

ArcVerifier::~ArcVerifier() = default;
ArcVerifier::ArcVerifier(ArcVerifier&&) noexcept = default;
ArcVerifier& ArcVerifier::operator=(ArcVerifier&&) noexcept = default;

void ArcVerifier::add_header(std::string_view name, std::string_view raw_value) {
  if (state_ == nullptr || state_->headers_done) return;
  state_->store.add(name, raw_value);
}

void ArcVerifier::end_of_headers() {
  if (state_ == nullptr || state_->headers_done) return;
  state_->start_body();
  state_->digests.assign(state_->hashers.size(), std::nullopt);
}

void ArcVerifier::add_body(std::span<const char> chunk) {
  if (state_ == nullptr || state_->finished) return;
  if (!state_->headers_done) end_of_headers();
  if (state_->hashers.empty()) return;
  state_->feed(state_->normalizer.feed(chunk));
}

ArcResult ArcVerifier::finish(std::time_t now) {
  if (state_ == nullptr || state_->finished) {
    ArcResult result;
    result.code = ArcCode::fail;
    result.reason = "verifier already finished";
    return result;
  }
  if (!state_->headers_done) end_of_headers();
  if (!state_->hashers.empty()) state_->feed(state_->normalizer.flush());
  state_->finished = true;
  return state_->verify(now);
}

}  // namespace authmilter::arc
