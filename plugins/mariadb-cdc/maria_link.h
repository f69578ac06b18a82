// One MariaDB connection on Connector/C (the library the binlog client is
// part of): connect with the pipeline's options, run a statement, read its
// rows as the server prints them. Failures become ferry::Error, classified
// by support/sql/mysql_errors.h and never naming the password.
//
// Thread safety: none; one owner at a time.
#ifndef FERRY_PLUGINS_MARIADB_CDC_MARIA_LINK_H_
#define FERRY_PLUGINS_MARIADB_CDC_MARIA_LINK_H_

#include <mysql.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace ferry_maria_cdc {

// A value as the server's text protocol prints it; none for NULL.
using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

class MariaLink {
 public:
  // Connects; throws ferry::Error (RETRY when the server cannot be reached,
  // AUTH for refused credentials, CONFIG for an unknown database).
  explicit MariaLink(const Options& opts);
  ~MariaLink();
  MariaLink(const MariaLink&) = delete;
  MariaLink& operator=(const MariaLink&) = delete;

  // Runs `sql`; `what` says what for in a failure's message.
  void exec(const std::string& sql, const std::string& what);
  // Runs `sql` and returns every row (callers bound the count with LIMIT).
  std::vector<Row> rows(const std::string& sql, const std::string& what);
  // The single value of a one-row, one-column query.
  Cell value(const std::string& sql, const std::string& what);

  // `text` as a SQL literal in hex (X'..'), which no value can break out
  // of: bytes as they are, or text in the connection's character set.
  static std::string literal(std::string_view text, bool binary);
  static std::string quote_ident(std::string_view name);

  MYSQL* handle() { return mysql_; }
  const std::string& where() const { return where_; }
  // Throws the connection's last error.
  [[noreturn]] void fail(const std::string& what) const;

 private:
  MYSQL* mysql_ = nullptr;
  std::string where_;  // user@host:port/database
};

// Throws the Ferry error for MySQL error `code`: `what` failed on `where`.
[[noreturn]] void fail_mysql(unsigned code, const std::string& message, const std::string& what,
                             const std::string& where);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_MARIA_LINK_H_
