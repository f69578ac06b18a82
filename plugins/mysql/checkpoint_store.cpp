#include "checkpoint_store.h"

#include <cppconn/resultset.h>

#include <ferry/plugin.hpp>

#include "collation.h"
#include "identifiers.h"
#include "table_info.h"

namespace ferry_mysql {
namespace {

sql::SQLString text(std::string_view v) { return sql::SQLString(v.data() ? v.data() : "", v.size()); }

}  // namespace

CheckpointStore::CheckpointStore(Session& session, std::string database, std::string table)
    : session_(session),
      database_(std::move(database)),
      table_(std::move(table)),
      quoted_(quote_table(database_, table_)) {}

void CheckpointStore::reset() {
  upsert_.reset();
  fenced_upsert_.reset();
  fence_select_.reset();
  select_.reset();
}

void CheckpointStore::ensure_table() {
  // Looked up first: CREATE TABLE IF NOT EXISTS needs the CREATE privilege
  // even when the table is there, and a locked-down account may lack it.
  const TableEngine engine = look_up_engine(session_, database_, table_, quoted_);
  require_transactional(engine, quoted_);
  const std::string collation = exact_collation(session_);
  if (engine.exists) {
    compare_names_exactly(collation);
    return;
  }
  // `partition` is a reserved word: every identifier is quoted.
  const std::string exact = " CHARACTER SET utf8mb4 COLLATE " + collation;
  session_.exec("CREATE TABLE IF NOT EXISTS " + quoted_ + " (`pipeline` VARCHAR(255)" + exact +
                    " NOT NULL, `partition` VARCHAR(255)" + exact +
                    " NOT NULL, `position` LONGBLOB, `run_id` VARCHAR(255), "
                    "`updated_at` DATETIME(6) NOT NULL, `fence` BIGINT UNSIGNED NOT NULL DEFAULT 0, "
                    "PRIMARY KEY (`pipeline`, `partition`)) "
                    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                "creating table " + quoted_);
  padded_names_ = collation == "utf8mb4_bin";
}

// Versions before 1.12 created the table with utf8mb4_bin, which ignores
// trailing spaces: partitions 'in/a' and 'in/a ' shared one row. The key
// columns are converted; where the server has no exact collation, or the
// account may not alter the table, names that end in spaces are refused.
void CheckpointStore::compare_names_exactly(const std::string& collation) {
  const std::string reading = "reading the key columns of " + quoted_;
  std::vector<std::string> modify;
  try {
    std::unique_ptr<sql::PreparedStatement> cols = session_.prepare(
        "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME IN ('pipeline', 'partition')",
        reading);
    cols->setString(1, database_);
    cols->setString(2, table_);
    std::unique_ptr<sql::ResultSet> rs(cols->executeQuery());
    while (rs->next()) {
      if (rs->isNull(4)) continue;  // VARBINARY: every byte counts
      const std::string type = rs->getString(2).asStdString();
      if (!ignores_trailing_spaces(session_, rs->getString(3).asStdString(), rs->getString(4).asStdString())) continue;
      padded_names_ = true;
      const bool plain_type = type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789()") == std::string::npos;
      if (plain_type) modify.push_back("MODIFY " + quote_ident(rs->getString(1).asStdString()) + " " + type +
                                       " CHARACTER SET utf8mb4 COLLATE " + collation + " NOT NULL");
    }
  } catch (const sql::SQLException& e) {
    session_.fail(e, reading);
  }
  if (!padded_names_ || collation == "utf8mb4_bin" || modify.empty()) return;
  std::string alter = "ALTER TABLE " + quoted_;
  for (size_t i = 0; i < modify.size(); ++i) alter += (i == 0 ? " " : ", ") + modify[i];
  // The ALTER waits for every transaction on the table, and other pipelines
  // sharing it wait behind the ALTER: bounded to seconds, not the server's
  // default of a day. Whatever stops it (no privilege, a lock held that
  // long), the table stays as it is and names ending in spaces are refused.
  const std::string what = "giving the key columns of " + quoted_ + " collation " + collation;
  try {
    session_.exec("SET SESSION lock_wait_timeout = 10", what);
    session_.exec(alter, what);
    padded_names_ = false;
  } catch (const ferry::Error&) {
  }
  try {
    session_.exec("SET SESSION lock_wait_timeout = @@GLOBAL.lock_wait_timeout", what);
  } catch (const ferry::Error&) {
  }
}

void CheckpointStore::require_exact(std::string_view pipeline, std::string_view partition) const {
  if (!padded_names_) return;
  for (const std::string_view name : {pipeline, partition})
    if (!name.empty() && name.back() == ' ')
      throw ferry::Error(FERRY_ERROR_CONFIG,
                         "mysql sink: checkpoint table " + quoted_ + " ignores trailing spaces in its keys, so '" +
                             std::string(name) + "' would share the checkpoint of the name without them; give its "
                             "`pipeline` and `partition` columns a collation that keeps them (utf8mb4_nopad_bin in "
                             "MariaDB, utf8mb4_0900_bin in MySQL 8) or the type VARBINARY(255)");
}

void CheckpointStore::save(std::string_view pipeline, const FerryCheckpoint& cp) {
  if (cp.struct_size < offsetof(FerryCheckpoint, run_id) + sizeof cp.run_id)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "mysql sink: checkpoint struct is too small");
  // Exceptions go to the caller: it knows what a failure means for the
  // open transaction.
  require_exact(pipeline, ferry::view(cp.partition));
  const uint64_t token = ferry::fence_token(cp);
  if (token == 0) {
    if (!upsert_) upsert_ = prepare_upsert(false);
    bind_checkpoint(*upsert_, pipeline, cp);
    upsert_->executeUpdate();
    return;
  }
  // The upsert locks the row; the fence it then holds says whether this
  // commit may stand (the caller rolls back when it may not).
  if (!fenced_upsert_) fenced_upsert_ = prepare_upsert(true);
  bind_checkpoint(*fenced_upsert_, pipeline, cp);
  fenced_upsert_->setUInt64(5, token);
  fenced_upsert_->executeUpdate();
  const uint64_t stored = stored_fence(pipeline, ferry::view(cp.partition));
  if (stored > token)
    throw ferry::Error(FERRY_FENCED, "mysql sink: partition '" + std::string(ferry::view(cp.partition)) +
                                         "' of table " + quoted_ + " was fenced with a newer token (" +
                                         std::to_string(stored) + ") than this commit's (" + std::to_string(token) +
                                         "): another worker owns it now; nothing of the batch was committed");
}

// The checkpoint upsert; `fenced` also raises the row's fence to the 5th
// parameter (a table from before fencing has no such column).
std::unique_ptr<sql::PreparedStatement> CheckpointStore::prepare_upsert(bool fenced) {
  return session_.prepare(
      "INSERT INTO " + quoted_ + " (`pipeline`, `partition`, `position`, `run_id`, `updated_at`" +
          (fenced ? ", `fence`" : "") + ") VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6)" + (fenced ? ", ?" : "") +
          ") ON DUPLICATE KEY UPDATE `position` = VALUES(`position`), `run_id` = VALUES(`run_id`), "
          "`updated_at` = VALUES(`updated_at`)" +
          (fenced ? ", `fence` = GREATEST(`fence`, VALUES(`fence`))" : ""),
      "preparing the checkpoint upsert into " + quoted_);
}

void CheckpointStore::bind_checkpoint(sql::PreparedStatement& upsert, std::string_view pipeline,
                                      const FerryCheckpoint& cp) {
  upsert.setString(1, text(pipeline));
  upsert.setString(2, text(ferry::view(cp.partition)));
  upsert.setString(3, text(ferry::view(cp.position)));
  upsert.setString(4, text(ferry::view(cp.run_id)));
}

uint64_t CheckpointStore::stored_fence(std::string_view pipeline, std::string_view partition) {
  if (!fence_select_)
    fence_select_ = session_.prepare("SELECT `fence` FROM " + quoted_ + " WHERE `pipeline` = ? AND `partition` = ?",
                                     "reading the fence in " + quoted_);
  fence_select_->setString(1, text(pipeline));
  fence_select_->setString(2, text(partition));
  std::unique_ptr<sql::ResultSet> rs(fence_select_->executeQuery());
  return rs->next() ? rs->getUInt64(1) : 0;
}

void CheckpointStore::fence(std::string_view pipeline, std::string_view partition, uint64_t token) {
  require_exact(pipeline, partition);
  const std::string what = "fencing in " + quoted_;
  uint64_t stored = 0;
  try {
    if (!fence_column_) {
      std::unique_ptr<sql::PreparedStatement> has = session_.prepare(
          "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
          "AND COLUMN_NAME = 'fence'",
          what);
      has->setString(1, database_);
      has->setString(2, table_);
      std::unique_ptr<sql::ResultSet> rs(has->executeQuery());
      if (!rs->next())
        session_.exec("ALTER TABLE " + quoted_ + " ADD COLUMN `fence` BIGINT UNSIGNED NOT NULL DEFAULT 0",
                      "adding the fence column to " + quoted_);
      fence_column_ = true;
    }
    session_.exec("START TRANSACTION", what);
    std::unique_ptr<sql::PreparedStatement> up = session_.prepare(
        "INSERT INTO " + quoted_ +
            " (`pipeline`, `partition`, `position`, `run_id`, `updated_at`, `fence`) "
            "VALUES (?, ?, NULL, NULL, UTC_TIMESTAMP(6), ?) ON DUPLICATE KEY UPDATE "
            "`fence` = GREATEST(`fence`, VALUES(`fence`))",
        what);
    up->setString(1, text(pipeline));
    up->setString(2, text(partition));
    up->setUInt64(3, token);
    up->executeUpdate();
    stored = stored_fence(pipeline, partition);
    session_.exec("COMMIT", what);
  } catch (const sql::SQLException& e) {
    try {
      session_.exec("ROLLBACK", what);
    } catch (...) {
    }
    session_.fail(e, what);
  }
  if (stored > token)
    throw ferry::Error(FERRY_FENCED, "mysql sink: partition '" + std::string(partition) + "' of table " + quoted_ +
                                         " is fenced with token " + std::to_string(stored) + ", newer than " +
                                         std::to_string(token) + ": another worker owns it now");
}

std::optional<std::string> CheckpointStore::load(std::string_view pipeline,
                                                 std::string_view partition) {
  require_exact(pipeline, partition);
  const std::string what = "reading the checkpoint from " + quoted_;
  // A locking read: asked after a COMMIT whose answer was lost, it waits
  // for that transaction (still on its way, its row locked, even a row it
  // inserted) to end, and then reads the latest committed row, so the
  // answer is the commit's outcome, not what the row held before it.
  if (!select_)
    select_ = session_.prepare("SELECT `position` FROM " + quoted_ +
                                   " WHERE `pipeline` = ? AND `partition` = ? LOCK IN SHARE MODE",
                               what);
  try {
    select_->setString(1, text(pipeline));
    select_->setString(2, text(partition));
    std::unique_ptr<sql::ResultSet> rs(select_->executeQuery());
    // A row that only fences (no commit yet) holds no checkpoint.
    if (!rs->next() || rs->isNull(1)) return std::nullopt;
    return rs->getString(1).asStdString();
  } catch (const sql::SQLException& e) {
    session_.fail(e, what);
  }
}

}  // namespace ferry_mysql
