// Options of the SQLite sink, from the typed options the host checked.
#ifndef FERRY_PLUGINS_SQLITE_OPTIONS_H_
#define FERRY_PLUGINS_SQLITE_OPTIONS_H_

#include <sql/schema_contract.h>

#include <string>
#include <vector>

namespace ferry {
class Context;
}

namespace ferry_sqlite {

enum class WriteMode {
  kAppend,  // INSERT; deletes are rejected per row
  kUpsert,  // INSERT .. ON CONFLICT(key) DO UPDATE; deletes by key
};

enum class Synchronous { kFull, kNormal };

struct Options {
  std::string path;  // as configured; resolved against base_dir by the sink
  std::string table;
  WriteMode mode = WriteMode::kAppend;
  // Key columns: the conflict target in upsert mode, and the PRIMARY KEY of a
  // table the sink creates (in append mode too, if given).
  std::vector<std::string> key;
  bool create_table = true;
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 5000;
  // Pinned column types and what a new field may do ("columns",
  // "schema_changes").
  ferry::support::SchemaContract contract;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_OPTIONS_H_
