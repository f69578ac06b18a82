#include "source_table.h"

#include <ferry/plugin.hpp>

#include <map>

namespace ferry_maria_cdc {
namespace {

[[noreturn]] void refuse(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "mariadb-cdc source: " + message);
}

// Character sets whose bytes are UTF-8 already: the binlog holds a text
// column's bytes as stored, the copy as converted to the connection's
// utf8mb4, and the two must be the same bytes.
bool utf8_bytes(const std::string& charset) {
  return charset == "utf8mb4" || charset == "utf8mb3" || charset == "utf8" || charset == "ascii";
}

// COLLATION_CHARACTER_SET_APPLICABILITY lists every collation with its id
// from MariaDB 10.10 on, the UCA 14.0 ones too; COLLATIONS lists the older
// ones, on every version.
void read_server_collations(MariaLink& link, SourceTable& t) {
  std::vector<Row> rows;
  try {
    rows = link.rows("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY",
                     "reading the server's collations");
  } catch (const ferry::Error&) {
    rows = link.rows("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS",
                     "reading the server's collations");
  }
  for (const Row& r : rows) {
    const auto id = static_cast<uint32_t>(std::stoul(r[0].value_or("0")));
    const std::string charset = r[1].value_or("");
    t.charset_of_collation[id] = charset;
    if (utf8_bytes(charset)) t.utf8_collations.insert(id);
  }
}

}  // namespace

SourceTable read_source_table(MariaLink& link, const std::string& database, const std::string& table) {
  SourceTable t;
  t.database = database;
  t.name = table;
  t.quoted = MariaLink::quote_ident(database) + "." + MariaLink::quote_ident(table);
  const std::string where = "TABLE_SCHEMA = " + MariaLink::literal(database, false) +
                            " AND TABLE_NAME = " + MariaLink::literal(table, false);
  const std::vector<Row> engine = link.rows("SELECT ENGINE FROM information_schema.TABLES WHERE " + where,
                                            "looking up table " + t.quoted);
  if (engine.empty()) refuse("table " + t.quoted + " does not exist");
  // The copy's snapshot and the binlog position agree only for InnoDB.
  if (engine[0][0].value_or("") != "InnoDB")
    refuse("table " + t.quoted + " uses the " + engine[0][0].value_or("?") +
           " engine; the copy needs InnoDB's consistent snapshot to know where the binlog stands");

  static const std::map<std::string, Kind> kKinds = {
      {"tinyint", Kind::kInt},    {"smallint", Kind::kInt},   {"mediumint", Kind::kInt},
      {"int", Kind::kInt},        {"bigint", Kind::kInt},     {"decimal", Kind::kDecimal},
      {"float", Kind::kFloat},    {"double", Kind::kDouble},  {"year", Kind::kYear},
      {"date", Kind::kDate},      {"datetime", Kind::kDatetime}, {"timestamp", Kind::kTimestamp},
      {"time", Kind::kTime},      {"char", Kind::kText},      {"varchar", Kind::kText},
      {"tinytext", Kind::kText},  {"text", Kind::kText},      {"mediumtext", Kind::kText},
      {"longtext", Kind::kText},  {"binary", Kind::kBytes},   {"varbinary", Kind::kBytes},
      {"tinyblob", Kind::kBytes}, {"blob", Kind::kBytes},     {"mediumblob", Kind::kBytes},
      {"longblob", Kind::kBytes},
  };
  const std::vector<Row> cols = link.rows(
      "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, EXTRA FROM information_schema.COLUMNS "
      "WHERE " + where + " ORDER BY ORDINAL_POSITION",
      "reading the columns of " + t.quoted);
  for (const Row& r : cols) {
    ColumnKind c;
    c.name = r[0].value_or("");
    c.sql_type = r[2].value_or("");
    const std::string data_type = r[1].value_or("");
    const auto kind = kKinds.find(data_type);
    if (kind == kKinds.end())
      refuse("column '" + c.name + "' of " + t.quoted + " has type " + c.sql_type +
             ", which is not supported (the source reads integers, DECIMAL, FLOAT, DOUBLE, YEAR, DATE, DATETIME, "
             "TIMESTAMP, TIME, character and binary strings)");
    c.kind = kind->second;
    c.is_unsigned = c.sql_type.find("unsigned") != std::string::npos;
    if (c.kind == Kind::kInt && data_type == "bigint" && c.is_unsigned) c.kind = Kind::kUInt64;
    if (c.kind == Kind::kText && !utf8_bytes(r[3].value_or("")))
      refuse("column '" + c.name + "' of " + t.quoted + " has character set " + r[3].value_or("?") +
             ", which is not supported (utf8mb4, utf8mb3 and ascii columns are)");
    // A COMPRESSED column's binlog values are compressed bytes.
    if (c.sql_type.find("COMPRESSED") != std::string::npos)
      refuse("column '" + c.name + "' of " + t.quoted + " is a COMPRESSED column, which is not supported");
    // A virtual column is computed, never stored: the binlog leaves it out.
    if (r[4].value_or("").find("VIRTUAL") != std::string::npos)
      refuse("column '" + c.name + "' of " + t.quoted + " is a virtual column, which is not supported");
    t.columns.push_back(std::move(c));
  }
  const std::vector<Row> key = link.rows(
      "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE " + where +
          " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
      "reading the primary key of " + t.quoted);
  for (const Row& r : key) {
    t.key.push_back(r[0].value_or(""));
    // A float key prints rounded: the copy could not page past it exactly.
    for (const ColumnKind& c : t.columns)
      if (c.name == t.key.back() && (c.kind == Kind::kFloat || c.kind == Kind::kDouble))
        refuse("primary key column '" + c.name + "' of " + t.quoted + " is a " + c.sql_type +
               "; a floating-point primary key is not supported");
  }
  if (t.key.empty())
    refuse("table " + t.quoted + " has no primary key; changes are applied by key, so the table needs one");
  read_server_collations(link, t);
  return t;
}

}  // namespace ferry_maria_cdc
