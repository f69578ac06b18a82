#include "table_info.h"

#include <cppconn/statement.h>

#include <cctype>
#include <cstring>
#include <memory>

#include <cppconn/resultset.h>
#include <ferry/plugin.hpp>

#include "collation.h"
#include "column_types.h"
#include "identifiers.h"

namespace ferry_mysql {
namespace {

// ER_DUP_FIELDNAME
constexpr int kDuplicateColumn = 1060;

// CHAR(n), VARCHAR(n) or a TEXT type with no character set or collation of
// its own (a type pinned in `columns` may name them).
bool plain_text_type(const std::string& type) {
  std::string t;
  for (char c : type) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* text : {"TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT"})
    if (t == text) return true;
  for (const char* sized : {"CHAR(", "VARCHAR("}) {
    const size_t n = std::strlen(sized);
    if (t.compare(0, n, sized) != 0 || t.back() != ')') continue;
    const std::string digits = t.substr(n, t.size() - n - 1);
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos) return true;
  }
  return false;
}

}  // namespace

TableEngine look_up_engine(Session& session, const std::string& database, const std::string& table,
                           const std::string& quoted) {
  const std::string what = "looking for table " + quoted;
  std::unique_ptr<sql::PreparedStatement> find = session.prepare(
      "SELECT t.TABLE_TYPE, t.ENGINE, e.TRANSACTIONS FROM information_schema.TABLES t "
      "LEFT JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?",
      what);
  TableEngine engine;
  try {
    find->setString(1, database);
    find->setString(2, table);
    std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
    if (!rs->next()) return engine;
    engine.exists = true;
    engine.view = rs->getString(1) == "VIEW";
    if (!rs->isNull(2)) engine.name = rs->getString(2);
    engine.transactional = !rs->isNull(3) && rs->getString(3) == "YES";
  } catch (const sql::SQLException& e) {
    session.fail(e, what);
  }
  return engine;
}

void require_transactional(const TableEngine& engine, const std::string& quoted) {
  if (!engine.exists || engine.transactional) return;
  const std::string why = " rows and checkpoint would not commit together, and a failed write would stay half-done";
  if (engine.view)
    throw ferry::Error(FERRY_ERROR_CONFIG, "mysql sink: table " + quoted +
                                               " is a view; whether the tables behind it can roll back cannot be "
                                               "told, and if they cannot," + why + " (write to the table itself)");
  if (engine.name.empty())
    throw ferry::Error(FERRY_ERROR_CONFIG, "mysql sink: the server names no storage engine for table " + quoted +
                                               "; unless it can roll back," + why);
  throw ferry::Error(FERRY_ERROR_CONFIG, "mysql sink: table " + quoted + " uses the " + engine.name +
                                             " engine, which cannot roll back:" + why + " (ALTER TABLE " + quoted +
                                             " ENGINE=InnoDB)");
}

TableInfo::TableInfo(Session& session, std::string database, std::string table)
    : session_(session),
      database_(std::move(database)),
      table_(std::move(table)),
      quoted_(quote_table(database_, table_)) {}

void TableInfo::load() {
  const std::string what = "reading the columns of table " + quoted_;
  std::unique_ptr<sql::PreparedStatement> cols = session_.prepare(
      "SELECT COLUMN_NAME, EXTRA LIKE '%GENERATED%', DATA_TYPE, DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH, "
      "CHARACTER_OCTET_LENGTH, NUMERIC_SCALE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      what);
  std::unique_ptr<sql::PreparedStatement> keys = session_.prepare(
      "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = ? AND NON_UNIQUE = 0",
      what);
  columns_.clear();
  generated_.clear();
  limits_.clear();
  try {
    cols->setString(1, database_);
    cols->setString(2, table_);
    std::unique_ptr<sql::ResultSet> rs(cols->executeQuery());
    while (rs->next()) {
      columns_.emplace_back(rs->getString(1));
      generated_.push_back(rs->getInt(2) != 0);
      // The server cuts a fraction finer than DATETIME(p), TIMESTAMP(p) or
      // TIME(p) keeps, a DATE's time of day, a DECIMAL's digits beyond its
      // scale and the trailing spaces that overflow a VARCHAR(n), with at
      // most a note. CHAR(n) pads and trims spaces by definition.
      ferry::support::ColumnLimits l;
      const std::string type = rs->getString(3);
      if ((type == "datetime" || type == "timestamp" || type == "time") && !rs->isNull(4) && rs->getInt(4) <= 6)
        l.fraction_digits = rs->getInt(4);
      if (type == "varchar" && !rs->isNull(5)) l.max_chars = rs->getInt64(5);
      // TEXT types are limited in bytes, and cut overflowing spaces too.
      if ((type == "tinytext" || type == "text" || type == "mediumtext") && !rs->isNull(6))
        l.max_bytes = rs->getInt64(6);
      // DECIMAL rounds with a note only, an integer type a double silently.
      if ((type == "decimal" || type == "tinyint" || type == "smallint" || type == "mediumint" || type == "int" ||
           type == "bigint") &&
          !rs->isNull(7))
        l.scale = rs->getInt(7);
      if (type == "date") l.date_only = true;
      if (type == "float") l.single_float = true;  // FLOAT(p > 24) is a DOUBLE, named so
      if (type == "double") l.double_float = true;  // REAL too, unless sql_mode has REAL_AS_FLOAT
      if (type == "float" || type == "double") l.no_negative_zero = true;  // MariaDB reads '-0' as 0
      if (type == "time") l.time_only = true;
      if (type == "json") l.unique_keys = true;  // MySQL's own JSON type; MariaDB's is LONGTEXT and keeps all
      limits_.push_back(l);
    }
    keys->setString(1, database_);
    keys->setString(2, table_);
    std::unique_ptr<sql::ResultSet> k(keys->executeQuery());
    unique_key_ = k->next() && k->getInt64(1) > 0;
  } catch (const sql::SQLException& e) {
    session_.fail(e, what);
  }
  engine_ = look_up_engine(session_, database_, table_, quoted_);
  loaded_ = true;
}

std::optional<size_t> TableInfo::column_index(std::string_view column) {
  if (!loaded_) load();
  for (size_t c = 0; c < columns_.size(); ++c)
    if (same_column(columns_[c], column)) return c;
  return std::nullopt;
}

bool TableInfo::exists() {
  if (!loaded_) load();
  return !columns_.empty();
}

bool TableInfo::has_column(std::string_view name) { return column_index(name).has_value(); }

bool TableInfo::has_unique_key() {
  if (!loaded_) load();
  return unique_key_;
}

void TableInfo::require_transactional() {
  if (!loaded_) load();
  ferry_mysql::require_transactional(engine_, quoted_);
}

ferry::support::ColumnLimits TableInfo::limits(std::string_view column) {
  const std::optional<size_t> c = column_index(column);
  return c ? limits_[*c] : ferry::support::ColumnLimits{};
}

bool TableInfo::takes_loaded_values(std::string_view column) {
  const std::optional<size_t> c = column_index(column);
  return c && !generated_[*c];
}

void TableInfo::create(const std::vector<NewColumn>& columns, const std::vector<std::string>& key) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quoted_ + " (";
  std::string key_collation;
  for (size_t f = 0; f < columns.size(); ++f) {
    bool is_key = false;
    for (const std::string& k : key) is_key = is_key || same_column(k, columns[f].name);
    if (f > 0) sql += ", ";
    sql += quote_ident(columns[f].name) + " " + columns[f].type;
    // Only the keys: the table's other text keeps utf8mb4_bin, which a JSON
    // column has too (an expression over columns of two collations fails
    // with "Illegal mix of collations").
    if (is_key && plain_text_type(columns[f].type)) {
      if (key_collation.empty()) key_collation = exact_collation(session_);
      sql += " CHARACTER SET utf8mb4 COLLATE " + key_collation;
    }
    sql += is_key ? " NOT NULL" : " NULL";
  }
  if (!key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < key.size(); ++i) sql += (i > 0 ? ", " : "") + quote_ident(key[i]);
    sql += ")";
  }
  sql += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  session_.exec(sql, "creating table " + quoted_);
  loaded_ = false;
}

void TableInfo::add_column(const NewColumn& column) {
  const std::string what = "adding column " + quote_ident(column.name) + " to table " + quoted_;
  session_.ensure_connected();
  try {
    std::unique_ptr<sql::Statement> st(session_.raw().createStatement());
    st->execute("ALTER TABLE " + quoted_ + " ADD COLUMN " + quote_ident(column.name) + " " + column.type + " NULL");
  } catch (const sql::SQLException& e) {
    // Another writer (a parallel worker's sink) added it since the columns
    // were read: the column is there, which is all this call wanted. (MySQL
    // has no ADD COLUMN IF NOT EXISTS; MariaDB's would not be portable.)
    if (error_code(e) != kDuplicateColumn) session_.fail(e, what);
  }
  loaded_ = false;
}

}  // namespace ferry_mysql
