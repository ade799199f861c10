// arc_header_store.h - the header fields one ARC verification keeps (bounded).
//
// An AMS may sign any header field, and which ones is only known from h= of ARC fields that may
// arrive anywhere in the header section, so every field is kept (name as given, value after the
// colon CRLF-normalized without its terminator) up to DkimOptions::max_header_fields fields and
// max_header_bytes bytes, the bounds a DKIM verifier keeps too. Past either bound the store only
// counts: overflowed() then says the AMS cannot be verified. ARC fields are tagged with their
// kind and instance (i=, 0 if unreadable) as they arrive. The body is never stored here.
// Owns its strings. Not thread-safe; movable.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_header_parse.h"

namespace authmilter::arc {

struct StoredField {
  std::string name;   // as given (blanks before the colon kept for simple canonicalization)
  std::string value;  // CRLF-normalized, no trailing line end
  std::string key;    // field_key(name): lower-case, for matching h= entries
  std::optional<ArcFieldKind> kind;
  unsigned instance = 0;  // ARC fields: i= as far as it could be read
};

class ArcHeaderStore {
 public:
  ArcHeaderStore(std::size_t max_fields, std::size_t max_bytes, std::size_t max_arc_field_length)
      : max_fields_(max_fields), max_bytes_(max_bytes), max_arc_length_(max_arc_field_length) {}

  void add(std::string_view name, std::string_view raw_value);

  const std::vector<StoredField>& fields() const { return fields_; }
  bool overflowed() const { return overflowed_; }
  bool any_arc_field() const { return arc_fields_ > 0; }
  // The first ARC field over ArcOptions::max_header_length, e.g. "ARC-Seal over 16384 bytes".
  const std::string& oversize_reason() const { return oversize_reason_; }

 private:
  std::size_t max_fields_;
  std::size_t max_bytes_;
  std::size_t max_arc_length_;
  std::size_t bytes_ = 0;
  std::size_t arc_fields_ = 0;
  bool overflowed_ = false;
  std::string oversize_reason_;
  std::vector<StoredField> fields_;
};

}  // namespace authmilter::arc
