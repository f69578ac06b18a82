// What SQLite's numeric affinities (NUMERIC, INTEGER, REAL) do to text that
// reads as a number: they store it as an INTEGER or a REAL. Where that
// number is another one than the text says (more digits than a double
// holds, beyond its range), the value cannot be stored as it is.
#ifndef FERRY_PLUGINS_SQLITE_NUMBER_TEXT_H_
#define FERRY_PLUGINS_SQLITE_NUMBER_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

#include "values.h"

namespace ferry_sqlite {

// Why a column of affinity `column` would store another number than
// `text`, or nothing (also for text SQLite keeps as text).
std::optional<std::string> numeric_text_changes(std::string_view text, Affinity column);

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_NUMBER_TEXT_H_
