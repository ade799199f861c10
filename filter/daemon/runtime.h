// runtime.h - everything built from one configuration: the config, the shared resolver and the
// settings each check needs.
//
// build_runtime() opens the record store when asked to (RecordStoreUse::open, the daemon), so it
// runs as the daemon's user (after the privilege drop, and so on every reload), which keeps the
// store's files owned by that user. authmilter-check asks for RecordStoreUse::none: it records
// nothing and must not open (or, run as root, create) the daemon's store.
// A connection takes the current Runtime at connect and keeps it until close, so a reload (SIGHUP)
// never changes the rules in the middle of a transaction; the old Runtime is freed when its last
// connection ends. current_runtime()/install_runtime() are thread-safe.
#pragma once

#include <memory>

#include "common/result.h"
#include "conf/config.h"
#include "dkim/dkim_library.h"
#include "dns/unbound_resolver.h"
#include "evaluation/message_evaluation.h"
#include "report/record_store.h"

namespace authmilter::daemon {

struct Runtime {
  conf::Config config;
  std::unique_ptr<dns::UnboundResolver> resolver;
  std::unique_ptr<dkim::DkimLibrary> dkim;
  evaluation::EvaluationSettings evaluation;   // borrows resolver and dkim above
  std::unique_ptr<report::RecordStore> store;  // every report row, committed before we answer;
                                               // null for RecordStoreUse::none
};

enum class RecordStoreUse { open, none };

Result<std::shared_ptr<const Runtime>> build_runtime(conf::Config config, RecordStoreUse store_use);

std::shared_ptr<const Runtime> current_runtime();
void install_runtime(std::shared_ptr<const Runtime> runtime);

// Loads the config file again and installs a new Runtime; a bad file is logged and the running
// Runtime kept. Settings that need a restart (socket, user) are reported, not applied.
void reload_runtime();

}  // namespace authmilter::daemon
