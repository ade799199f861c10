#include "daemon/journal_stream.h"

#include <sys/stat.h>

#include <charconv>
#include <cstdint>
#include <string_view>

namespace authmilter::daemon {

namespace {

// One unsigned decimal number that fills `text` exactly.
bool parse_number(std::string_view text, std::uintmax_t& value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

bool is_journal_stream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  const std::string_view value(journal_stream);
  const auto colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  std::uintmax_t device = 0;
  std::uintmax_t inode = 0;
  if (!parse_number(value.substr(0, colon), device) ||
      !parse_number(value.substr(colon + 1), inode))
    return false;
  struct stat status {};
  if (fstat(fd, &status) != 0) return false;
  return static_cast<std::uintmax_t>(status.st_dev) == device &&
         static_cast<std::uintmax_t>(status.st_ino) == inode;
}

}  // namespace authmilter::daemon
