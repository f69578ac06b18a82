// Options of the postgres sink.
#ifndef FERRY_PLUGINS_POSTGRES_SINK_OPTIONS_H_
#define FERRY_PLUGINS_POSTGRES_SINK_OPTIONS_H_

#include <sql/schema_contract.h>

#include <string>
#include <vector>

#include "ident.h"

namespace ferry {
class Context;
}

namespace ferry_pg {

enum class WriteMode {
  kAppend,  // COPY; deletes are rejected per row
  kUpsert,  // COPY to a staging table, INSERT .. ON CONFLICT (key); deletes by key
};

enum class CopyFormat {
  kAuto,  // append mode: binary when every value of a batch maps exactly onto its column, else text
  kText,  // always text
};

struct SinkOptions {
  std::string dsn;
  TableName table;
  WriteMode mode = WriteMode::kAppend;
  std::vector<std::string> key;  // conflict target; PRIMARY KEY of a created table
  bool create_table = true;
  CopyFormat copy_format = CopyFormat::kAuto;
  TableName checkpoint_table{"", "ferry_checkpoints"};
  ferry::support::SchemaContract contract;  // "columns", "schema_changes"
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option.
SinkOptions parse_sink_options(const ferry::Context& ctx);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_SINK_OPTIONS_H_
