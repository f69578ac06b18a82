#include "row_check.h"

#include <cstring>
#include <optional>

#include "ident.h"

namespace ferry_pg {
namespace {

bool has_nul(const FerryValue& v) {
  if (v.type != FERRY_TYPE_STRING && v.type != FERRY_TYPE_JSON && v.type != FERRY_TYPE_DECIMAL)
    return false;
  return v.as.bytes.size != 0 && std::memchr(v.as.bytes.data, 0, v.as.bytes.size) != nullptr;
}

}  // namespace

RowCheck::RowCheck(const ferry::BatchView& batch, std::vector<ferry::support::ColumnLimits> limits,
                   std::vector<size_t> key_fields, bool upsert)
    : batch_(batch),
      limits_(std::move(limits)),
      key_fields_(std::move(key_fields)),
      upsert_(upsert),
      verdicts_(batch.rows(), Verdict::kUnknown) {
  field_checks_.resize(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) {
    // A value is NULL or of its field's type (ABI), so the field's type says
    // which values can hold text.
    const FerryType type = batch.field(f).type;
    field_checks_[f].nul = type == FERRY_TYPE_STRING || type == FERRY_TYPE_JSON || type == FERRY_TYPE_DECIMAL;
    field_checks_[f].narrowing = !limits_[f].keeps_all();
  }
}

bool RowCheck::keep(size_t row) {
  if (verdicts_[row] != Verdict::kUnknown) return verdicts_[row] == Verdict::kKeep;
  std::optional<std::string> why = ferry::support::refused_op(batch_.meta(row).op, upsert_);
  if (!why) why = ferry::support::null_key(batch_, row, key_fields_, '"');
  for (size_t f = 0; f < batch_.fields() && !why; ++f) {
    const FieldChecks checks = field_checks_[f];
    if (!checks.nul && !checks.narrowing) continue;
    const FerryValue& v = batch_.value(row, f);
    if (checks.nul && has_nul(v))
      why = "field " + quote_ident(batch_.field_name(f)) + " contains a NUL byte, which PostgreSQL text cannot store";
    else if (checks.narrowing)
      why = ferry::support::narrowed_value(v, limits_[f], batch_.field_name(f), '"');
  }
  verdicts_[row] = why ? Verdict::kRefuse : Verdict::kKeep;
  if (why) rejections_.push_back({row, std::move(*why)});
  return !why;
}

}  // namespace ferry_pg
