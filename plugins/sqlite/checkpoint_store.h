// Checkpoints kept in the target database itself, in `ferry_checkpoints`, so
// that a commit stores the rows and the position that produced them in one
// transaction (exactly-once).
#ifndef FERRY_PLUGINS_SQLITE_CHECKPOINT_STORE_H_
#define FERRY_PLUGINS_SQLITE_CHECKPOINT_STORE_H_

#include <ferry/plugin.h>

#include <optional>
#include <string>
#include <string_view>

#include "database.h"

namespace ferry_sqlite {

class CheckpointStore {
 public:
  // Creates the table if needed (outside any transaction).
  explicit CheckpointStore(Database& db);

  // Upserts inside the caller's open transaction.
  void save(const FerryCheckpoint& cp, std::string_view fallback_pipeline);
  std::optional<std::string> load(std::string_view pipeline, std::string_view partition);

 private:
  Database& db_;
  Statement upsert_;
  Statement select_;
};

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_CHECKPOINT_STORE_H_
