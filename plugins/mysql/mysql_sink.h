// The mysql sink (FERRY_CAP_TRANSACTIONAL).
//
// Its transaction is the SQL sinks' one (support/sql/sink_transaction.h):
// a savepoint per write(), the checkpoint upserted into the checkpoint
// table and committed with the rows. This file keeps the dialect: DDL
// commits implicitly in MySQL, so tables change only while no transaction
// is open; a deadlock takes the whole transaction; a lost connection is
// learnt through the session's disconnect callback.
//
// A connection lost *during* COMMIT answers RETRY; the host then asks
// checkpoint() whether the batch landed, which waits for that COMMIT if it
// is still on its way.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_MYSQL_MYSQL_SINK_H_
#define FERRY_PLUGINS_MYSQL_MYSQL_SINK_H_

#include <cppconn/prepared_statement.h>

#include <ferry/plugin.hpp>
#include <sql/sink_transaction.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkpoint_store.h"
#include "load_file.h"
#include "session.h"
#include "sink_options.h"
#include "table_info.h"

namespace ferry_mysql {

class MysqlSink final : public ferry::Sink, private ferry::support::SinkDialect {
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
  void fence(std::string_view partition, uint64_t token) override;

 private:
  // Statements for one column list.
  struct Plan {
    std::string insert_head;  // INSERT INTO t (a, b) VALUES
    std::string row_params;   // (?, ?)
    std::string tail;         // ON DUPLICATE KEY UPDATE ...
    size_t max_rows = 1;      // rows per statement
    std::vector<size_t> key_fields;
    std::vector<ferry::support::ColumnLimits> limits;  // by field
    std::map<size_t, std::unique_ptr<sql::PreparedStatement>> inserts;  // by row count
    std::unique_ptr<sql::PreparedStatement> remove;
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

  // After a ROLLBACK: whether changes stayed because the table's engine
  // can no longer roll back.
  void note_unreverted_changes();
  // Throws FERRY_ERROR_CONFIG once a rollback left changes behind.
  void stop_if_unreverted();
  // Throws `e` as a classified ferry::Error, remembering its code for loss().
  [[noreturn]] void fail(const sql::SQLException& e, std::string_view what);
  void drop_statements();
  std::vector<std::string> key_columns(const ferry::BatchView& batch) const;
  Plan& plan_for(const ferry::BatchView& batch);
  void fit_table(const ferry::BatchView& batch, const std::vector<std::string>& key);
  ferry::support::TableRules table_rules(const std::vector<std::string>& key) const;
  std::unique_ptr<Plan> make_plan(const ferry::BatchView& batch, const std::vector<std::string>& key);
  void write_rows(const ferry::BatchView& batch, Plan& plan, std::vector<Rejection>* rejected);
  // The rows the table can take, in order; the others go to `rejected`.
  std::vector<size_t> accept_rows(const ferry::BatchView& batch, const Plan& plan, size_t max_packet,
                                  std::vector<Rejection>* rejected) const;
  // The connection's max_allowed_packet, read once per connection.
  size_t max_packet();
  // LOAD DATA of `rows`; false when they must go as INSERT instead (then
  // nothing of them stays staged).
  bool load_rows(const ferry::BatchView& batch, const std::vector<size_t>& rows);
  // Multi-row INSERTs, and deletes in their place (upsert mode).
  void insert_in_order(const ferry::BatchView& batch, Plan& plan, const std::vector<size_t>& rows,
                       size_t max_packet);
  void insert_rows(const ferry::BatchView& batch, Plan& plan, const std::vector<size_t>& rows);
  void delete_row(const ferry::BatchView& batch, Plan& plan, size_t row);
  [[noreturn]] void fail(FerryStatus status, const std::string& message) const;

  ferry::Host host_;
  SinkOptions opts_;
  std::string pipeline_;
  std::string where_;  // "table `db`.`t`", for messages

  Session session_;
  TableInfo table_;
  CheckpointStore checkpoints_;
  std::unordered_map<std::string, std::unique_ptr<Plan>> plans_;
  std::unique_ptr<ferry::support::SinkTransaction> txn_;
  std::unique_ptr<LoadFile> load_file_;  // made on first use
  bool load_data_;                       // off once the server refused LOAD DATA LOCAL
  bool warned_fallback_ = false;         // the first fallback to INSERT is logged
  std::string unreverted_engine_;  // set once a rollback left changes: the engine now
  size_t max_packet_ = 0;
  uint64_t max_packet_generation_ = 0;   // the connection max_packet_ was read on
  int last_error_code_ = 0;  // of the failure being handled, for loss()
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_MYSQL_SINK_H_
