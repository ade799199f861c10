#include "dmarc/org_domain.h"

#include <map>
#include <mutex>

namespace authmilter::dmarc {

Result<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  const std::string file = path.empty() ? std::string(kDefaultPslPath) : path;
  PslHandle ctx(psl_load_file(file.c_str()));
  if (!ctx) return Error{"cannot load public suffix list " + file};
  return PublicSuffixList(std::move(ctx));
}

std::string PublicSuffixList::registrable_domain(std::string_view domain) const {
  if (domain.empty()) return "";
  const std::string name(domain);
  const char* registrable = psl_registrable_domain(ctx_.get(), name.c_str());
  return registrable != nullptr ? std::string(registrable) : std::string();
}

bool PublicSuffixList::is_public_suffix(std::string_view domain) const {
  const std::string name(domain);
  return psl_is_public_suffix(ctx_.get(), name.c_str()) != 0;
}

std::string PublicSuffixList::org_domain(std::string_view domain) const {
  auto registrable = registrable_domain(domain);
  return registrable.empty() ? std::string(domain) : registrable;
}

Result<std::shared_ptr<const PublicSuffixList>> load_shared_public_suffix_list(
    const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const PublicSuffixList>> loaded;
  std::lock_guard lock(mutex);
  if (auto it = loaded.find(path); it != loaded.end()) return it->second;
  auto list = PublicSuffixList::load(path);
  if (!list) return Error{list.error()};
  auto shared = std::make_shared<const PublicSuffixList>(std::move(*list));
  loaded.emplace(path, shared);
  return shared;
}

OrgDomainAnswer PslOrgDomainFinder::find(std::string_view domain) {
  OrgDomainAnswer answer;
  answer.domain = psl_.org_domain(domain);
  return answer;
}

}  // namespace authmilter::dmarc
