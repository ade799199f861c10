// history_time.cpp - see history_time.h.
#include "check/history_time.h"

#include <charconv>
#include <ctime>

namespace authmilter::check {

namespace {

constexpr std::int64_t kMaxAgeSeconds = 100LL * 366 * 86400;

std::optional<std::int64_t> number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<std::int64_t> utc_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = number(text.substr(0, 4));
  const auto month = number(text.substr(5, 2));
  const auto day = number(text.substr(8, 2));
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1 || *day > 31)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_mon = static_cast<int>(*month) - 1;
  tm.tm_mday = static_cast<int>(*day);
  const std::int64_t seconds = timegm(&tm);
  // timegm normalises 2026-02-31 to March: such a date does not exist.
  if (tm.tm_mday != static_cast<int>(*day) || tm.tm_mon != static_cast<int>(*month) - 1)
    return std::nullopt;
  return seconds;
}

std::optional<std::int64_t> age(std::string_view text, std::int64_t now) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 'd':
      unit = 86400;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'm':
      unit = 60;
      break;
    default:
      return std::nullopt;
  }
  const auto count = number(text.substr(0, text.size() - 1));
  if (!count || *count > kMaxAgeSeconds / unit) return std::nullopt;
  return now - *count * unit;
}

}  // namespace

std::optional<std::int64_t> parse_history_time(std::string_view text, std::int64_t now) {
  if (auto seconds = number(text)) return seconds;
  if (auto date = utc_date(text)) return date;
  return age(text, now);
}

}  // namespace authmilter::check
