#include "row_binder.h"

#include <cppconn/datatype.h>

#include <cmath>

#include "timestamp.h"

namespace ferry_mysql {

std::optional<std::string> unstorable(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_DOUBLE:
      if (!std::isfinite(v.as.f64)) return std::string("MySQL cannot store NaN or infinity");
      return std::nullopt;
    case FERRY_TYPE_NULL:
    case FERRY_TYPE_BOOL:
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_BYTES:
    case FERRY_TYPE_TIMESTAMP:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      return std::nullopt;
    default:
      return "unknown value type " + std::to_string(v.type);
  }
}

void bind_value(sql::PreparedStatement& stmt, unsigned index, const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_BOOL:
      stmt.setInt(index, v.as.boolean != 0 ? 1 : 0);
      return;
    case FERRY_TYPE_INT64:
      stmt.setInt64(index, v.as.i64);
      return;
    case FERRY_TYPE_DOUBLE:
      stmt.setDouble(index, v.as.f64);
      return;
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_BYTES:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      // Pointer + length: NUL bytes inside are kept.
      stmt.setString(index, sql::SQLString(v.as.bytes.data ? v.as.bytes.data : "", v.as.bytes.size));
      return;
    case FERRY_TYPE_TIMESTAMP: {
      char text[kDatetimeTextSize];
      const size_t n = format_datetime(v.as.i64, text);
      stmt.setString(index, sql::SQLString(text, n));
      return;
    }
    default:
      stmt.setNull(index, sql::DataType::SQLNULL);
      return;
  }
}

size_t wire_size(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_BYTES:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      return v.as.bytes.size + 9;
    case FERRY_TYPE_TIMESTAMP:
      return 27;
    default:
      return 9;
  }
}

}  // namespace ferry_mysql
