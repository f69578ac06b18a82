// Which text comparisons the server makes: MariaDB's and MySQL's PAD SPACE
// collations (utf8mb4_bin among them) ignore trailing spaces, so 'a' and
// 'a ' are one key in a unique index and one row to `WHERE k = ?`.
#ifndef FERRY_PLUGINS_MYSQL_COLLATION_H_
#define FERRY_PLUGINS_MYSQL_COLLATION_H_

#include <string>

#include "session.h"

namespace ferry_mysql {

// The utf8mb4 collation the sink creates tables with, so that text keys
// compare byte for byte, trailing spaces included: MariaDB's
// utf8mb4_nopad_bin, MySQL 8's utf8mb4_0900_bin; utf8mb4_bin (which pads)
// on a server with neither.
std::string exact_collation(Session& session);

// Whether `collation` of character set `charset` ignores trailing spaces,
// as the server answers; true for a name it would not be safe to quote.
bool ignores_trailing_spaces(Session& session, const std::string& charset, const std::string& collation);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_COLLATION_H_
