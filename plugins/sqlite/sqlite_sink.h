// The SQLite sink (FERRY_CAP_TRANSACTIONAL).
//
// Transaction shape: the first write after a commit begins an IMMEDIATE
// transaction; every write() runs inside a SAVEPOINT so that a failed call
// leaves the rows of earlier calls staged; commit() upserts the checkpoint
// into `ferry_checkpoints` and COMMITs, so rows and checkpoint land together.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_SQLITE_SQLITE_SINK_H_
#define FERRY_PLUGINS_SQLITE_SQLITE_SINK_H_

#include <array>
#include <ferry/plugin.hpp>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkpoint_store.h"
#include "database.h"
#include "options.h"
#include "table_schema.h"
#include "values.h"

namespace ferry_sqlite {

class SqliteSink final : public ferry::Sink {
 public:
  explicit SqliteSink(const ferry::Context& ctx);
  // `ferry validate` and the start of a run: the options alone (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  // Rolls back whatever was not committed: uncommitted rows must not appear.
  ~SqliteSink() override;

  void write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) override;
  void commit(const FerryCheckpoint* checkpoint) override;
  void abort() override;
  std::optional<std::string> checkpoint(std::string_view partition) override;

 private:
  // Statements for one column list, reused for every batch with that list.
  struct Prepared {
    Statement insert;
    Statement remove;                // upsert mode only
    std::vector<size_t> key_fields;  // batch field index of each key column
  };
  struct Rejection {
    size_t row;
    std::string message;
  };

  void configure_connection();
  void check_existing_table();
  void check_usable() const;
  void begin_if_needed();
  Prepared& prepared_for(const ferry::BatchView& batch);
  void fit_table(const ferry::BatchView& batch);
  TableSchema::NewColumn new_column(const ferry::BatchView& batch, size_t f) const;
  std::unique_ptr<Prepared> prepare(const ferry::BatchView& batch);
  void write_rows(const ferry::BatchView& batch, Prepared& p, std::vector<Rejection>* rejected);
  [[noreturn]] void fail_row(int rc, size_t row);
  // Undoes the current write() call; returns false if SQLite had already
  // rolled back the whole transaction.
  bool undo_call();
  void forget_schema_if_changed();

  ferry::Host host_;
  Options opts_;
  std::string pipeline_;
  std::string where_;  // `table "t" in /path`, for messages

  // Declared before everything holding statements: destroyed last.
  std::unique_ptr<Database> db_;
  std::unique_ptr<TableSchema> schema_;
  std::unique_ptr<CheckpointStore> checkpoints_;
  std::unordered_map<std::string, std::unique_ptr<Prepared>> prepared_;
  std::vector<std::array<char, kTimestampTextSize>> scratch_;  // timestamp text per field

  bool in_txn_ = false;
  bool ddl_in_txn_ = false;  // CREATE/ALTER since the last commit
  bool txn_lost_ = false;    // SQLite rolled back staged rows: only abort() may follow
  int64_t staged_rows_ = 0;
};

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_SQLITE_SINK_H_
