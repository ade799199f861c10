// milter_fixture.h - drives whole SMTP transactions through the milter stages (milter_stages.h)
// with a RecordingMilterContext, an in-memory zone and a RecordingStore, as libmilter would.
//
// A test adjusts config() and policy() (and the zone) before the first run(); start() builds
// and installs the Runtime the stages take at negotiation. run() plays negotiate (every action
// and step offered unless said otherwise), connect, HELO, MAIL, RCPT*, headers, EOH, body and
// end of message, keeping each stage's status; calls() is the ordered log of replies, header
// edits and store writes. The zone:
//   pass.example        SPF: 192.0.2.0/24   DMARC p=reject
//   reject.example      SPF: -all           DMARC p=reject
//   quarantine.example  SPF: -all           DMARC p=quarantine
// and the client is 192.0.2.10, so mail from and by pass.example passes.
#pragma once

#include <gtest/gtest.h>
#include <libmilter/mfapi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/runtime.h"
#include "dns/zone_resolver.h"
#include "milter_call_log.h"
#include "recording_milter_context.h"
#include "recording_store.h"

namespace authmilter::daemon::testing {

inline constexpr const char* kAuthservId = "mx.example.net";
inline constexpr const char* kQueueId = "4ABC123";

struct TestTransaction {
  std::string client = "192.0.2.10";
  std::string mail_from = "<alice@pass.example>";
  std::vector<std::string> recipients = {"<bob@example.net>"};
  // Field values as written after the colon; run() hands them over as libmilter does.
  std::vector<std::pair<std::string, std::string>> headers = {
      {"From", "Alice <alice@pass.example>"}, {"To", "<bob@example.net>"}, {"Subject", "hi"}};
  std::string body = "Hello.\r\n";
  std::string authenticated_user;  // {auth_authen}; empty = not authenticated
};

// Each stage's status, in order, for the stages before end of message.
struct StageStatuses {
  sfsistat negotiate = SMFIS_CONTINUE;
  sfsistat connect = SMFIS_CONTINUE;
  sfsistat helo = SMFIS_CONTINUE;
  sfsistat envfrom = SMFIS_CONTINUE;
  std::vector<sfsistat> envrcpt;
  std::vector<sfsistat> header;
  sfsistat end_of_headers = SMFIS_CONTINUE;
  sfsistat body = SMFIS_CONTINUE;
  sfsistat end_of_message = SMFIS_CONTINUE;
};

class MilterFixture : public ::testing::Test {
 protected:
  MilterFixture();
  ~MilterFixture() override;

  conf::Config& config() { return config_; }
  decision::LocalPolicy& policy() { return config_.evaluation.local_policy; }
  dns::ZoneResolver& zone() { return zone_; }
  RecordingMilterContext& context() { return context_; }
  RecordingStore& store() { return *store_; }
  const MilterCallLog& calls() const { return calls_; }

  // Builds the Runtime from config() and installs it; run() does so on its first call.
  void start();
  // One connection with one transaction (a previous run's connection is closed first); every stage
  // up to end of message unless one refuses (a refused RCPT: no DATA, end of message not run, its
  // status left SMFIS_CONTINUE).
  StageStatuses run(const TestTransaction& transaction, unsigned long offered_steps = kAllSteps);
  // The Authentication-Results value we inserted, or "" when none was.
  std::string inserted_authentication_results() const;

  static constexpr unsigned long kAllSteps =
      SMFIP_HDR_LEADSPC | SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
      SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NODATA | SMFIP_NOUNKNOWN;
  static constexpr unsigned long kAllActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE |
                                               SMFIF_CHGBODY | SMFIF_ADDRCPT | SMFIF_DELRCPT;

 private:
  conf::Config config_;
  dns::ZoneResolver zone_;
  MilterCallLog calls_;
  RecordingMilterContext context_{calls_};
  std::unique_ptr<RecordingStore> unstarted_store_;  // until start() hands it to the Runtime
  RecordingStore* store_ = nullptr;
  bool started_ = false;
};

}  // namespace authmilter::daemon::testing
