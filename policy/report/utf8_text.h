// utf8_text.h - network text made fit for a store or an XML document that requires UTF-8.
//
// PostgreSQL refuses a whole statement (SQLSTATE 22021) over one invalid byte, and an XML
// report with one is unparseable; a cut at a length bound can also split a character.
#pragma once

#include <string>

namespace authmilter::report {

// Valid UTF-8 is returned as it is. A character cut short at the end is dropped. Otherwise
// every byte >= 0x80 (and NUL) becomes '?', so nothing a stranger sent can make the text invalid.
std::string utf8_or_ascii(std::string text);

}  // namespace authmilter::report
