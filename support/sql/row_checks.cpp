#include "sql/row_checks.h"

#include "sql/sql_identifier.h"

#include <charconv>
#include <cmath>

namespace ferry::support {

std::optional<std::string> refused_op(FerryOp op, bool upsert) {
  if (op != FERRY_OP_INSERT && op != FERRY_OP_UPDATE && op != FERRY_OP_DELETE)
    return "unknown record op " + std::to_string(op);
  if (op == FERRY_OP_DELETE && !upsert) return std::string("delete not supported in append mode");
  return std::nullopt;
}

std::optional<std::string> null_key(const ferry::BatchView& batch, size_t row, const std::vector<size_t>& key_fields,
                                    char quote) {
  for (size_t k : key_fields)
    if (batch.value(row, k).type == FERRY_TYPE_NULL)
      return "key column " + quote_identifier(batch.field_name(k), quote) + " is null";
  return std::nullopt;
}

namespace {

// Digits after the point that are not trailing zeros, of plain decimal
// text ("-12.3400" -> 2); -1 for text in another form.
int significant_fraction_digits(std::string_view text) {
  const size_t point = text.find('.');
  if (text.find_first_of("eE") != std::string_view::npos) return -1;
  if (point == std::string_view::npos) return 0;
  size_t end = text.size();
  while (end > point + 1 && text[end - 1] == '0') --end;
  return static_cast<int>(end - point - 1);
}

// The zone of ISO-8601-like timestamp text ("2024-01-01 10:00:00+02",
// "...T10:00Z", "... Europe/Paris"): what follows the date and time, or
// empty when nothing does (or only an era, "BC"). Text of another shape is
// not looked at.
std::string_view zone_of_timestamp_text(std::string_view s) {
  const auto digits = [&](size_t from, size_t n) {
    if (s.size() < from + n) return false;
    for (size_t k = from; k < from + n; ++k)
      if (s[k] < '0' || s[k] > '9') return false;
    return true;
  };
  // YYYY-MM-DD[ T]HH:MM
  if (!digits(0, 4) || s.size() < 16 || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
      (s[10] != ' ' && s[10] != 'T') || !digits(11, 2) || s[13] != ':' || !digits(14, 2))
    return {};
  size_t i = 16;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == ':' || s[i] == '.')) ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  std::string_view rest = s.substr(i);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  // An era, or UTC itself: the column reads the same time either way.
  for (const char* same : {"BC", "AD", "bc", "ad", "Z", "z", "+00", "-00", "+00:00", "-00:00", "+0000", "UTC", "GMT"})
    if (rest == same) return {};
  return rest;
}

}  // namespace

std::optional<std::string> narrowed_value(const FerryValue& v, const ColumnLimits& limits, std::string_view field,
                                          char quote) {
  if (v.type == FERRY_TYPE_STRING && limits.zone_ignored) {
    const std::string_view zone = zone_of_timestamp_text(ferry::view(v.as.bytes));
    if (!zone.empty())
      return "field " + quote_identifier(field, quote) + " has a time zone (" + std::string(zone) +
             ") that its timestamp column (without time zone) would ignore; give the field the timestamp type in "
             "the source to have it converted to UTC, or use timestamptz";
  }
  if (v.type == FERRY_TYPE_TIMESTAMP && limits.date_only && v.as.i64 % (86400LL * 1000000) != 0)
    return "field " + quote_identifier(field, quote) + " has a time of day that its date column would drop";
  if ((v.type == FERRY_TYPE_DECIMAL || v.type == FERRY_TYPE_DOUBLE) && limits.scale >= 0) {
    int digits = 0;
    if (v.type == FERRY_TYPE_DECIMAL) {
      digits = significant_fraction_digits(ferry::view(v.as.bytes));
    } else if (std::isfinite(v.as.f64)) {
      // The shortest fixed text that reads back as the same double.
      char buf[400];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.as.f64, std::chars_format::fixed);
      digits = r.ec == std::errc() ? significant_fraction_digits(std::string_view(buf, static_cast<size_t>(r.ptr - buf)))
                                   : -1;
    }
    if (digits > limits.scale)
      return "field " + quote_identifier(field, quote) + " has " + std::to_string(digits) +
             " digits after the point, and its column keeps " + std::to_string(limits.scale) +
             " (the server would round it)";
  }
  if (v.type == FERRY_TYPE_TIMESTAMP && limits.fraction_digits >= 0 && limits.fraction_digits < 6) {
    int64_t unit = 1;
    for (int d = limits.fraction_digits; d < 6; ++d) unit *= 10;
    if (v.as.i64 % unit != 0)
      return "field " + quote_identifier(field, quote) + " has microseconds that column " +
             quote_identifier(field, quote) + " (" + std::to_string(limits.fraction_digits) +
             " fraction digits) would round or cut";
  }
  const bool text = v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_DECIMAL || v.type == FERRY_TYPE_JSON;
  if (text && limits.max_bytes >= 0 && v.as.bytes.size > static_cast<uint64_t>(limits.max_bytes))
    return "field " + quote_identifier(field, quote) + " has " + std::to_string(v.as.bytes.size) +
           " bytes, more than its column takes (" + std::to_string(limits.max_bytes) + ")";
  if (text && limits.max_chars >= 0 && v.as.bytes.size > static_cast<uint64_t>(limits.max_chars)) {
    int64_t chars = 0;
    for (const char ch : ferry::view(v.as.bytes))
      if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++chars;
    if (chars > limits.max_chars)
      return "field " + quote_identifier(field, quote) + " has " + std::to_string(chars) +
             " characters, more than column " + quote_identifier(field, quote) + " takes (" +
             std::to_string(limits.max_chars) + ")";
  }
  return std::nullopt;
}

}  // namespace ferry::support
