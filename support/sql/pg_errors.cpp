#include "sql/pg_errors.h"

namespace ferry::support {

FerryStatus status_of_sqlstate(std::string_view s, bool connection_lost) {
  if (connection_lost) return FERRY_RETRY;
  if (s.size() != 5) return FERRY_ERROR_IO;  // client-side failure without a SQLSTATE
  const std::string_view cls = s.substr(0, 2);

  // Transient: the same statement can succeed later.
  if (cls == "08") return FERRY_RETRY;  // connection exception
  if (s == "40001" || s == "40P01") return FERRY_RETRY;  // serialization failure, deadlock
  if (s == "55P03") return FERRY_RETRY;                  // lock not available
  // A prepared statement the session does not have: a pooler in transaction
  // mode handed out another session. Prepared again on the next attempt.
  if (s == "26000") return FERRY_RETRY;
  if (s == "57P01" || s == "57P02" || s == "57P03") return FERRY_RETRY;  // shutdown, crash, starting
  if (s == "57014") return FERRY_RETRY;                  // statement timeout / cancel
  if (s == "53300" || s == "53200") return FERRY_RETRY;  // too many connections, out of memory

  // The data: isolate the record.
  if (cls == "22" || cls == "23") return FERRY_INVALID_DATA;
  if (s == "21000") return FERRY_INVALID_DATA;  // cardinality violation

  // Fatal: no retry helps until a person acts.
  if (cls == "28" || s == "42501") return FERRY_ERROR_AUTH;
  if (cls == "42" || cls == "3D" || cls == "3F" || cls == "0A") return FERRY_ERROR_CONFIG;
  if (cls == "XX") return FERRY_ERROR_INTERNAL;
  return FERRY_ERROR_IO;  // 53100 disk full, 58*** system errors, anything unknown
}

}  // namespace ferry::support
