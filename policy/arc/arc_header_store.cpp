#include "arc/arc_header_store.h"

#include "dkim/line_endings.h"

namespace authmilter::arc {

namespace {

// A typical header section: 20-30 fields, 2-4 KiB; growth beyond is amortized as usual.
constexpr std::size_t kTypicalFields = 32;
constexpr std::size_t kTypicalBytes = 4096;

}  // namespace

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
  if (raw_fields_.size() >= max_fields_ || size > max_bytes_ - std::min(bytes_, max_bytes_)) {
    overflowed_ = true;
    return;
  }
  bytes_ += size;
  if (raw_fields_.empty()) {  // one allocation each for a typical header section
    raw_fields_.reserve(kTypicalFields);
    raw_.reserve(kTypicalBytes);
  }
  raw_fields_.push_back({raw_.size(), name.size(), raw_value.size()});
  raw_.append(name);
  raw_.append(raw_value);
  built_ = false;
}

const std::vector<StoredField>& ArcHeaderStore::fields() const {
  if (built_) return fields_;
  fields_.clear();
  fields_.reserve(raw_fields_.size());
  for (const RawField& raw : raw_fields_) {
    const std::string_view name(raw_.data() + raw.name_begin, raw.name_size);
    const std::string_view raw_value(raw_.data() + raw.name_begin + raw.name_size, raw.value_size);
    StoredField field;
    field.name = std::string(name);
    field.key = field_key(name);
    field.value = dkim::crlf_header_value(raw_value);
    field.kind = arc_field_kind(name);
    if (field.kind && raw_value.size() <= max_arc_length_) {
      switch (*field.kind) {
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
  built_ = true;
  return fields_;
}

}  // namespace authmilter::arc
