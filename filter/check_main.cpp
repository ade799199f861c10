// check_main.cpp - authmilter-check: try the daemon's verdict on a stored message, offline.
//
// Thin by design: parse the command line, then run_check() (check/run_check.h) does the work
// with the daemon's own Runtime and MessageEvaluation, so the two cannot disagree.
#include <sysexits.h>

#include <cstdio>
#include <cstdlib>

#include "check/check_options.h"
#include "check/run_check.h"
#include "check/run_history.h"
#include "check/run_probe.h"
#include "conf/config.h"

int main(int argc, char** argv) {
  using namespace authmilter;
  const auto options = check::parse_check_options(argc, argv, conf::kDefaultConfigPath);
  if (options.show_help) {
    std::fputs(check::check_usage_text(), stdout);
    return EXIT_SUCCESS;
  }
  if (!options.error.empty()) {
    std::fprintf(stderr, "authmilter-check: %s\n%s", options.error.c_str(),
                 check::check_usage_text());
    return EX_USAGE;
  }
  if (options.history) return check::run_history(options);
  if (!options.smtp_address.empty()) return check::run_probe(options);
  return check::run_check(options);
}
