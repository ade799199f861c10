// The ValiMail ARC validation suite (tests/data/arc/, draft-ietf-dmarc-arc-protocol-18) through
// ArcVerifier, every case in four chunk sizes. Cases where RFC 8617 decides differently from
// the suite (or where the suite expects no answer) are in kExpectedDifferences with the section
// that decides them; for those the RFC's answer is asserted, for all others the suite's.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "arc_test_support.h"
#include "dns/zone_resolver.h"

namespace authmilter::arc::testing {
namespace {

struct ExpectedDifference {
  const char* name;
  const char* rfc_code;  // what RFC 8617 says
  const char* why;
};

// The suite leaves `cv` empty where the newest or any seal says cv=fail (the draft had the
// validator stop without a verdict); RFC 8617 decides `fail` in both places.
constexpr ExpectedDifference kExpectedDifferences[] = {
    {"cv_fail_i1_as_cv_fail", "fail",
     "RFC 8617 §5.2 step 2: the highest instance's cv=fail makes the chain fail"},
    {"cv_fail_i2_as2_fail", "fail",
     "RFC 8617 §5.2 step 2: the highest instance's cv=fail makes the chain fail"},
    {"cv_fail_i2_as1_fail", "fail",
     "RFC 8617 §5.2 step 3.3: cv of i=1 must be none (and no seal may say fail)"},
    // The suite's signer hashed the headers relaxed although the AMS has no c=; the AMS has
    // DKIM-Signature semantics (RFC 8617 §4.1.2), so a missing c= means simple/simple (RFC 6376
    // §3.5) and the signature does not verify. (Draft 18 said the same; a suite defect.)
    {"ams_fields_c_na", "fail",
     "RFC 8617 §4.1.2 + RFC 6376 §3.5: no c= is simple/simple; the suite signed relaxed headers"},
};

const ExpectedDifference* difference_for(const std::string& name) {
  for (const ExpectedDifference& difference : kExpectedDifferences) {
    if (name == difference.name) return &difference;
  }
  return nullptr;
}

std::string lower_trimmed(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             text.end());
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

TEST(ArcValimailSuite, EveryCaseAccountedFor) {
  const auto library = make_library();
  ASSERT_NE(library, nullptr);
  const std::vector<YAML::Node> scenarios =
      YAML::LoadAllFromFile(data_path("arc-draft-validation-tests.yml"));
  SuiteScore score("arc-validation");
  std::set<std::string> seen;
  std::set<std::string> differences_seen;
  int cases = 0;
  for (const YAML::Node& scenario : scenarios) {
    dns::ZoneResolver zone;
    for (const auto& record : scenario["txt-records"]) {
      zone.add_txt(record.first.as<std::string>(), record.second.as<std::string>());
    }
    for (const auto& test : scenario["tests"]) {
      std::string name = test.first.as<std::string>();
      while (seen.count(name) != 0) name += "#2";  // four names occur twice upstream
      seen.insert(name);
      ++cases;
      const std::string message = test.second["message"].as<std::string>("");
      const std::string suite_cv = lower_trimmed(test.second["cv"].as<std::string>(""));
      const ExpectedDifference* difference = difference_for(name);
      const std::string expected = difference != nullptr ? difference->rfc_code : suite_cv;
      if (difference != nullptr) differences_seen.insert(name);
      std::string outcome;
      bool consistent = true;
      for (std::size_t chunk : kChunkSizes) {
        const ArcResult result = verify_message(*library, zone, message, chunk, kSuiteNow);
        const std::string described = describe(result);
        if (outcome.empty()) outcome = described;
        if (described != outcome) consistent = false;
      }
      const std::string code = outcome.substr(0, outcome.find(' '));
      if (std::getenv("AUTHMILTER_ARC_SUITE_VERBOSE") != nullptr) {
        std::printf("  %-32s suite=%-5s %s\n", name.c_str(), suite_cv.c_str(), outcome.c_str());
      }
      if (code == expected && consistent) {
        score.pass();
      } else {
        score.fail(name, "expected " + (expected.empty() ? std::string("(empty)") : expected) +
                             ", got " + outcome + (consistent ? "" : " (differs by chunk size)"));
      }
    }
  }
  score.print();
  std::printf("expected differences from the draft-18 suite (RFC 8617 decides):\n");
  for (const ExpectedDifference& difference : kExpectedDifferences) {
    std::printf("  %s -> %s: %s\n", difference.name, difference.rfc_code, difference.why);
  }
  EXPECT_EQ(cases, 175);
  EXPECT_EQ(differences_seen.size(), std::size(kExpectedDifferences));
  EXPECT_EQ(score.failed(), 0);
}

}  // namespace
}  // namespace authmilter::arc::testing
