// org_domain.h - Organizational Domains: the interface alignment uses, and the RFC 7489 one.
//
// OrgDomainFinder::find() maps a normalised domain to its Organizational Domain, or reports a
// temporary failure (a DNS error during an RFC 9989 tree walk). Two implementations:
//   PublicSuffixList (here)  - RFC 7489 §3.2: the registrable domain under the Public Suffix
//                              List, via libpsl; a name that is itself a public suffix is its
//                              own Organizational Domain (so "net" aligns only with "net").
//   TreeWalkOrgDomainFinder  - RFC 9989 §4.10.2, in tree_walk.h.
// PublicSuffixList is immutable after load() and safe to share between threads (libpsl look-ups
// are read-only). load_shared_public_suffix_list() caches one instance per path per process.
#pragma once

#include <libpsl.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/c_handle.h"
#include "common/result.h"

namespace authmilter::dmarc {

// Debian's publicsuffix package; libpsl also reads the .dafsa next to it.
inline constexpr const char* kDefaultPslPath = "/usr/share/publicsuffix/public_suffix_list.dat";

struct OrgDomainAnswer {
  bool temporary_failure = false;
  std::string domain;  // empty when temporary_failure
  std::string reason;
};

class OrgDomainFinder {
 public:
  virtual ~OrgDomainFinder() = default;
  virtual OrgDomainAnswer find(std::string_view domain) = 0;
};

class PublicSuffixList {
 public:
  // load - read a PSL file (.dat text or libpsl .dafsa); an empty path means kDefaultPslPath.
  static Result<PublicSuffixList> load(const std::string& path);

  // registrable_domain - public suffix + one label, "" when `domain` has none (it is itself a
  // public suffix, or empty). Input: lower-case UTF-8 or A-labels, no trailing dot.
  std::string registrable_domain(std::string_view domain) const;
  bool is_public_suffix(std::string_view domain) const;
  // org_domain - registrable_domain(), or the domain itself when that is empty.
  std::string org_domain(std::string_view domain) const;

 private:
  using PslHandle = CHandle<psl_ctx_t, psl_free>;
  explicit PublicSuffixList(PslHandle ctx) : ctx_(std::move(ctx)) {}
  PslHandle ctx_;
};

// load_shared_public_suffix_list - load() once per path, shared by every caller.
Result<std::shared_ptr<const PublicSuffixList>> load_shared_public_suffix_list(
    const std::string& path);

class PslOrgDomainFinder : public OrgDomainFinder {
 public:
  explicit PslOrgDomainFinder(const PublicSuffixList& psl) : psl_(psl) {}
  OrgDomainAnswer find(std::string_view domain) override;

 private:
  const PublicSuffixList& psl_;
};

}  // namespace authmilter::dmarc
