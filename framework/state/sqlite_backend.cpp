// The SQLite back end of the state store: one file beside the pipeline, in
// WAL mode, with plain tables a person can read with the sqlite3 shell; or
// the same tables in memory, for tests and throw-away runs. The store's
// operations are in sql_state_store.cpp; here is what only SQLite does: its
// connection (sqlite_db.h), its DLQ layout (sqlite_dlq.cpp), the run lock
// as a file lock, and how a new file is made.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/pipeline_lock.h"
#include "state/sqlite_db.h"
#include "state/sqlite_dlq.h"
#include "state/state_backend.h"
#include "state/state_store.h"

namespace ferry::core {
namespace {

using sqlite_state::Connection;
using sqlite_state::kMemoryPath;
using sqlite_state::Statement;
using state_sql::Durability;
using state_sql::Param;
using state_sql::Params;
using state_sql::Rows;

Connection::Sync sync_for(Durability d) {
  return d == Durability::kFull ? Connection::Sync::kFull : Connection::Sync::kNormal;
}

// The store writes $n; SQLite's own form of a numbered parameter is ?n.
std::string sqlite_form(const std::string& sql) {
  std::string out = sql;
  for (size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  return out;
}

void bind(Statement& s, const Params& params) {
  int i = 0;
  for (const Param& p : params.values()) {
    ++i;
    switch (p.kind) {
      case Param::Kind::kNull: s.null(i); break;
      case Param::Kind::kInteger: s.integer(i, p.integer); break;
      case Param::Kind::kText: s.text(i, p.text); break;
      case Param::Kind::kBytes: s.blob(i, p.text); break;
    }
  }
}

class WriteTransaction final : public state_sql::Transaction {
 public:
  WriteTransaction(Connection& c, Durability d) : tx_(c, sync_for(d)) {}
  void commit() override { tx_.commit(); }

 private:
  sqlite_state::WriteTransaction tx_;
};

class SqliteBackend final : public state_sql::StateBackend {
 public:
  explicit SqliteBackend(const std::string& path) : conn_(path), lock_scope_(scope_for(path)) {}

  std::string damage() {
    try {
      return conn_.damage();
    } catch (const Error& e) {
      return e.what();  // so damaged that the check itself fails
    }
  }

  const std::string& label() const override { return conn_.path(); }
  void attempt(const std::function<void()>& operation) override { operation(); }

  Rows query(const std::string& sql, const Params& params) override {
    Statement s = conn_.prepare(sqlite_form(sql));
    bind(s, params);
    const int columns = sqlite3_column_count(s.get());
    Rows rows(columns);
    while (s.step()) {
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(s.get(), c)) {
          case SQLITE_NULL: rows.add(std::monostate()); break;
          case SQLITE_INTEGER: rows.add(s.integer_at(c)); break;
          case SQLITE_BLOB: rows.add(s.blob_at(c)); break;
          default: rows.add(s.text_at(c)); break;
        }
      }
    }
    return rows;
  }

  int64_t exec(const std::string& sql, const Params& params, Durability durability) override {
    // The pragma cannot change inside a transaction: there BEGIN set it.
    if (sqlite3_get_autocommit(conn_.db()) != 0) conn_.durability(sync_for(durability));
    Statement s = conn_.prepare(sqlite_form(sql));
    bind(s, params);
    s.run();
    return conn_.changes();
  }

  std::unique_ptr<state_sql::Transaction> begin(Durability durability) override {
    return std::make_unique<WriteTransaction>(conn_, durability);
  }

  void sync() override { conn_.sync_wal(); }

  const char* insertion_order() const override { return "rowid"; }

  state_sql::DlqTables& dlq() override { return dlq_; }

  std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) override {
    if (conn_.path() == kMemoryPath) return lock_in_process(lock_scope_, pipeline, me);
    return lock_file(lock_file_path(conn_.path(), pipeline), pipeline, me);
  }

  std::optional<LockHolder> lock_holder(const std::string& pipeline) override {
    if (conn_.path() == kMemoryPath) return in_process_lock_holder(lock_scope_, pipeline);
    return file_lock_holder(lock_file_path(conn_.path(), pipeline));
  }

 private:
  // Each in-memory store is its own state: it gets a scope of its own.
  static std::string scope_for(const std::string& path) {
    static std::atomic<uint64_t> next{0};
    return path == kMemoryPath ? "memory#" + std::to_string(next++) : path;
  }

  Connection conn_;
  sqlite_state::SqliteDlq dlq_{conn_};
  const std::string lock_scope_;
};

// A new state file is built beside its final name and linked into place
// complete, so no reader ever finds a half-made one; an existing empty file
// therefore means a lost state, never a new one.
void create_state_file(const std::string& path) {
  const std::string tmp = path + ".new-" + std::to_string(getpid()) + "-" +
                          std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  {
    Connection c(tmp);
    c.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::error_code ec;
  std::filesystem::remove(tmp + "-wal", ec);
  std::filesystem::remove(tmp + "-shm", ec);
  // link() fails if another process created the file meanwhile: then that
  // one is used.
  const int rc = link(tmp.c_str(), path.c_str());
  const int err = errno;
  std::filesystem::remove(tmp, ec);
  if (rc != 0 && err != EEXIST)
    throw Error("state store " + path + ": cannot create it: " + std::strerror(err));
}

}  // namespace

std::unique_ptr<StateStore> open_sqlite_state(const std::string& path, StateCheck check) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    create_state_file(path);
  } else if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0) {
    throw Error("state store " + path +
                " exists but is empty (0 bytes): it was truncated or lost, and Ferry does not take a "
                "lost state for a new one. Restore it from a backup; or delete it and run "
                "`ferry checkpoint reset` to start every partition over");
  }
  std::unique_ptr<SqliteBackend> backend;
  try {
    backend = std::make_unique<SqliteBackend>(path);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (is it a Ferry state file? A damaged one must be restored from a backup)");
  }
  if (check == StateCheck::Thorough) {
    std::string damage = backend->damage();
    if (!damage.empty())
      throw Error("state store " + path + " is damaged (" + damage +
                  "). Restore it from a backup; running on it could lose or repeat records");
  }
  return state_sql::make_state_store(std::move(backend));
}

std::unique_ptr<StateStore> open_memory_state() {
  return state_sql::make_state_store(std::make_unique<SqliteBackend>(kMemoryPath));
}

}  // namespace ferry::core
