#include "column_types.h"

#include <cppconn/datatype.h>
#include <cppconn/resultset_metadata.h>

namespace ferry_mysql {
namespace {

ReadAs read_as_of(sql::ResultSetMetaData& meta, unsigned i, bool json) {
  if (json) return ReadAs::kJson;
  const bool binary = std::string(meta.getColumnCharset(i)) == "binary";
  switch (meta.getColumnType(i)) {
    case sql::DataType::BIT:
      return ReadAs::kBits;
    case sql::DataType::TINYINT:
    case sql::DataType::SMALLINT:
    case sql::DataType::MEDIUMINT:
    case sql::DataType::INTEGER:
    case sql::DataType::YEAR:
      return ReadAs::kInt64;
    case sql::DataType::BIGINT:
      return meta.isSigned(i) ? ReadAs::kInt64 : ReadAs::kUInt64Dec;
    case sql::DataType::REAL:
      return ReadAs::kFloat;
    case sql::DataType::DOUBLE:
      return ReadAs::kDouble;
    case sql::DataType::DECIMAL:
    case sql::DataType::NUMERIC:
      return ReadAs::kDecimal;
    case sql::DataType::TIMESTAMP:
      return ReadAs::kDatetime;
    case sql::DataType::JSON:
      return ReadAs::kJson;
    case sql::DataType::TIME:
      return ReadAs::kTime;
    case sql::DataType::DATE:
      return ReadAs::kDate;
    case sql::DataType::BINARY:
    case sql::DataType::VARBINARY:
    case sql::DataType::LONGVARBINARY:
    case sql::DataType::GEOMETRY:
      return ReadAs::kBytes;
    case sql::DataType::CHAR:
    case sql::DataType::VARCHAR:
    case sql::DataType::LONGVARCHAR:
      // A text type with the binary charset holds bytes, not UTF-8.
      return binary ? ReadAs::kBytes : ReadAs::kText;
    default:  // ENUM, SET, and anything newer: its text form
      return ReadAs::kText;
  }
}

}  // namespace

FerryType ferry_type(ReadAs read_as) {
  switch (read_as) {
    case ReadAs::kInt64:
    case ReadAs::kBits:
      return FERRY_TYPE_INT64;
    case ReadAs::kUInt64Dec:
    case ReadAs::kDecimal:
      return FERRY_TYPE_DECIMAL;
    case ReadAs::kFloat:
    case ReadAs::kDouble:
      return FERRY_TYPE_DOUBLE;
    case ReadAs::kBytes:
      return FERRY_TYPE_BYTES;
    case ReadAs::kJson:
      return FERRY_TYPE_JSON;
    case ReadAs::kDatetime:
      return FERRY_TYPE_TIMESTAMP;
    case ReadAs::kText:
    case ReadAs::kTime:
    case ReadAs::kDate:
      break;
  }
  return FERRY_TYPE_STRING;
}

SourceColumn describe_column(sql::ResultSetMetaData& meta, unsigned index, bool json) {
  SourceColumn c;
  c.name = meta.getColumnLabel(index);
  c.read_as = read_as_of(meta, index, json);
  c.type = ferry_type(c.read_as);
  c.is_integer = c.read_as == ReadAs::kInt64 || c.read_as == ReadAs::kUInt64Dec;
  return c;
}

std::string mysql_column_type(FerryType type, bool is_key) {
  switch (type) {
    case FERRY_TYPE_INT64:
      return "BIGINT";
    case FERRY_TYPE_DOUBLE:
      return "DOUBLE";
    case FERRY_TYPE_BOOL:
      return "BOOLEAN";
    case FERRY_TYPE_BYTES:
      return is_key ? "VARBINARY(255)" : "LONGBLOB";
    case FERRY_TYPE_TIMESTAMP:
      return "DATETIME(6)";
    case FERRY_TYPE_JSON:
      return "JSON";
    case FERRY_TYPE_DECIMAL:
      return "DECIMAL(65,30)";
    default:  // STRING, and NULL-only fields: text holds anything later
      return is_key ? "VARCHAR(255)" : "LONGTEXT";
  }
}

}  // namespace ferry_mysql
