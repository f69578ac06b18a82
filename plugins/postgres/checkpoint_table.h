// The sink's checkpoint table: (pipeline, partition) -> position, written
// in the same transaction as the rows it covers, and the fencing token of
// the worker that may commit the partition (workers sharing a pipeline).
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
  // In the caller's transaction. With a fence token (ABI 1.6) the upsert
  // only happens while no larger token fenced the partition; else it throws
  // Error(FERRY_FENCED) and the caller's transaction must roll back.
  void save(Connection& c, const FerryCheckpoint& cp, std::string_view fallback_pipeline);
  // Outside any transaction: from now on commits of the partition with a
  // token below `token` are refused. Waits for a commit in flight; throws
  // Error(FERRY_FENCED) when a larger token fenced it already.
  void fence(Connection& c, std::string_view pipeline, std::string_view partition, uint64_t token);
  // The stored checkpoint, once no commit of it is in flight (the sink's
  // own open transaction aside: with `in_transaction` it reads in that).
  std::optional<std::string> load(Connection& c, std::string_view pipeline, std::string_view partition,
                                       bool in_transaction);

 private:
  std::optional<std::string> read(Connection& c, const std::string& pipeline, const std::string& partition);
  // A table created before fencing gains its column (and a fence-only row
  // needs no position) the first time a token is used.
  // `remember`: outside a transaction, so the column stays.
  void ensure_fence_column(Connection& c, bool remember);
  std::string quoted_;
  bool fence_column_ = false;
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_CHECKPOINT_TABLE_H_
