// Type mapping in both directions: MySQL result columns to Ferry fields (the
// source) and Ferry fields to MySQL column types (the sink's CREATE TABLE).
// docs/connectors/mysql.md has the table; keep the two in step.
#ifndef FERRY_PLUGINS_MYSQL_COLUMN_TYPES_H_
#define FERRY_PLUGINS_MYSQL_COLUMN_TYPES_H_

#include <ferry/plugin.h>

#include <string>

namespace sql {
class ResultSetMetaData;
}

namespace ferry_mysql {

// How the source reads one column; decides the getter and the Ferry type.
enum class ReadAs {
  kInt64,      // TINYINT..BIGINT signed, INT UNSIGNED and smaller, YEAR
  kUInt64Dec,  // BIGINT UNSIGNED: exceeds int64, so exact DECIMAL text
  kBits,       // BIT(n): the bits as an integer
  kFloat,      // FLOAT: the shortest decimal that reads back the same float
  kDouble,     // DOUBLE
  kDecimal,    // DECIMAL/NUMERIC, selected as CHAR (the binary protocol
               // truncates long decimals in Connector/C++ 1.1)
  kText,       // CHAR, VARCHAR, TEXT, ENUM, SET
  kTime,       // TIME, selected as CHAR: the server's text keeps the
               // declared fraction digits, the connector's drops zeros
  kDate,       // DATE, selected as CHAR: the connector prints years below
               // 1000 unpadded ("69-12-31"), which reads back as 2069
  kBytes,      // BINARY, VARBINARY, BLOB, GEOMETRY (WKB)
  kJson,       // JSON (MySQL's type, or MariaDB's LONGTEXT CHECK json_valid)
  kDatetime,   // DATETIME and TIMESTAMP: microseconds UTC
};

struct SourceColumn {
  std::string name;
  ReadAs read_as = ReadAs::kText;
  FerryType type = FERRY_TYPE_STRING;
  bool is_integer = false;   // usable as partition_column
};

// Column `index` (1-based) of a result; `json` says MariaDB marked it JSON.
SourceColumn describe_column(sql::ResultSetMetaData& meta, unsigned index, bool json);

// Ferry type of a ReadAs.
FerryType ferry_type(ReadAs read_as);

// Column type the sink creates for a field; key columns need a bounded
// length to be indexable.
std::string mysql_column_type(FerryType type, bool is_key);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_COLUMN_TYPES_H_
