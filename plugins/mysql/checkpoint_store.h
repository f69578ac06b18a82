// Checkpoints kept in the target database (`ferry_checkpoints` by default),
// so that a commit stores the rows and the position that produced them in
// one InnoDB transaction: exactly-once. With workers sharing a pipeline, each
// row also keeps the largest fencing token the partition was fenced with;
// a row that only fences (no commit yet) has a NULL position.
//
// When the connection dies during COMMIT nobody knows whether it landed;
// the host asks load() before writing the batch again, and load() answers
// with the commit's outcome (see there).
#ifndef FERRY_PLUGINS_MYSQL_CHECKPOINT_STORE_H_
#define FERRY_PLUGINS_MYSQL_CHECKPOINT_STORE_H_

#include <cppconn/prepared_statement.h>
#include <ferry/plugin.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "session.h"

namespace ferry_mysql {

class CheckpointStore {
 public:
  CheckpointStore(Session& session, std::string database, std::string table);

  // Creates the table if missing (outside any transaction).
  void ensure_table();
  // Upserts inside the caller's open transaction. With a fence token (ABI
  // 1.6) it throws Error(FERRY_FENCED) when a larger token fenced the
  // partition; the caller's transaction must then roll back.
  void save(std::string_view pipeline, const FerryCheckpoint& cp);
  // Outside any transaction (it adds the fence column to an older table,
  // which commits implicitly in MySQL): from now on commits of the
  // partition with a smaller token are refused. Waits for a commit of it in
  // flight (the row lock); Error(FERRY_FENCED) when a larger token fenced it.
  void fence(std::string_view pipeline, std::string_view partition, uint64_t token);
  // The stored position, once no commit of it is in flight.
  std::optional<std::string> load(std::string_view pipeline, std::string_view partition);
  // Drops prepared statements (the connection is going away).
  void reset();

  const std::string& quoted() const { return quoted_; }

 private:
  Session& session_;
  std::string database_;
  std::string table_;
  std::string quoted_;
  uint64_t stored_fence(std::string_view pipeline, std::string_view partition);
  std::unique_ptr<sql::PreparedStatement> prepare_upsert(bool fenced);
  static void bind_checkpoint(sql::PreparedStatement& upsert, std::string_view pipeline, const FerryCheckpoint& cp);
  std::unique_ptr<sql::PreparedStatement> upsert_;
  std::unique_ptr<sql::PreparedStatement> fenced_upsert_;  // prepared once a worker commits with a token
  std::unique_ptr<sql::PreparedStatement> fence_select_;
  std::unique_ptr<sql::PreparedStatement> select_;
  bool fence_column_ = false;
  bool padded_names_ = false;  // the key columns ignore trailing spaces
  void compare_names_exactly(const std::string& collation);
  // Throws FERRY_ERROR_CONFIG for a name the table cannot tell apart.
  void require_exact(std::string_view pipeline, std::string_view partition) const;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_CHECKPOINT_STORE_H_
