// What a state store needs of its database, so that the store itself
// (sql_state_store.cpp) is written once: statements with bound values and
// rows read back, transactions, and the few things each back end does its
// own way — its DLQ layout, its run lock, how a lost connection is retried.
// A back end is SQLite (sqlite_backend.cpp) or PostgreSQL
// (postgres_backend.cpp).
//
// Statements are written in PostgreSQL's form ($1, $2, ...; a value may be
// used twice) and in SQL both databases read; a back end translates what it
// must. SQL text is only ever built from fixed fragments.
//
// Thread-safety: none. The store calls a back end under its own mutex.
// Failures are thrown as core::Error.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "state/state_store.h"

namespace ferry::core::state_sql {

// One bound value. Bytes go as a BLOB / BYTEA, so any byte survives.
struct Param {
  enum class Kind { kNull, kInteger, kText, kBytes };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  std::string text;  // kText, kBytes
};

class Params {
 public:
  Params& text(std::string_view v) { return add({Param::Kind::kText, 0, std::string(v)}); }
  Params& bytes(std::string_view v) { return add({Param::Kind::kBytes, 0, std::string(v)}); }
  Params& integer(int64_t v) { return add({Param::Kind::kInteger, v, {}}); }
  Params& null() { return add({}); }
  const std::vector<Param>& values() const { return values_; }

 private:
  Params& add(Param p) {
    values_.push_back(std::move(p));
    return *this;
  }
  std::vector<Param> values_;
};

// A query's rows, read whole; rows and columns 0-based. NULL reads as empty
// or 0. Text and bytes read alike: the back end knows which a column holds.
class Rows {
 public:
  using Cell = std::variant<std::monostate, int64_t, std::string>;
  explicit Rows(int columns) : columns_(columns) {}
  // Each alternative built in place: moving a whole Cell in trips GCC's
  // -Wmaybe-uninitialized at -O3.
  void add(std::monostate) { cells_.emplace_back(); }
  void add(int64_t v) { cells_.emplace_back(std::in_place_index<1>, v); }
  void add(std::string v) { cells_.emplace_back(std::in_place_index<2>, std::move(v)); }

  int count() const { return columns_ == 0 ? 0 : static_cast<int>(cells_.size()) / columns_; }
  std::string text(int row, int col) const;
  int64_t integer(int row, int col) const;

 private:
  const Cell& at(int row, int col) const { return cells_[static_cast<size_t>(row) * columns_ + col]; }
  int columns_;
  std::vector<Cell> cells_;
};

// How hard a write is made durable. Relaxed: losing it to a power cut (not
// to a process crash) only makes a batch come again. A back end that makes
// every commit durable anyway may ignore it.
enum class Durability { kFull, kRelaxed };

// Rolls back when destroyed unless committed.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual void commit() = 0;
};

// A back end's DLQ; see StateStore for what each operation does.
// insert_dlq and change_dlq run inside the caller's transaction (the
// store's add_dlq is insert_dlq in one of its own), the others each in
// its own.
class DlqTables {
 public:
  virtual ~DlqTables() = default;
  virtual void insert_dlq(const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids) = 0;
  virtual void change_dlq(const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now) = 0;
  virtual std::vector<DlqEntry> list_dlq(const DlqFilter& filter) = 0;
  virtual std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) = 0;
  virtual void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                          const std::optional<std::string>& message, const std::optional<int64_t>& attempts) = 0;
  virtual std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) = 0;
  virtual int64_t last_dlq_id(const std::string& pipeline) = 0;
};

class StateBackend {
 public:
  virtual ~StateBackend() = default;

  // "state store <where>" starts every message; this is the <where>.
  virtual const std::string& label() const = 0;

  // Runs one operation of the store. A back end whose connection can be
  // lost runs it once more on a new connection when it had changed nothing.
  virtual void attempt(const std::function<void()>& operation) = 0;

  virtual Rows query(const std::string& sql, const Params& params) = 0;
  // Returns the rows it changed. `durability` counts only outside a transaction.
  virtual int64_t exec(const std::string& sql, const Params& params,
                       Durability durability = Durability::kFull) = 0;
  virtual std::unique_ptr<Transaction> begin(Durability durability) = 0;
  // Makes every commit so far durable, the relaxed ones too: a power cut
  // cannot take them back after it. Nothing to do where every commit is
  // durable anyway (PostgreSQL), or in memory.
  virtual void sync() {}

  // The column that orders schema_versions rows as they were added.
  virtual const char* insertion_order() const = 0;

  // The DLQ, whose tables each back end lays out for its own planner.
  virtual DlqTables& dlq() = 0;

  // The run lock: a file lock beside a SQLite file, a lock in this process
  // for memory, an advisory lock for PostgreSQL. lock_pipeline is called
  // outside the store's mutex (it may wait on another connection).
  virtual std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) = 0;
  virtual std::optional<LockHolder> lock_holder(const std::string& pipeline) = 0;

  // Workers with leases (see StateStore::join_workers); none by default.
  // join_workers is called outside the store's mutex.
  virtual std::unique_ptr<WorkerLeases> join_workers(const std::string& pipeline, const LockHolder& me,
                                                     std::chrono::milliseconds ttl) {
    (void)pipeline, (void)me, (void)ttl;
    return nullptr;
  }
  virtual std::vector<WorkerInfo> list_workers(const std::string& pipeline) {
    (void)pipeline;
    return {};
  }
  virtual std::vector<LeaseInfo> list_leases(const std::string& pipeline) {
    (void)pipeline;
    return {};
  }
  // Inside a whole-pipeline reset's transaction: the next worker plans a
  // new round.
  virtual void forget_rounds(const std::string& pipeline) { (void)pipeline; }
};

// The store over a back end.
std::unique_ptr<StateStore> make_state_store(std::unique_ptr<StateBackend> backend);

}  // namespace ferry::core::state_sql
