// A partition's key range as the SQL sources (postgres, mysql) plan it and
// the host stores it (ABI 1.5 descriptor): "lo,hi", either bound empty when
// open, then ",nulls" when the partition also reads the rows whose key is
// NULL. The bounds are integers: lo inclusive, hi exclusive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

struct KeyRange {
  std::optional<int64_t> lo;
  std::optional<int64_t> hi;
  bool with_nulls = false;
};

std::string key_range_text(const KeyRange& range);
// None when `text` is not a key range of that form.
std::optional<KeyRange> parse_key_range(std::string_view text);

// What a keyset source says when rows of `partition` share `cursor`: the
// next page, starting after it, would skip some of them.
std::string cursor_not_unique(std::string_view partition, std::string_view cursor);

}  // namespace ferry::support
