// setting_changes.h - which settings a candidate file changes, and which of them a replay of
// the store's records can judge.
//
// compare_settings() lists every dotted setting (conf/flat_settings.h) whose text differs
// between the running file and the candidate (a key set in one file only counts, shown as
// "(unset)"), each classified:
//   replayed        - decide() reads it and the record holds what it needs: dmarc.reject,
//                     dmarc.overrides, dmarc.forwarders.*, dmarc.dry_run, arc.trusted_sealers,
//                     dmarc.temperror when the running one is accept (temperror rows exist).
//   no_effect       - changes no disposition (reply text, quarantine mechanics, sockets, store,
//                     reports, metrics).
//   not_replayable  - needs the message, DNS or a message that never got a row (refused at
//                     RCPT, skipped, refused for its From or a limit); with the reason.
// Pure.
#pragma once

#include <string>
#include <vector>

#include "conf/flat_settings.h"

namespace authmilter::check {

enum class SettingReplay { replayed, no_effect, not_replayable };

const char* to_string(SettingReplay replay);

struct SettingChange {
  std::string path;  // "dmarc.reject"
  std::string running;
  std::string candidate;
  SettingReplay replay = SettingReplay::not_replayable;
  std::string note;  // why not replayable; empty otherwise
};

// running_temperror_accepts: the running dmarc.temperror is accept (so temperror rows exist).
std::vector<SettingChange> compare_settings(const conf::FlatSettings& running,
                                            const conf::FlatSettings& candidate,
                                            bool running_temperror_accepts);

}  // namespace authmilter::check
