// The per-message DNS budget as MessageEvaluation wires it: SPF, DKIM and DMARC lookups share
// one budget per message; once it is spent they answer temperror, and the outcome (and its log
// line) says so. Also the note for an answer cut at a size bound.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dns/zone_resolver.h"
#include "evaluation/message_evaluation.h"

namespace authmilter::evaluation {
namespace {

using std::chrono::milliseconds;

// Zone data served after `delay` of real time, or a timeout at the deadline if that is sooner
// (as UnboundResolver does).
class SlowZone : public dns::ZoneResolver {
 public:
  explicit SlowZone(milliseconds delay) : delay_(delay) {}

  dns::TxtAnswer lookup_txt_until(std::string_view name, dns::Deadline deadline) override {
    return late(deadline) ? timed_out<dns::TxtAnswer>() : lookup_txt(name);
  }
  dns::AddressAnswer lookup_addresses_until(std::string_view name, net::IpFamily family,
                                            dns::Deadline deadline) override {
    return late(deadline) ? timed_out<dns::AddressAnswer>() : lookup_addresses(name, family);
  }
  dns::MxAnswer lookup_mx_until(std::string_view name, dns::Deadline deadline) override {
    return late(deadline) ? timed_out<dns::MxAnswer>() : lookup_mx(name);
  }
  dns::NameAnswer lookup_ptr_until(const net::IpAddress& address, dns::Deadline deadline) override {
    return late(deadline) ? timed_out<dns::NameAnswer>() : lookup_ptr(address);
  }

 private:
  bool late(dns::Deadline deadline) const {
    const auto ready = std::chrono::steady_clock::now() + delay_;
    std::this_thread::sleep_until(std::min(ready, deadline));
    return deadline < ready;
  }
  template <class AnswerType>
  static AnswerType timed_out() {
    AnswerType answer;
    answer.outcome = dns::Outcome::timeout;
    return answer;
  }

  milliseconds delay_;
};

class DnsBudgetTest : public ::testing::Test {
 protected:
  DnsBudgetTest() {
    settings_.options.authserv_id = "mx.example.net";
    zone_.add_txt("example.org", "v=spf1 a:a.example.org a:b.example.org -all");
    zone_.add_address("a.example.org", *net::IpAddress::parse("198.51.100.1"));
    zone_.add_address("b.example.org", *net::IpAddress::parse("192.0.2.1"));
    zone_.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
    settings_.resolver = &zone_;
  }

  MessageOutcome run() {
    ConnectionFacts connection{net::IpAddress::parse("192.0.2.1"), "client.example", "client"};
    MessageEvaluation message(settings_, connection, Envelope{"sender@example.org", "", "", {}});
    message.check_sender();
    spf_ = message.spf_mail_from();
    message.header("From", "a@example.org");
    message.end_of_headers();
    return message.end_of_message();
  }

  SlowZone zone_{milliseconds(60)};
  EvaluationSettings settings_;
  std::optional<spf::SpfResult> spf_;
};

TEST_F(DnsBudgetTest, WithinTheBudgetEverythingIsAnswered) {
  settings_.dns_message_budget = milliseconds(2000);  // 4 lookups x 60 ms
  const MessageOutcome outcome = run();
  ASSERT_TRUE(spf_);
  EXPECT_EQ(spf_->code, spf::SpfCode::pass) << spf_->reason;
  ASSERT_TRUE(outcome.dmarc && outcome.dmarc->result);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::pass);
  EXPECT_FALSE(outcome.dns_budget_spent);
  EXPECT_EQ(outcome.log_summary.find("DNS budget"), std::string::npos) << outcome.log_summary;
}

TEST_F(DnsBudgetTest, SpentBudgetMakesSpfAndDmarcTemperrorAndIsLoggedOnce) {
  settings_.dns_message_budget = milliseconds(90);  // the SPF TXT fits, the first a: is cut
  const auto started = std::chrono::steady_clock::now();
  const MessageOutcome outcome = run();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(spf_);
  EXPECT_EQ(spf_->code, spf::SpfCode::temperror) << spf_->reason;  // never pass
  ASSERT_TRUE(outcome.dmarc && outcome.dmarc->result);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::temperror);  // reserve too short
  EXPECT_TRUE(outcome.dns_budget_spent);
  const std::string& line = outcome.log_summary;
  EXPECT_NE(line.find("DNS budget of 90 ms spent"), std::string::npos) << line;
  EXPECT_EQ(line.find("DNS budget"), line.rfind("DNS budget")) << line;  // once
  EXPECT_LT(elapsed, milliseconds(90 + 200));
}

// A sender whose SPF zone is slow spends the budget before DMARC: a quarter of it is held back,
// so the author's own DMARC record is still asked and a spoofed p=reject is still a fail, not a
// temperror (accepted by default).
TEST_F(DnsBudgetTest, ASlowSenderZoneCannotStarveTheDmarcLookup) {
  SlowZone slow{milliseconds(100)};
  std::string record = "v=spf1";
  for (int i = 1; i <= 8; ++i) {
    const std::string name = "n" + std::to_string(i) + ".attacker.example";
    record += " a:" + name;
    slow.add_address(name, *net::IpAddress::parse("198.51.100.1"));
  }
  slow.add_txt("attacker.example", record + " -all");
  slow.add_txt("_dmarc.victim.example", "v=DMARC1; p=reject");
  settings_.resolver = &slow;
  settings_.dns_message_budget = milliseconds(800);  // 600 ms for SPF and DKIM, 200 for DMARC
  ConnectionFacts connection{net::IpAddress::parse("192.0.2.1"), "client.example", "client"};
  MessageEvaluation message(settings_, connection, Envelope{"x@attacker.example", "", "", {}});
  message.check_sender();
  ASSERT_TRUE(message.spf_mail_from());
  EXPECT_EQ(message.spf_mail_from()->code, spf::SpfCode::temperror);
  message.header("From", "ceo@victim.example");
  message.end_of_headers();
  const auto started = std::chrono::steady_clock::now();
  const MessageOutcome outcome = message.end_of_message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(200 + 150));
  ASSERT_TRUE(outcome.dmarc && outcome.dmarc->result);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::fail) << outcome.log_summary;
  EXPECT_EQ(outcome.decision().action, decision::Action::reject);
  EXPECT_TRUE(outcome.dns_budget_spent);  // SPF ran out, and the line says so
}

TEST_F(DnsBudgetTest, ZeroBudgetMeansNoBudget) {
  settings_.dns_message_budget = milliseconds(0);
  const MessageOutcome outcome = run();
  ASSERT_TRUE(spf_);
  EXPECT_EQ(spf_->code, spf::SpfCode::pass);
  EXPECT_FALSE(outcome.dns_budget_spent);
}

TEST_F(DnsBudgetTest, AnswerCutAtASizeBoundIsNotedAndNotApplied) {
  zone_.add_truncation("_dmarc.example.org", dns::RecordType::txt);
  const MessageOutcome outcome = run();
  ASSERT_TRUE(outcome.dmarc && outcome.dmarc->result);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::permerror);
  EXPECT_EQ(outcome.dns_answer_truncated, "TXT _dmarc.example.org");
  EXPECT_NE(outcome.log_summary.find("DNS answer cut at a size bound (TXT _dmarc.example.org)"),
            std::string::npos)
      << outcome.log_summary;
}

}  // namespace
}  // namespace authmilter::evaluation
