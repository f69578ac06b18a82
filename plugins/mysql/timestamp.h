// DATETIME / TIMESTAMP text <-> Ferry timestamps (microseconds since 1970
// UTC). The session runs with time_zone '+00:00', so the server's text is UTC.
#ifndef FERRY_PLUGINS_MYSQL_TIMESTAMP_H_
#define FERRY_PLUGINS_MYSQL_TIMESTAMP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry_mysql {

// "YYYY-MM-DD HH:MM:SS[.f{1,6}]". nullopt for the zero date and for text
// that is not a valid date-time.
std::optional<int64_t> parse_datetime(std::string_view text);

// Room for "-292277-01-01 00:00:00.000000".
constexpr size_t kDatetimeTextSize = 40;
// "YYYY-MM-DD HH:MM:SS.ffffff" (a year outside 0000-9999 signed, which the
// server refuses as it would any year outside DATETIME's); returns the length.
size_t format_datetime(int64_t micros, char* out);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_TIMESTAMP_H_
