// The SQLite connection under the state store: support/sqlite's, in WAL
// mode with synchronous=FULL, and transactions that roll back unless
// committed. Used by one store object at a time (its mutex); several
// objects or processes on one file serialise through SQLite's own locking,
// waiting up to kBusyTimeoutMs. Failures are thrown as core::Error.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "state/state_clock.h"
#include "sqlite/sqlite_db.h"

namespace ferry::core::sqlite_state {

// Long enough to ride out another process committing a large DLQ batch, short
// enough that a wedged writer surfaces as an error rather than a hang.
constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kMemoryPath = ":memory:";

using Statement = ferry::support::sqlite::Statement;

class Connection {
 public:
  explicit Connection(std::string path) {
    ferry::support::sqlite::DatabaseOptions options;
    options.label = "state store";
    options.open.busy_timeout_ms = kBusyTimeoutMs;
    // WAL lets `ferry checkpoint show` read while a run is writing.
    options.open.wal = path != kMemoryPath;
    options.raise = [](const ferry::support::sqlite::Failure& f) { throw Error(f.what()); };
    db_ = std::make_unique<ferry::support::sqlite::Database>(std::move(path), options);
    if (options.open.wal && db_->journal_mode() != "wal")
      throw Error("state store " + db_->path() + ": cannot switch to WAL mode (journal mode is '" +
                  db_->journal_mode() + "')");
    wal_ = options.open.wal;
    durability(Sync::kFull);
    ensure_schema();
  }

  // How hard a write's commit is made durable. In WAL mode, NORMAL syncs
  // the WAL only at checkpoints, so the last commits can vanish on power
  // loss (never on a process crash); FULL syncs it on every commit, and
  // with it every NORMAL commit before. Each write says which it needs, and
  // the PRAGMA runs only when that changes: a run whose batches all commit
  // under NORMAL switches once, not twice per batch.
  enum class Sync { kNormal, kFull };
  void durability(Sync sync) {
    if (!wal_ || sync == sync_) return;
    exec(sync == Sync::kFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    sync_ = sync;
  }

  // Syncs the WAL now, as a FULL commit would: every commit in it, NORMAL
  // ones too, then survives a power cut. (What a checkpoint already moved
  // into the database file was synced by that checkpoint.)
  void sync_wal() {
    if (!wal_) return;
    // The connection opened its WAL when it read the schema and keeps it
    // open: without one, what it committed could not be synced.
    sqlite3_file* log = nullptr;
    if (sqlite3_file_control(db(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) != SQLITE_OK || log == nullptr ||
        log->pMethods == nullptr)
      throw Error("state store " + db_->path() + ": cannot sync its write-ahead log: it is not open");
    const int rc = log->pMethods->xSync(log, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK)
      throw Error("state store " + db_->path() + ": cannot sync its write-ahead log: " + sqlite3_errstr(rc));
  }

  // SQLite's own consistency check; empty when the file is sound.
  std::string damage() {
    auto s = prepare("PRAGMA quick_check");
    std::string first;
    while (s.step()) {
      std::string line = s.text_at(0);
      if (line == "ok") continue;
      if (first.empty()) first = line;
    }
    return first;
  }

  const std::string& path() const { return db_->path(); }
  sqlite3* db() const { return db_->raw(); }
  ferry::support::sqlite::Database& database() { return *db_; }

  // Cached: the store runs the same few statements for every batch.
  Statement prepare(const std::string& sql) { return db_->prepare_cached(sql, "running '" + summary(sql) + "'"); }
  void exec(const char* sql) { db_->exec(sql, std::string("running '") + sql + "'"); }

  int64_t changes() const { return db_->changes(); }
  int64_t last_insert_id() const { return db_->last_insert_id(); }

 private:
  // Enough of the SQL to tell which statement failed.
  static std::string summary(const std::string& sql) { return sql.size() <= 60 ? sql : sql.substr(0, 57) + "..."; }

  // Creates the tables of a new file, or migrates an older one, under BEGIN
  // IMMEDIATE, so two processes opening it at once do not race; refuses a
  // file from a newer ferry (sqlite_state_schema.cpp).
  void ensure_schema();
  int64_t check_schema_version();

  std::unique_ptr<ferry::support::sqlite::Database> db_;
  bool wal_ = false;
  std::optional<Sync> sync_;  // as last set; none before the first
};

// Rolls back unless committed, so a throw anywhere inside leaves no partial write.
// It says how durable its commit must be (FULL unless losing it to a power
// cut only makes a batch come again), set before BEGIN: the pragma cannot
// change inside a transaction.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& c, Connection::Sync sync = Connection::Sync::kFull)
      : tx_(durable(c, sync)) {}
  void commit() { tx_.commit(); }

 private:
  static ferry::support::sqlite::Database& durable(Connection& c, Connection::Sync sync) {
    c.durability(sync);
    return c.database();
  }

  ferry::support::sqlite::Transaction tx_;
};

}  // namespace ferry::core::sqlite_state
