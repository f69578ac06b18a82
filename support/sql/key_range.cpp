#include "sql/key_range.h"

#include <charconv>

namespace ferry::support {
namespace {

std::string bound_text(const std::optional<int64_t>& b) { return b ? std::to_string(*b) : std::string(); }

bool parse_bound(std::string_view text, std::optional<int64_t>* out) {
  if (text.empty()) {
    out->reset();
    return true;
  }
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  *out = v;
  return true;
}

}  // namespace

std::string key_range_text(const KeyRange& range) {
  return bound_text(range.lo) + "," + bound_text(range.hi) + (range.with_nulls ? ",nulls" : "");
}

std::optional<KeyRange> parse_key_range(std::string_view text) {
  KeyRange out;
  constexpr std::string_view kNulls = ",nulls";
  if (text.size() >= kNulls.size() && text.substr(text.size() - kNulls.size()) == kNulls) {
    out.with_nulls = true;
    text.remove_suffix(kNulls.size());
  }
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos || !parse_bound(text.substr(0, comma), &out.lo) ||
      !parse_bound(text.substr(comma + 1), &out.hi))
    return std::nullopt;
  return out;
}

std::string cursor_not_unique(std::string_view partition, std::string_view cursor) {
  return "the cursor does not order the rows uniquely: rows of partition " + std::string(partition) +
         " share the cursor " + std::string(cursor) +
         "; rows sharing a cursor value across a page's end would be skipped. Add a column that makes it unique, "
         "e.g. the primary key after it";
}

}  // namespace ferry::support
