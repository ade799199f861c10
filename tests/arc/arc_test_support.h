// arc_test_support.h - helpers for the ARC tests: the conformance data's path, a raw message
// streamed through ArcVerifier in fixed-size chunks, a result described in one line. Reading
// files, splitting messages, the DkimLibrary and suite scores come from tests/support, shared
// with tests/dkim.
#pragma once

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

#include "arc/arc_options.h"
#include "arc/arc_result.h"
#include "dkim/dkim_library.h"
#include "dns/resolver.h"
#include "support/message_parts.h"
#include "support/suite_support.h"

namespace authmilter::arc::testing {

std::string data_path(std::string_view relative);  // under AUTHMILTER_TEST_DATA/arc/

// The shared helpers (tests/support) read as this namespace's own.
using namespace authmilter::testing;

// 2017-01-01T00:00:00Z: after every t= of the ValiMail suite, before any x=.
inline constexpr std::time_t kSuiteNow = 1483228800;

// Headers one by one, then the body in chunks of `chunk_size` bytes, then finish(now).
ArcResult verify_message(const dkim::DkimLibrary& library, dns::Resolver& resolver,
                         std::string_view raw, std::size_t chunk_size, std::time_t now,
                         const ArcOptions& options = {});

std::string describe(const ArcResult& result);  // "fail (reason)"

inline constexpr std::size_t kChunkSizes[] = {1, 7, 64, 65536};

}  // namespace authmilter::arc::testing
