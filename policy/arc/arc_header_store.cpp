#include "arc/arc_header_store.h"

#include "dkim/line_endings.h"

namespace authmilter::arc {

void ArcHeaderStore::add(std::string_view name, std::string_view raw_value) {
  const std::optional<ArcFieldKind> kind = arc_field_kind(name);
  if (kind) {
    ++arc_fields_;
    if (raw_value.size() > max_arc_length_ && oversize_reason_.empty()) {
      oversize_reason_ = std::string(name) + " over " + std::to_string(max_arc_length_) + " bytes";
    }
  }
  if (overflowed_) return;
  const std::size_t size = name.size() + raw_value.size();
  if (fields_.size() >= max_fields_ || size > max_bytes_ - std::min(bytes_, max_bytes_)) {
    overflowed_ = true;
    return;
  }
  bytes_ += size;
  StoredField field;
  field.name = std::string(name);
  field.key = field_key(name);
  field.value = dkim::crlf_header_value(raw_value);
  field.kind = kind;
  if (kind && raw_value.size() <= max_arc_length_) {
    switch (*kind) {
      case ArcFieldKind::seal:
        field.instance = parse_arc_seal(field.value).instance;
        break;
      case ArcFieldKind::message_signature:
        field.instance = parse_arc_message_signature(field.value).instance;
        break;
      case ArcFieldKind::authentication_results:
        field.instance = parse_arc_authentication_results(field.value).instance;
        break;
    }
  }
  fields_.push_back(std::move(field));
}

}  // namespace authmilter::arc
