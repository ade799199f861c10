#include "daemon/milter_stages.h"
#include "daemon/probe_token.h"
#include "milter_fixture.h"

namespace authmilter::daemon::testing {

MilterFixture::MilterFixture() {
  config_.evaluation.authserv_id = kAuthservId;
  zone_.add_txt("pass.example", "v=spf1 ip4:192.0.2.0/24 -all");
  zone_.add_txt("_dmarc.pass.example", "v=DMARC1; p=reject");
  zone_.add_txt("reject.example", "v=spf1 -all");
  zone_.add_txt("_dmarc.reject.example", "v=DMARC1; p=reject");
  zone_.add_txt("quarantine.example", "v=spf1 -all");
  zone_.add_txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine");
  auto store = RecordingStore::create(calls_);
  if (!store.ok()) {
    ADD_FAILURE() << "record store: " << store.error();
    return;
  }
  unstarted_store_ = std::move(*store);
  store_ = unstarted_store_.get();
}

MilterFixture::~MilterFixture() {
  close_stage(context_);
  install_runtime(nullptr);
  install_probe_key(std::nullopt);
}

// The settings build_runtime() would make of config(), over the zone instead of unbound, without
// DKIM (and so without ARC): the stages, not the checks, are under test here.
void MilterFixture::start() {
  auto runtime = std::make_shared<Runtime>();
  runtime->config = config_;
  runtime->evaluation.options = config_.evaluation;
  runtime->evaluation.resolver = &zone_;
  runtime->evaluation.dkim = nullptr;
  runtime->store = std::move(unstarted_store_);
  install_runtime(std::move(runtime));
  started_ = true;
}

StageStatuses MilterFixture::run(const TestTransaction& transaction, unsigned long offered_steps) {
  if (!started_) start();
  if (context_.session() != nullptr) close_stage(context_);  // one connection per run()
  StageStatuses status;
  context_.macros["i"] = kQueueId;
  if (!transaction.authenticated_user.empty())
    context_.macros["{auth_authen}"] = transaction.authenticated_user;
  unsigned long actions = 0, steps = 0;
  status.negotiate = negotiate_stage(context_, kAllActions, offered_steps, &actions, &steps);
  status.connect =
      connect_stage(context_, "client.example", net::IpAddress::parse(transaction.client));
  status.helo = helo_stage(context_, "client.example");
  status.envfrom = envfrom_stage(context_, transaction.mail_from.c_str());
  bool refused = false;
  for (const auto& recipient : transaction.recipients) {
    status.envrcpt.push_back(envrcpt_stage(context_, recipient.c_str()));
    refused = refused || status.envrcpt.back() != SMFIS_CONTINUE;
  }
  if (refused) return status;
  // With SMFIP_HDR_LEADSPC the value keeps the space after the colon.
  const std::string lead = (steps & SMFIP_HDR_LEADSPC) ? " " : "";
  for (const auto& [name, value] : transaction.headers)
    status.header.push_back(header_stage(context_, name.c_str(), (lead + value).c_str()));
  status.end_of_headers = end_of_headers_stage(context_);
  status.body =
      body_stage(context_, reinterpret_cast<const unsigned char*>(transaction.body.data()),
                 transaction.body.size());
  status.end_of_message = end_of_message_stage(context_);
  return status;
}

std::string MilterFixture::inserted_authentication_results() const {
  const std::string prefix = "insert_header 0 Authentication-Results:";
  for (const auto& call : calls_)
    if (call.starts_with(prefix)) return call.substr(prefix.size());
  return "";
}

}  // namespace authmilter::daemon::testing
