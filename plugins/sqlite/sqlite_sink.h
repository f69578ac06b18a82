// The SQLite sink (FERRY_CAP_TRANSACTIONAL).
//
// Its transaction is the SQL sinks' one (support/sql/sink_transaction.h):
// a savepoint per write(), the checkpoint upserted into
// `ferry_checkpoints` and committed with the rows. This file keeps the
// dialect: an IMMEDIATE transaction, which takes the write lock at once, so
// that BUSY shows up before anything is staged.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_SQLITE_SQLITE_SINK_H_
#define FERRY_PLUGINS_SQLITE_SQLITE_SINK_H_

#include <array>
#include <ferry/plugin.hpp>
#include <sql/sink_transaction.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkpoint_store.h"
#include "database_claim.h"
#include "database.h"
#include "options.h"
#include "table_schema.h"
#include "values.h"

namespace ferry_sqlite {

class SqliteSink final : public ferry::Sink, private ferry::support::SinkDialect {
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
    std::vector<Affinity> affinities;  // per batch field, its column's
  };
  struct Rejection {
    size_t row;
    std::string message;
  };

  // SinkDialect
  void exec(const std::string& sql, std::string_view what) override;
  void save_checkpoint(const FerryCheckpoint& checkpoint) override;
  void rollback() noexcept override;
  ferry::support::Loss loss() noexcept override;
  void began() override { ddl_in_txn_ = false; }
  void rolled_back(bool whole_transaction) noexcept override;

  void configure_connection();
  // The table rules of this sink's options, made once at open.
  ferry::support::TableRules table_rules() const;
  Prepared& prepared_for(const ferry::BatchView& batch);
  std::unique_ptr<Prepared> prepare(const ferry::BatchView& batch);
  void write_rows(const ferry::BatchView& batch, Prepared& p, std::vector<Rejection>* rejected);
  [[noreturn]] void fail_row(int rc, size_t row);

  ferry::Host host_;
  Options opts_;
  std::string pipeline_;
  std::string where_;  // `table "t" in /path`, for messages
  std::optional<DatabaseClaim> claim_;  // the file, against another sink of the run

  // Declared before everything holding statements: destroyed last.
  std::unique_ptr<Database> db_;
  std::unique_ptr<TableSchema> schema_;
  std::unique_ptr<CheckpointStore> checkpoints_;
  std::unordered_map<std::string, std::unique_ptr<Prepared>> prepared_;
  std::vector<std::array<char, kTimestampTextSize>> scratch_;  // timestamp text per field
  std::unique_ptr<ferry::support::SinkTransaction> txn_;
  ferry::support::TableRules rules_;

  bool ddl_in_txn_ = false;  // CREATE/ALTER since the transaction began
};

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_SQLITE_SINK_H_
