#include "maria_link.h"

#include <ferry/plugin.hpp>
#include <codec/hex.h>
#include <sql/mysql_errors.h>

namespace ferry_maria_cdc {
namespace {

// Long enough for a server under load, short enough that a dead one is
// noticed; a binlog stream waits in heartbeats, never in a read timeout.
constexpr unsigned kConnectTimeoutS = 10;

}  // namespace

void fail_mysql(unsigned code, const std::string& message, const std::string& what, const std::string& where) {
  FerryStatus status = ferry::support::status_of_mysql_error(static_cast<int>(code));
  if (code == 1045 || code == 1044 || code == 1227 || code == 1142) status = FERRY_ERROR_AUTH;
  if (code == 1049 || code == 1146) status = FERRY_ERROR_CONFIG;
  if (status == FERRY_INVALID_DATA) status = FERRY_ERROR_IO;  // nothing here writes rows
  throw ferry::Error(status, "mariadb-cdc source: " + what + " on " + where + ": " + message + " (error " +
                                 std::to_string(code) + ")");
}

MariaLink::MariaLink(const Options& opts)
    : where_(opts.describe() + "/" + opts.database) {
  mysql_ = mysql_init(nullptr);
  if (mysql_ == nullptr) throw ferry::Error(FERRY_ERROR_IO, "mariadb-cdc source: out of memory");
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &kConnectTimeoutS);
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // Never a silent reconnect: a lost binlog stream must be reopened from
  // the last position handed over, not continued where the library thinks.
  const my_bool no = 0;
  mysql_optionsv(mysql_, MYSQL_OPT_RECONNECT, &no);
  const bool socket = !opts.socket.empty();
  if (mysql_real_connect(mysql_, socket ? nullptr : opts.host.c_str(), opts.user.c_str(),
                         opts.password.empty() ? nullptr : opts.password.c_str(), opts.database.c_str(),
                         socket ? 0 : static_cast<unsigned>(opts.port), socket ? opts.socket.c_str() : nullptr,
                         0) == nullptr) {
    const unsigned code = mysql_errno(mysql_);
    std::string message = mysql_error(mysql_);
    mysql_close(mysql_);
    mysql_ = nullptr;
    // The library's messages name user and host, never the password; mask
    // it anyway should a server echo it.
    if (!opts.password.empty())
      for (size_t at; (at = message.find(opts.password)) != std::string::npos;) message.replace(at, opts.password.size(), "****");
    fail_mysql(code, message, "connecting", where_);
  }
  // Values print in UTC, as the binlog holds TIMESTAMP columns.
  exec("SET SESSION time_zone = '+00:00'", "setting up the session");
}

MariaLink::~MariaLink() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

void MariaLink::fail(const std::string& what) const { fail_mysql(mysql_errno(mysql_), mysql_error(mysql_), what, where_); }

void MariaLink::exec(const std::string& sql, const std::string& what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) fail(what);
  // A statement may still return rows (SHOW ...): drain them.
  if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
}

std::vector<Row> MariaLink::rows(const std::string& sql, const std::string& what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) fail(what);
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_errno(mysql_) != 0) fail(what);
    return {};
  }
  std::vector<Row> out;
  const unsigned columns = mysql_num_fields(res);
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    Row row(columns);
    for (unsigned c = 0; c < columns; ++c)
      if (r[c] != nullptr) row[c].emplace(r[c], lengths[c]);
    out.push_back(std::move(row));
  }
  mysql_free_result(res);
  return out;
}

Cell MariaLink::value(const std::string& sql, const std::string& what) {
  std::vector<Row> r = rows(sql, what);
  if (r.empty() || r[0].empty()) return std::nullopt;
  return r[0][0];
}

std::string MariaLink::literal(std::string_view text, bool binary) {
  std::string out = binary ? "X'" : "CONVERT(X'";
  ferry::support::append_hex(out, text);
  return out + (binary ? "'" : "' USING utf8mb4)");
}

std::string MariaLink::quote_ident(std::string_view name) {
  std::string out = "`";
  for (char c : name) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

}  // namespace ferry_maria_cdc
