// The mysql sink (FERRY_CAP_TRANSACTIONAL).
//
// Transaction shape: the first write after a commit runs START TRANSACTION;
// every write() runs inside SAVEPOINT ferry_write, so a failed call is undone
// alone and the rows of earlier calls stay staged; commit() upserts the
// checkpoint into the checkpoint table and COMMITs, so rows and checkpoint
// land together or not at all.
//
// Lost connections: the server rolls the open transaction back. The next
// call reconnects; if rows were staged, commit() answers RETRY so the host
// aborts and writes the batch again. A connection lost *during* COMMIT
// answers RETRY too; the host then asks checkpoint() whether the batch
// landed, which waits for that COMMIT if it is still on its way.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_MYSQL_MYSQL_SINK_H_
#define FERRY_PLUGINS_MYSQL_MYSQL_SINK_H_

#include <cppconn/prepared_statement.h>

#include <ferry/plugin.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkpoint_store.h"
#include "session.h"
#include "sink_options.h"
#include "table_info.h"

namespace ferry_mysql {

class MysqlSink final : public ferry::Sink {
 public:
  explicit MysqlSink(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  // Rolls back whatever was not committed: uncommitted rows must not appear.
  ~MysqlSink() override;

  void write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) override;
  void commit(const FerryCheckpoint* checkpoint) override;
  void abort() override;
  std::optional<std::string> checkpoint(std::string_view partition) override;

 private:
  // Statements for one column list.
  struct Plan {
    std::string insert_head;  // INSERT INTO t (a, b) VALUES
    std::string row_params;   // (?, ?)
    std::string tail;         // ON DUPLICATE KEY UPDATE ...
    size_t max_rows = 1;      // rows per statement
    std::vector<size_t> key_fields;
    std::map<size_t, std::unique_ptr<sql::PreparedStatement>> inserts;  // by row count
    std::unique_ptr<sql::PreparedStatement> remove;
  };
  struct Rejection {
    size_t row;
    std::string message;
  };

  void connect();
  void drop_statements();
  void transaction_lost();
  void begin_if_needed();
  std::vector<std::string> key_columns(const ferry::BatchView& batch) const;
  Plan& plan_for(const ferry::BatchView& batch);
  void fit_table(const ferry::BatchView& batch, const std::vector<std::string>& key);
  TableInfo::NewColumn new_column(const ferry::BatchView& batch, size_t f,
                                  const std::vector<std::string>& key) const;
  std::unique_ptr<Plan> make_plan(const ferry::BatchView& batch, const std::vector<std::string>& key);
  void write_rows(const ferry::BatchView& batch, Plan& plan, std::vector<Rejection>* rejected);
  void insert_rows(const ferry::BatchView& batch, Plan& plan, const std::vector<size_t>& rows);
  void delete_row(const ferry::BatchView& batch, Plan& plan, size_t row);
  void rollback_quietly();
  [[noreturn]] void fail(FerryStatus status, const std::string& message) const;

  ferry::Host host_;
  SinkOptions opts_;
  std::string pipeline_;
  std::string where_;  // "table `db`.`t`", for messages

  Session session_;
  TableInfo table_;
  CheckpointStore checkpoints_;
  std::unordered_map<std::string, std::unique_ptr<Plan>> plans_;

  bool in_txn_ = false;
  bool lost_staged_ = false;  // staged rows died with a transaction
  int64_t staged_rows_ = 0;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_MYSQL_SINK_H_
