// Options of the mysql sink.
#ifndef FERRY_PLUGINS_MYSQL_SINK_OPTIONS_H_
#define FERRY_PLUGINS_MYSQL_SINK_OPTIONS_H_

#include <sql/schema_contract.h>

#include <cstdint>
#include <string>
#include <vector>

#include "connection_options.h"

namespace ferry {
class Context;
}

namespace ferry_mysql {

enum class WriteMode {
  kAppend,  // INSERT; deletes are rejected per row
  kUpsert,  // INSERT .. ON DUPLICATE KEY UPDATE; deletes by key
};

struct SinkOptions {
  ConnectionOptions connection;
  std::string table;
  WriteMode mode = WriteMode::kAppend;
  // Key columns: the PRIMARY KEY of a created table and the match of
  // deletes. Empty: the batch's key fields (FERRY_FIELD_KEY) in upsert mode.
  std::vector<std::string> key;
  bool create_table = true;
  std::string checkpoint_table = "ferry_checkpoints";
  // Rows per multi-row INSERT (also capped by 65535 placeholders and ~4 MiB).
  int64_t rows_per_statement = 1000;
  // Append mode: batches go as LOAD DATA LOCAL INFILE (load_file.h), a
  // batch the server warns about again as INSERT.
  bool load_data = true;
  ferry::support::SchemaContract contract;  // "columns", "schema_changes"
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
SinkOptions parse_sink_options(const ferry::Context& ctx);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_SINK_OPTIONS_H_
