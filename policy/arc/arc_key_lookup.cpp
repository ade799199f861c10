#include "arc/arc_key_lookup.h"

#include "dkim/key_record.h"
#include "dkim/key_record_check.h"
#include "dkim/rsa_key_format.h"

namespace authmilter::arc {

namespace {

ArcKey failure(ArcKey::Status status, std::string reason) {
  ArcKey key;
  key.status = status;
  key.reason = std::move(reason);
  return key;
}

}  // namespace

ArcKey ArcKeyLookup::get(std::string_view selector, std::string_view domain, dkim_alg_t algorithm) {
  const std::string name = dkim::key_query_name(selector, domain);
  if (name.empty()) return failure(ArcKey::Status::fail, "invalid key name in s= or d=");
  auto cached = answers_.find(name);
  if (cached == answers_.end()) {
    cached = answers_.emplace(name, resolver_->lookup_txt(name)).first;
  }
  const dns::TxtAnswer& answer = cached->second;
  if (answer.temporary_failure()) {
    return failure(ArcKey::Status::temperror,
                   "key lookup for " + name + " failed (" + dns::to_string(answer.outcome) + ")");
  }
  if (!answer.ok() || answer.records.empty()) {
    return failure(ArcKey::Status::fail, "no key for " + name);
  }
  if (answer.records.size() > 1) {
    return failure(ArcKey::Status::fail, "several key records for " + name);
  }
  if (answer.truncated) return failure(ArcKey::Status::fail, "key record too long for " + name);
  const dkim::KeyRecordCheck check =
      dkim::check_key_record(dkim::normalize_key_record(answer.records.front()), algorithm);
  if (check.error != DKIM_SIGERROR_OK) {
    return failure(ArcKey::Status::fail,
                   std::string(check.error == DKIM_SIGERROR_KEYREVOKED ? "revoked" : "unusable") +
                       " key record at " + name);
  }
  ArcKey key;
  key.key = library_->key_cache().get(check.type, check.key_data);
  if (key.key == nullptr || !key.key->usable()) {
    return failure(ArcKey::Status::fail, "undecodable key at " + name);
  }
  key.bits = key.key->bits;
  key.dnssec = answer.dnssec_secure ? KeyDnssec::secure : KeyDnssec::unknown;
  if (check.type == dkim::KeyType::rsa && key.bits < library_->options().min_rsa_key_bits) {
    ArcKey short_key = failure(ArcKey::Status::fail, std::to_string(key.bits) + "-bit key at " +
                                                         name + " (RFC 8301: too short)");
    short_key.bits = key.bits;
    short_key.dnssec = key.dnssec;
    return short_key;
  }
  key.status = ArcKey::Status::ok;
  return key;
}

}  // namespace authmilter::arc
