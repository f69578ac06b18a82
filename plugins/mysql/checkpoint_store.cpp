#include "checkpoint_store.h"

#include <cppconn/resultset.h>

#include <ferry/plugin.hpp>

#include "identifiers.h"

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
  select_.reset();
}

void CheckpointStore::ensure_table() {
  // Looked up first: CREATE TABLE IF NOT EXISTS needs the CREATE privilege
  // even when the table is there, and a locked-down account may lack it.
  std::unique_ptr<sql::PreparedStatement> find = session_.prepare(
      "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      "looking for table " + quoted_);
  try {
    find->setString(1, database_);
    find->setString(2, table_);
    std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
    if (rs->next()) return;
  } catch (const sql::SQLException& e) {
    session_.fail(e, "looking for table " + quoted_);
  }
  // `partition` is a reserved word: every identifier is quoted.
  session_.exec("CREATE TABLE IF NOT EXISTS " + quoted_ +
                    " (`pipeline` VARCHAR(255) NOT NULL, `partition` VARCHAR(255) NOT NULL, "
                    "`position` LONGBLOB, `run_id` VARCHAR(255), "
                    "`updated_at` DATETIME(6) NOT NULL, PRIMARY KEY (`pipeline`, `partition`)) "
                    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                "creating table " + quoted_);
}

void CheckpointStore::save(std::string_view pipeline, const FerryCheckpoint& cp) {
  if (cp.struct_size < offsetof(FerryCheckpoint, run_id) + sizeof cp.run_id)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "mysql sink: checkpoint struct is too small");
  if (!upsert_)
    upsert_ = session_.prepare(
        "INSERT INTO " + quoted_ +
            " (`pipeline`, `partition`, `position`, `run_id`, `updated_at`) "
            "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
            "`position` = VALUES(`position`), `run_id` = VALUES(`run_id`), "
            "`updated_at` = VALUES(`updated_at`)",
        "preparing the checkpoint upsert into " + quoted_);
  // Exceptions go to the caller: it knows what a failure means for the
  // open transaction.
  upsert_->setString(1, text(pipeline));
  upsert_->setString(2, text(ferry::view(cp.partition)));
  upsert_->setString(3, text(ferry::view(cp.position)));
  upsert_->setString(4, text(ferry::view(cp.run_id)));
  upsert_->executeUpdate();
}

std::optional<std::string> CheckpointStore::load(std::string_view pipeline,
                                                 std::string_view partition) {
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
    if (!rs->next()) return std::nullopt;
    return rs->getString(1).asStdString();
  } catch (const sql::SQLException& e) {
    session_.fail(e, what);
  }
}

}  // namespace ferry_mysql
