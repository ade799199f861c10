// The replay decides like the daemon: every message kind of the decision table (decision.h) is
// run through MessageEvaluation (or, for ARC chains, run_dmarc_step) under a running policy and
// its report row is stored in a real SQLite store; read back read-only, the row is decided again
// under each candidate policy (every dmarc.reject mode x every kind of per-domain override x
// forwarders / dry run / trusted ARC sealers), and the result must equal what the daemon decides
// when it runs the same message with that candidate. Messages that get no row (no usable From,
// an ambiguous From, a DMARC temperror) must get none under the running policy either.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "dns/zone_resolver.h"
#include "evaluation/dmarc_step.h"
#include "evaluation/message_evaluation.h"
#include "evaluation/message_report_record.h"
#include "replay/recorded_decision.h"
#include "report/history_reader.h"
#include "report/record_store.h"

namespace authmilter::replay {
namespace {

using decision::Action;
using decision::DomainOverride;
using decision::LocalPolicy;
using decision::RejectMode;
using dmarc::Disposition;

std::string temp_dir() {
  char pattern[] = "/tmp/authmilter-replay-XXXXXX";
  const char* made = mkdtemp(pattern);
  return made == nullptr ? "/tmp" : made;
}

// Header fields as libmilter hands them (leading space kept), then an empty body.
void feed(evaluation::MessageEvaluation& message, const std::vector<std::string>& headers) {
  for (const auto& field : headers) {
    const auto colon = field.find(':');
    message.header(field.substr(0, colon), field.substr(colon + 1));
  }
  message.header("Subject", " hi");
  message.end_of_headers();
  const std::string body = "Hello.\r\n";
  message.body_chunk({body.data(), body.size()});
}

struct Message {
  const char* id;
  const char* client;
  const char* mail_from;
  std::vector<std::string> headers;
  bool recorded;  // a DMARC record applied and no tempfail: the daemon writes a row
};

// One message per kind of decision-table row the daemon can record, and the kinds it cannot.
const std::vector<Message>& messages() {
  static const std::vector<Message> kMessages = {
      {"pass_spf_aligned", "192.0.2.7", "bounce@reject.example", {"From: a@reject.example"}, true},
      {"fail_reject_plain", "203.0.113.5", "x@elsewhere.test", {"From: a@reject.example"}, true},
      {"fail_reject_list",
       "203.0.113.5",
       "x@elsewhere.test",
       {"List-Id: <talk.lists.example>", "From: a@reject.example"},
       true},
      {"fail_reject_forwarder_client",
       "198.51.100.7",
       "x@elsewhere.test",
       {"From: a@reject.example"},
       true},
      {"fail_reject_forwarder_spf_domain",
       "203.0.113.9",
       "x@forwarder.example",
       {"From: a@reject.example"},
       true},
      {"fail_quarantine", "203.0.113.5", "x@elsewhere.test", {"From: a@quarantine.example"}, true},
      {"fail_none", "203.0.113.5", "x@elsewhere.test", {"From: a@none.example"}, true},
      {"fail_testing_downgrade",
       "203.0.113.5",
       "x@elsewhere.test",
       {"From: a@testing.example"},
       true},
      {"sub_domain_sp", "203.0.113.5", "x@elsewhere.test", {"From: a@www.reject.example"}, true},
      {"author_fail_two_from",
       "203.0.113.5",
       "x@elsewhere.test",
       {"From: a@reject.example", "From: b@reject.example"},
       true},
      {"author_fail_two_domains",
       "203.0.113.5",
       "x@elsewhere.test",
       {"From: a@reject.example", "From: b@quarantine.example"},
       true},
      {"no_from", "203.0.113.5", "x@elsewhere.test", {}, false},
      {"unparsable_from", "203.0.113.5", "x@elsewhere.test", {"From: nobody"}, false},
      {"dmarc_temperror", "203.0.113.5", "x@elsewhere.test", {"From: a@broken.example"}, false},
      {"no_dmarc_record", "203.0.113.5", "x@elsewhere.test", {"From: a@norecord.example"}, false},
  };
  return kMessages;
}

// Every dmarc.reject mode x every kind of override x the other replayed settings.
std::vector<std::pair<std::string, LocalPolicy>> candidates() {
  const std::vector<std::pair<std::string, std::optional<DomainOverride>>> overrides = {
      {"no override", std::nullopt},
      {"override honor", DomainOverride{"reject.example", RejectMode::honor, std::nullopt}},
      {"override never", DomainOverride{"reject.example", RejectMode::never, std::nullopt}},
      {"override rfc9989", DomainOverride{"reject.example", RejectMode::rfc9989, std::nullopt}},
      {"override max none", DomainOverride{"reject.example", std::nullopt, Disposition::none}},
      {"override max quarantine",
       DomainOverride{"reject.example", std::nullopt, Disposition::quarantine}},
      {"override parent max none", DomainOverride{"example", std::nullopt, Disposition::none}},
  };
  std::vector<std::pair<std::string, LocalPolicy>> out;
  for (RejectMode mode : {RejectMode::rfc9989, RejectMode::honor, RejectMode::never})
    for (const auto& [override_name, rule] : overrides)
      for (int extra = 0; extra < 4; ++extra) {
        LocalPolicy policy;
        policy.multiple_from = dmarc::MultipleFromPolicy::fail;
        policy.reject = mode;
        if (rule) policy.overrides.push_back(*rule);
        std::string name = "mode " + std::to_string(static_cast<int>(mode)) + ", " + override_name;
        if (extra == 1) {
          policy.forwarders.networks.push_back(*net::CidrBlock::parse("198.51.100.0/24"));
          policy.forwarders.domains.push_back("forwarder.example");
          name += ", forwarders";
        } else if (extra == 2) {
          policy.dry_run = true;
          name += ", dry run";
        } else if (extra == 3) {
          policy.on_temperror = decision::TemperrorMode::tempfail;
          policy.trusted_arc_sealers = {"lists.example.net"};
          name += ", temperror tempfail, trusted sealer";
        }
        out.emplace_back(std::move(name), std::move(policy));
      }
  return out;
}

LocalPolicy running_policy() {
  LocalPolicy policy;
  policy.multiple_from = dmarc::MultipleFromPolicy::fail;
  return policy;
}

class ReplayEquivalenceTest : public ::testing::Test {
 protected:
  ReplayEquivalenceTest() : dir_(temp_dir()) {
    settings_.options.authserv_id = "mx.example.net";
    settings_.resolver = &zone_;
    auto library = dkim::DkimLibrary::create({});
    if (library.ok()) dkim_ = std::move(*library);
    settings_.dkim = dkim_.get();
    zone_.add_txt("_dmarc.reject.example", "v=DMARC1; p=reject; sp=quarantine");
    zone_.add_address("www.reject.example", *net::IpAddress::parse("192.0.2.80"));
    zone_.add_txt("reject.example", "v=spf1 ip4:192.0.2.0/24 -all");
    zone_.add_txt("forwarder.example", "v=spf1 ip4:203.0.113.9 -all");
    zone_.add_txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine");
    zone_.add_txt("_dmarc.none.example", "v=DMARC1; p=none");
    zone_.add_txt("_dmarc.testing.example", "v=DMARC1; p=reject; t=y");
    zone_.add_failure("_dmarc.broken.example", dns::RecordType::txt, dns::Outcome::servfail);
  }
  ~ReplayEquivalenceTest() override { std::filesystem::remove_all(dir_); }

  evaluation::MessageOutcome run(const Message& message, const LocalPolicy& policy) {
    settings_.options.local_policy = policy;
    evaluation::MessageEvaluation evaluation(
        settings_, {net::IpAddress::parse(message.client), "client", "client"},
        {message.mail_from, "", std::string("Q") + message.id, {"rcpt@example.net"}});
    evaluation.check_sender();
    feed(evaluation, message.headers);
    return evaluation.end_of_message();
  }

  // A new store file per round trip.
  std::string store_url() const {
    return "sqlite://" + dir_ + "/records" + std::to_string(stores_) + ".db";
  }

  // Stores the rows, then reads every one back through the read-only history reader.
  std::vector<report::ReportRecord> round_trip(const std::vector<report::ReportRecord>& rows) {
    ++stores_;
    {
      report::StoreOptions options;
      options.url = store_url();
      auto store = report::open_store(options);
      EXPECT_TRUE(store.ok()) << store.error();
      if (!store) return {};
      for (const auto& row : rows) EXPECT_TRUE((*store)->append(row).ok());
    }
    std::vector<report::ReportRecord> read;
    auto reader = report::open_history(store_url());
    EXPECT_TRUE(reader.ok()) << reader.error();
    if (!reader) return {};
    EXPECT_TRUE((*reader)
                    ->for_each_record({0, 1LL << 40},
                                      [&read](const report::ReportRecord& record) -> Status {
                                        read.push_back(record);
                                        return Ok{};
                                      })
                    .ok());
    return read;
  }

  std::string dir_;
  int stores_ = 0;
  dns::ZoneResolver zone_;
  std::unique_ptr<dkim::DkimLibrary> dkim_;
  evaluation::EvaluationSettings settings_;
};

TEST_F(ReplayEquivalenceTest, EveryRecordedMessageIsDecidedAsTheDaemonDecidesIt) {
  ASSERT_NE(dkim_, nullptr);
  std::vector<report::ReportRecord> rows;
  std::vector<const Message*> recorded;
  for (const auto& message : messages()) {
    const auto outcome = run(message, running_policy());
    EXPECT_EQ(outcome.report_row.has_value(), message.recorded)
        << message.id << ": " << outcome.log_summary;
    if (!outcome.report_row) continue;
    auto row = *outcome.report_row;
    row.time = static_cast<std::int64_t>(rows.size()) + 1;  // read back in this order
    rows.push_back(row);
    recorded.push_back(&message);
  }
  const auto read = round_trip(rows);
  ASSERT_EQ(read.size(), rows.size());
  int compared = 0;
  for (const auto& [name, candidate] : candidates()) {
    for (std::size_t i = 0; i < read.size(); ++i) {
      SCOPED_TRACE(std::string(recorded[i]->id) + " under " + name);
      ASSERT_TRUE(read[i].facts);
      EXPECT_EQ(read[i].facts, rows[i].facts);
      const auto live = run(*recorded[i], candidate);
      const auto replayed = replay_record(read[i], candidate);
      ASSERT_EQ(replayed.status, ReplayStatus::judged) << replayed.missing;
      EXPECT_EQ(replayed.replayed.action, live.decision().action) << live.log_summary;
      EXPECT_EQ(replayed.replayed.disposition, live.decision().disposition);
      EXPECT_EQ(replayed.replayed.overrides, live.decision().overrides);
      ++compared;
    }
  }
  // 11 recorded kinds x 84 candidates: the comparison above really ran.
  EXPECT_EQ(compared, 11 * 84);
}

// What the daemon recorded as applied is what the replay reads as "from".
TEST_F(ReplayEquivalenceTest, RecordedActionIsWhatTheMtaWasTold) {
  std::vector<report::ReportRecord> rows;
  for (const auto& message : messages()) {
    const auto outcome = run(message, running_policy());
    if (!outcome.report_row) continue;
    EXPECT_EQ(replay_record(*outcome.report_row, running_policy()).recorded,
              outcome.decision().action)
        << message.id;
  }
}

arc::ArcInstance sealed_by(unsigned i, const std::string& sealer, const std::string& aar) {
  arc::ArcInstance instance;
  instance.instance = i;
  instance.chain_validation = i == 1 ? "none" : "pass";
  instance.seal.domain = sealer;
  instance.seal.verified = true;
  instance.message.domain = sealer;
  instance.message.verified = true;
  instance.authentication_results = aar;
  return instance;
}

class ArcReplayTest : public ReplayEquivalenceTest {
 protected:
  // The daemon's path from the DMARC step on: run_dmarc_step, then make_report_record.
  evaluation::DmarcStep step(const arc::ArcResult& chain, const LocalPolicy& policy) {
    evaluation::DmarcStepInput input;
    input.from_values = {" <joe@reject.example>"};
    input.spf = &spf_;
    input.dkim = &dkim_results_;
    input.arc = &chain;
    input.client = net::IpAddress::parse("203.0.113.5");
    if (chain.code == arc::ArcCode::pass)
      input.signs.arc_pass_sealer = chain.instances.back().seal.domain;
    return evaluation::run_dmarc_step(input, zone_, options_, policy);
  }

  report::ReportRecord record(const arc::ArcResult& chain, const LocalPolicy& running) {
    const std::optional<evaluation::DmarcStep> recorded = step(chain, running);
    const std::vector<std::string> recipients = {"rcpt@example.net"};
    auto row =
        evaluation::make_report_record({1, net::IpAddress::parse("203.0.113.5"), "x@elsewhere.test",
                                        &recipients, &spf_, &dkim_results_, &recorded, "Q1"});
    EXPECT_TRUE(row);
    if (!row) return {};
    auto read = round_trip({*row});
    EXPECT_EQ(read.size(), 1u);
    return read.empty() ? report::ReportRecord{} : read.front();
  }

  dmarc::DmarcOptions options_;
  std::optional<spf::SpfResult> spf_;
  std::vector<dkim::DkimResult> dkim_results_;
};

TEST_F(ArcReplayTest, TrustedSealerListsAreReplayedLikeTheDaemonDecides) {
  arc::ArcResult chain;
  chain.code = arc::ArcCode::pass;
  chain.instances = {sealed_by(1, "mx.forwarder.example",
                               "mx.forwarder.example; dkim=pass header.d=reject.example"),
                     sealed_by(2, "lists.example.net",
                               "lists.example.net; spf=pass smtp.mailfrom=x@lists.example.net")};
  chain.oldest_pass = 1;
  const auto row = record(chain, running_policy());
  ASSERT_TRUE(row.facts);
  EXPECT_EQ(row.facts->arc_result, "pass");
  EXPECT_EQ(row.facts->arc_sealer, "lists.example.net");
  ASSERT_EQ(row.facts->arc_sealers.size(), 2u);
  EXPECT_EQ(row.facts->arc_sealers[1].evidence, "dkim=pass header.d=reject.example");
  int delivered = 0;
  for (const std::vector<std::string>& trusted :
       std::vector<std::vector<std::string>>{{},
                                             {"lists.example.net"},
                                             {"forwarder.example"},
                                             {"lists.example.net", "forwarder.example"},
                                             {"example.net", "mx.forwarder.example"}}) {
    for (RejectMode mode : {RejectMode::rfc9989, RejectMode::honor, RejectMode::never}) {
      LocalPolicy candidate = running_policy();
      candidate.reject = mode;
      candidate.trusted_arc_sealers = trusted;
      const auto live = step(chain, candidate).decision;
      const auto replayed = replay_record(row, candidate);
      ASSERT_EQ(replayed.status, ReplayStatus::judged) << replayed.missing;
      EXPECT_EQ(replayed.replayed.action, live.action);
      EXPECT_EQ(replayed.replayed.overrides, live.overrides);
      delivered += live.action == Action::deliver;
    }
  }
  EXPECT_EQ(delivered, 6);  // the two lists that trust both sealers, under every mode
}

// A chain deeper than the recorded instances: a candidate whose walk needs the unrecorded ones
// is "not judged", never guessed; recorded under a policy trusting them all, it is judged.
TEST_F(ArcReplayTest, AWalkPastTheRecordedInstancesIsNotJudged) {
  arc::ArcResult chain;
  chain.code = arc::ArcCode::pass;
  chain.instances.push_back(
      sealed_by(1, "lists.example.net", "lists.example.net; dkim=pass header.d=reject.example"));
  for (unsigned i = 2; i <= 10; ++i)
    chain.instances.push_back(sealed_by(i, "lists.example.net", "lists.example.net; dkim=fail"));
  chain.oldest_pass = 1;
  LocalPolicy candidate = running_policy();
  candidate.trusted_arc_sealers = {"lists.example.net"};
  ASSERT_EQ(step(chain, candidate).decision.action, Action::deliver);

  const auto partial = record(chain, running_policy());
  ASSERT_TRUE(partial.facts);
  EXPECT_EQ(partial.facts->arc_sealers.size(), evaluation::kRecordedArcSealers);
  const auto unknown = replay_record(partial, candidate);
  EXPECT_EQ(unknown.status, ReplayStatus::not_judged);
  EXPECT_NE(unknown.missing.find("ARC instances"), std::string::npos);

  const auto whole = record(chain, candidate);
  ASSERT_EQ(whole.facts->arc_sealers.size(), 10u);
  const auto judged = replay_record(whole, candidate);
  ASSERT_EQ(judged.status, ReplayStatus::judged);
  EXPECT_EQ(judged.replayed.action, Action::deliver);
}

}  // namespace
}  // namespace authmilter::replay
