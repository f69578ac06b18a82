// Source positions: the cursor values of the last row read, as a JSON array,
// e.g. [1042] or ["2024-05-01 10:00:00.000000", 77]. Typed so that a resume
// binds each value the way the column compares (an integer as an integer,
// bytes as bytes), which keeps keyset order exact.
#ifndef FERRY_PLUGINS_MYSQL_POSITION_H_
#define FERRY_PLUGINS_MYSQL_POSITION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_mysql {

struct CursorValue {
  enum class Kind { kInt, kUInt, kDouble, kText, kBytes };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string text;  // kText (UTF-8) and kBytes (raw)
};

// JSON array; bytes are written as {"hex": "..."}.
std::string encode_position(const std::vector<CursorValue>& values);
// nullopt when `text` is not a position this source wrote.
std::optional<std::vector<CursorValue>> decode_position(std::string_view text);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_POSITION_H_
