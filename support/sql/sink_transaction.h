// The transaction of a transactional SQL sink (postgres, mysql, sqlite),
// written once: each sink keeps only its dialect.
//
// Shape: the first write() after a commit begins a transaction; every
// write() runs inside a savepoint, so a failed call is undone alone and the
// rows of earlier calls (while the host bisects a batch, say) stay staged;
// commit() stores the checkpoint in the sink's checkpoint table and
// commits, so rows and checkpoint land together or not at all.
//
// Losses: when a failure takes the transaction with it (the connection
// died, or the server rolled everything back after a deadlock), a call that
// had nothing staged before it answers its own error (RETRY, and the host
// writes it again); once rows of earlier calls were lost, every write()
// fails fatally (the ABI's rule: the host must not commit the batch without
// them) and commit() answers RETRY (the host aborts and writes the whole
// batch again), until abort(). Nothing lost is ever committed as written.
//
// A COMMIT whose answer was lost answers RETRY and leaves the question of
// whether it landed to the host, which asks the sink's checkpoint() before
// writing the batch again (the sink reads it so that a COMMIT still on its
// way is waited for).
//
// Every failure is a ferry::Error (the dialect turns its driver's
// exceptions into one); the messages say who failed and where.
//
// Thread safety: none; one sink instance calls it serially.
#pragma once

#include <ferry/plugin.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ferry::support {

// What a failure took with it.
enum class Loss {
  kCall,         // the failed statement; the transaction stands
  kTransaction,  // the server rolled the whole transaction back
  kConnection,   // the connection died, and the transaction with it
};

// What one SQL dialect does; the transaction decides when.
class SinkDialect {
 public:
  virtual ~SinkDialect() = default;
  // Runs one statement; throws ferry::Error.
  virtual void exec(const std::string& sql, std::string_view what) = 0;
  // A statement whose answer nothing waits for (BEGIN, SAVEPOINT, RELEASE).
  // A dialect whose driver can may hold it and send it with the next one,
  // saving a round trip; its failure then surfaces there, and loss() must
  // not call it the next call's alone.
  virtual void exec_later(const std::string& sql, std::string_view what) { exec(sql, what); }
  virtual void save_checkpoint(const FerryCheckpoint& checkpoint) = 0;
  // Ends whatever is open; when it cannot, drops the connection (the server
  // rolls back what a closed connection had open).
  virtual void rollback() noexcept = 0;
  // Called while handling a failure (inside the catch): what it took.
  virtual Loss loss() noexcept = 0;
  // A transaction began.
  virtual void began() {}
  // Changes were undone: the whole transaction, or only the failed call
  // (what a sink learnt of its table in there, after DDL, is stale).
  virtual void rolled_back(bool whole_transaction) noexcept { (void)whole_transaction; }
};

// The statements, as one dialect spells them.
struct TransactionStatements {
  std::string begin;                  // "BEGIN", "START TRANSACTION", "BEGIN IMMEDIATE"
  std::string savepoint;              // "SAVEPOINT ferry_write"
  std::string release;                // empty: nothing to release
  std::string rollback_to_savepoint;  // leaves the transaction as before the call
  std::string commit = "COMMIT";
};

class SinkTransaction {
 public:
  // `who` starts messages ("postgres sink"); `where` names the target
  // ("table "t" at host:5432/db").
  SinkTransaction(SinkDialect& dialect, TransactionStatements sql, std::string who, std::string where)
      : dialect_(dialect), sql_(std::move(sql)), who_(std::move(who)), where_(std::move(where)) {}

  // Begins a transaction now if none is open (to read the table under the
  // transaction's locks, before the first write() of a batch).
  void begin();
  // One write() call: `work` runs inside a savepoint of the open
  // transaction (begun first when none is) and returns how many rows it
  // staged. A failure is rethrown after undoing the call.
  void write(const std::function<int64_t()>& work);
  // Runs `work` (a read of the sink's own tables, as checkpoint() does)
  // inside a savepoint of the open transaction: its failure is undone
  // alone, or, when it took the transaction with it, the staged rows are
  // known lost and commit() answers RETRY, as after a failed write(). With
  // no transaction open it just runs.
  void in_savepoint(const std::function<void()>& work);
  // Stores the checkpoint (when given) and commits; returns how many rows
  // the commit made durable. A commit without rows still moves the
  // checkpoint.
  int64_t commit(const FerryCheckpoint* checkpoint);
  // Rolls back what is staged; never throws.
  void abort() noexcept;
  // The connection went away between calls (a sink reconnecting, a
  // driver's disconnect callback): the transaction went with it.
  void connection_lost() noexcept;

  // Whether a transaction is open (DDL that commits implicitly must wait).
  bool open() const { return open_; }
  const std::string& where() const { return where_; }

 private:
  // The transaction is gone; staged rows with it.
  void ended(bool rows_lost) noexcept;
  // `work` inside a savepoint of the open transaction; returns its rows.
  int64_t run_in_savepoint(const std::function<int64_t()>& work);
  [[noreturn]] void rethrow_commit_failure();
  // The failure being handled, as RETRY with `why` added (unless it is one).
  [[noreturn]] void rethrow_as_retry(const char* why);

  SinkDialect& dialect_;
  TransactionStatements sql_;
  std::string who_;
  std::string where_;
  bool open_ = false;
  bool lost_staged_ = false;  // rows staged in this transaction died with it
  int64_t staged_ = 0;        // rows staged by successful writes since it began
};

}  // namespace ferry::support
