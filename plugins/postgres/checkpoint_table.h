// The sink's checkpoint table: (pipeline, partition) -> position, written
// in the same transaction as the rows it covers.
#ifndef FERRY_PLUGINS_POSTGRES_CHECKPOINT_TABLE_H_
#define FERRY_PLUGINS_POSTGRES_CHECKPOINT_TABLE_H_

#include <ferry/plugin.h>

#include <optional>
#include <string>
#include <string_view>

#include "connection.h"
#include "ident.h"

namespace ferry_pg {

class CheckpointTable {
 public:
  explicit CheckpointTable(TableName name) : quoted_(name.quoted()) {}

  const std::string& quoted() const { return quoted_; }
  // Creates the table if it is missing (needs CREATE only then).
  void ensure(Connection& c);
  void save(Connection& c, const FerryCheckpoint& cp, std::string_view fallback_pipeline);
  // The stored checkpoint, once no commit of it is in flight (the sink's
  // own open transaction aside: with `in_transaction` it reads in that).
  std::optional<std::string> load(Connection& c, std::string_view pipeline, std::string_view partition,
                                       bool in_transaction);

 private:
  std::optional<std::string> read(Connection& c, const std::string& pipeline, const std::string& partition);
  std::string quoted_;
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_CHECKPOINT_TABLE_H_
