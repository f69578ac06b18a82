// Checkpoints kept in the target database (`ferry_checkpoints` by default),
// so that a commit stores the rows and the position that produced them in
// one InnoDB transaction: exactly-once.
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
  // Upserts inside the caller's open transaction.
  void save(std::string_view pipeline, const FerryCheckpoint& cp);
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
  std::unique_ptr<sql::PreparedStatement> upsert_;
  std::unique_ptr<sql::PreparedStatement> select_;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_CHECKPOINT_STORE_H_
