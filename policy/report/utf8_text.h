// utf8_text.h - network text made fit for a store or an XML document that requires UTF-8.
//
// PostgreSQL refuses a whole statement (SQLSTATE 22021) over one invalid byte, and an XML
// report with one is unparseable; a cut at a length bound can also split a character.
// clean_stored_text() is the one rule every stored text field of a record passes through.
#pragma once

#include <cstddef>
#include <string>

namespace authmilter::report {

// Valid UTF-8 is returned as it is. A character cut short at the end is dropped. Otherwise
// every byte >= 0x80 (and NUL) becomes '?', so nothing a stranger sent can make the text invalid.
std::string utf8_or_ascii(std::string text);

// A text field fit for the record store: control characters dropped (they would break the list
// encoding of record_codec.h and have no place in a domain, selector or result word), cut to
// `limit` bytes (so that one hostile message cannot grow the store), then utf8_or_ascii().
void clean_stored_text(std::string& text, std::size_t limit);

}  // namespace authmilter::report
