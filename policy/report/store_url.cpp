#include "report/store_url.h"

#include <string_view>

namespace authmilter::report {

Result<StoreLocation> parse_store_url(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty() || path.front() != '/')
      return Error{"store: '" + url + "': expected sqlite:///absolute/path"};
    return StoreLocation{.kind = StoreLocation::Kind::sqlite, .target = std::move(path)};
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return StoreLocation{.kind = StoreLocation::Kind::postgresql, .target = url};
  return Error{"store: '" + url + "': expected a sqlite:/// or postgresql:// URL"};
}

}  // namespace authmilter::report
