// fo_trigger.cpp - fo= options against what happened; see fo_trigger.h.
#include "report/fo_trigger.h"

#include "common/ascii.h"

namespace authmilter::report {

namespace {

bool fires(char option, const AuthenticationFacts& facts) {
  switch (option) {
    case '0':
      return facts.dmarc_failed;
    case '1':
      return !facts.spf_aligned || !facts.dkim_aligned;
    case 'd':
      return facts.dkim_failed;
    case 's':
      return facts.spf_failed;
    default:
      return false;
  }
}

}  // namespace

std::string fired_fo_options(std::string_view fo, std::string_view honoured,
                             const AuthenticationFacts& facts) {
  std::string requested;  // the record's honoured options
  std::size_t start = 0;
  while (start <= fo.size()) {
    const auto end = std::min(fo.find(':', start), fo.size());
    const std::string_view option = trim_wsp(fo.substr(start, end - start));
    if (option.size() == 1 && honoured.find(option.front()) != std::string_view::npos)
      requested += option.front();
    start = end + 1;
  }
  if (requested.empty() && honoured.find('0') != std::string_view::npos) requested.push_back('0');
  std::string fired;
  for (const char option : std::string_view("01ds"))
    if (requested.find(option) != std::string::npos && fires(option, facts)) fired += option;
  return fired;
}

}  // namespace authmilter::report
