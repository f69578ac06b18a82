// The postgres sink (FERRY_CAP_TRANSACTIONAL).
//
// Its transaction is the SQL sinks' one (support/sql/sink_transaction.h):
// a savepoint per write(), the checkpoint upserted into the checkpoint
// table and committed with the rows. This file keeps the dialect and how
// rows travel.
//
// Append streams rows with COPY; upsert COPYs into a temporary staging
// table and merges with INSERT .. ON CONFLICT (key) DO UPDATE (and DELETE
// for delete records), keeping the last record per key of the call.
//
// Append checks rows as it encodes them, in one pass, and COPY starts with
// the first chunk, so the server works while the sink encodes (upsert, and
// a batch checked whole after an aborted COPY, check before sending).
// Binary COPY is tried when every column has a binary form; a value
// without one turns the batch to text, before the first chunk at the cost
// of the rows encoded so far, after it by aborting the COPY and running the
// call again from its savepoint (copy_rows).
//
// A connection lost in COMMIT leaves the outcome in doubt: the sink answers
// RETRY, and the host asks checkpoint() whether the batch landed before it
// writes the batch again. The commit holds an advisory lock on its
// checkpoint until it ends, and checkpoint() waits for it, so the answer is
// the outcome even while that COMMIT is still on its way to the server.
//
// Round trips: the statements whose answers nothing waits for (BEGIN,
// SAVEPOINT, the table lock, RELEASE, the checkpoint lock) are held and
// sent with the next one that has an answer (Connection::hold), so an
// append batch takes five: the column types, COPY's two, the checkpoint,
// COMMIT (more when a binary COPY was aborted).
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_POSTGRES_POSTGRES_SINK_H_
#define FERRY_PLUGINS_POSTGRES_POSTGRES_SINK_H_

#include <ferry/plugin.hpp>
#include <sql/sink_transaction.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkpoint_table.h"
#include "connection.h"
#include "copy_binary.h"
#include "row_check.h"
#include "sink_options.h"
#include "target_table.h"

namespace ferry_pg {

class PostgresSink final : public ferry::Sink, private ferry::support::SinkDialect {
 public:
  explicit PostgresSink(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  ~PostgresSink() override = default;  // closing the connection rolls back

  void write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) override;
  void commit(const FerryCheckpoint* checkpoint) override;
  void abort() override;
  std::optional<std::string> checkpoint(std::string_view partition) override;
  void fence(std::string_view partition, uint64_t token) override;

 private:
  // SinkDialect
  void exec(const std::string& sql, std::string_view what) override;
  void exec_later(const std::string& sql, std::string_view what) override;
  void save_checkpoint(const FerryCheckpoint& checkpoint) override;
  void rollback() noexcept override;
  ferry::support::Loss loss() noexcept override;
  void began() override;
  // A call in its own savepoint (a write, a checkpoint read) begins.
  void call_begins();
  void made_ddl();
  void rolled_back(bool whole_transaction) noexcept override;

  // A live connection; reconnects after a loss (telling the transaction,
  // which went with it). Throws RETRY when the server cannot be reached.
  Connection& connection();
  // The connection as it is, without reconnecting: inside a transaction a
  // new one would not have it.
  Connection& live();
  void drop_connection() noexcept;
  // Before binary COPY: locks the table and re-reads its column types.
  void pin_column_types(Connection& c);
  void fit_table(Connection& c, const ferry::BatchView& batch);
  // The table rules of this sink's options, made once at open.
  ferry::support::TableRules table_rules() const;
  // The checks of this batch's rows, with its columns' limits read now.
  RowCheck row_check(const ferry::BatchView& batch);
  // Formats the rows `check` keeps for COPY and streams them, binary when
  // binary_first() and every value has a binary form; returns how many.
  int64_t copy_rows(Connection& c, const std::string& copy_sql, const ferry::BatchView& batch, RowCheck& check,
                    bool with_op_columns);
  // One COPY of the kept rows; nothing when `binary` met a value without a
  // binary form before anything was sent. Met later, the COPY is aborted
  // and BinaryRefused thrown.
  std::optional<int64_t> stream_rows(Connection& c, const std::string& copy_sql, const ferry::BatchView& batch,
                                     RowCheck& check, bool with_op_columns, bool binary);
  // Whether a batch is tried in binary: every column has a binary form,
  // and, while prechecks_left_, every value of the batch too.
  bool binary_first(const ferry::BatchView& batch, RowCheck& check);
  void append_text_row(const ferry::BatchView& batch, size_t row, bool with_op_columns);
  // False, with nothing appended, when a value has no binary form.
  bool append_binary_row(const ferry::BatchView& batch, size_t row, bool with_op_columns);
  int64_t write_append(Connection& c, const ferry::BatchView& batch, RowCheck& check);
  int64_t write_upsert(Connection& c, const ferry::BatchView& batch, RowCheck& check);
  void ensure_stage(Connection& c, const ferry::BatchView& batch);
  [[noreturn]] void fail(FerryStatus status, const std::string& message) const;

  ferry::Host host_;
  SinkOptions opts_;
  std::string pipeline_;
  std::string where_;  // `table "t" at host:port/db`, for messages
  std::unique_ptr<Connection> conn_;
  TargetTable table_;
  CheckpointTable checkpoints_;
  std::unique_ptr<ferry::support::SinkTransaction> txn_;
  ferry::support::TableRules rules_;

  bool ddl_in_txn_ = false;       // CREATE/ALTER (or staging table) since BEGIN that stands
  bool ddl_before_call_ = false;  // ddl_in_txn_ when the current call's savepoint began
  bool ddl_in_call_ = false;      // DDL in the current call (undone if the call is)
  bool types_pinned_ = false;     // column types read under the table lock in this transaction
  std::string stage_signature_;  // columns of pg_temp.ferry_stage; empty: none
  std::vector<bool> array_cols_;  // per batch field: target column is an array
  std::vector<BinaryColumn> binary_cols_;  // per batch field: its column's binary encoder
  int prechecks_left_ = 0;        // batches still to check whole before binary, after an aborted COPY
  std::string buffer_;            // COPY data, reused
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_POSTGRES_SINK_H_
