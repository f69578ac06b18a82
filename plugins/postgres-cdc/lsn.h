// PostgreSQL WAL positions (LSNs) and their text form "16/B374D848".
#ifndef FERRY_PLUGINS_POSTGRES_CDC_LSN_H_
#define FERRY_PLUGINS_POSTGRES_CDC_LSN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry_pg_cdc {

using Lsn = uint64_t;

std::string lsn_text(Lsn lsn);
// The server's form: two hexadecimal halves around a slash.
std::optional<Lsn> parse_lsn(std::string_view text);

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_LSN_H_
