// dkim_test_support.h - helpers for the DKIM tests: the conformance data's path and manifests,
// key records served from a ZoneResolver, a raw message streamed through DkimVerifier in
// fixed-size chunks, results described in one line. Reading files, splitting messages, the
// DkimLibrary and suite scores come from tests/support, shared with tests/arc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/dkim_library.h"
#include "dkim/dkim_result.h"
#include "dns/zone_resolver.h"
#include "support/message_parts.h"
#include "support/suite_support.h"

namespace authmilter::dkim::testing {

std::string data_path(std::string_view relative);  // under AUTHMILTER_TEST_DATA/dkim/
// The shared helpers (tests/support) read as this namespace's own.
using namespace authmilter::testing;

// Tab-separated rows of a manifest, '#' comment lines and blank lines skipped.
std::vector<std::vector<std::string>> read_tsv(const std::string& path);

// "owner<TAB>value" records (dns-records.txt).
void load_tab_records(dns::ZoneResolver& zone, const std::string& path);
// Mail::DKIM FAKE_DNS.dat: "name<ws>value", NXDOMAIN, ~~Query timed out~~, ~~SERVFAIL~~, "".
void load_fake_dns(dns::ZoneResolver& zone, const std::string& path);
// A key file's contents as one TXT string (line ends removed).
std::string key_file_record(const std::string& path);

// Headers one by one, then the body in chunks of `chunk_size` bytes.
std::vector<DkimResult> verify_message(const DkimLibrary& library, dns::Resolver& resolver,
                                       std::string_view raw, std::size_t chunk_size);

std::string codes_of(const std::vector<DkimResult>& results);  // "pass,fail"; "none" if empty
std::string describe(const std::vector<DkimResult>& results);  // codes with reasons
// The message-level RFC 8601 word: best of the signatures (pass > fail > policy > temperror >
// permerror > neutral), "none" when unsigned.
std::string overall_code(const std::vector<DkimResult>& results);

inline constexpr std::size_t kChunkSizes[] = {1, 7, 64, 65536};

}  // namespace authmilter::dkim::testing
