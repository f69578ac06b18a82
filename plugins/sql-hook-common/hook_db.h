// A SQL hook's database, whichever driver holds it: the hook writes each
// statement once (hook_sql.h spells it in the driver's dialect) and binds
// one kind of parameter list; this layer runs it on SQLite, PostgreSQL or
// MySQL / MariaDB through their support/ sessions. Shared by the audit-sql
// and failure-stats plugins.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_DB_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_DB_H_

#include <ferry/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hook_options.h"

namespace ferry_sql_hooks {

enum class Dialect { kSqlite, kPostgres, kMysql };

// A statement's parameters, in order.
class Params {
 public:
  enum class Kind { kText, kBytes, kInt64, kNull };
  struct Value {
    Kind kind;
    int64_t integer;
    std::string text;  // kText, kBytes
  };
  void text(std::string_view v) { values_.push_back({Kind::kText, 0, std::string(v)}); }
  void bytes(std::string_view v) { values_.push_back({Kind::kBytes, 0, std::string(v)}); }
  void int64(int64_t v) { values_.push_back({Kind::kInt64, v, {}}); }
  void null() { values_.push_back({Kind::kNull, 0, {}}); }
  void clear() { values_.clear(); }
  const std::vector<Value>& values() const { return values_; }

 private:
  std::vector<Value> values_;
};

// A statement's text and, for MySQL's upserts, the parameters its update
// clause names a second time: MySQL binds them again rather than read
// VALUES(), which MySQL 8 deprecates and MariaDB keeps (row aliases are
// the reverse).
struct Sql {
  std::string text;
  std::vector<size_t> bound_again;  // indexes into the statement's parameters
};

// A table or index and the statement that creates it.
struct SchemaObject {
  std::string name;
  std::string create_sql;
};

class HookTransaction {
 public:
  virtual ~HookTransaction() = default;  // rolls back unless commit() succeeded
  virtual void commit() = 0;
};

// A driver's own transaction (BEGIN when made, ROLLBACK when destroyed
// unless committed) as a HookTransaction.
template <class Transaction>
class ScopedTransaction final : public HookTransaction {
 public:
  template <class Connection>
  explicit ScopedTransaction(Connection& c) : tx_(c) {}
  void commit() override { tx_.commit(); }

 private:
  Transaction tx_;
};

// Thread-safety: one thread at a time (a hook instance's, ABI rule 4).
// Every failure is a ferry::Error: RETRY when the database is busy or
// cannot be reached, AUTH when it refuses the credentials, CONFIG for a
// bad DSN, a missing database or missing privileges.
class HookDb {
 public:
  virtual ~HookDb() = default;
  virtual Dialect dialect() const = 0;
  // Creates those of the hook's tables and indexes that do not exist yet,
  // from CREATE ... IF NOT EXISTS statements, so that hooks opening the same
  // database at once cannot race half-way. One that exists is left alone: a
  // role that may only read and write rows can use tables made before.
  virtual void create_schema(const std::vector<SchemaObject>& objects, std::string_view lock_name) = 0;
  // Compiles a statement the store runs later, without running it, so that
  // a table of another shape is refused at open, not at the first event.
  virtual void check(const Sql& sql, std::string_view what) = 0;
  // Runs one statement; returns the rows it changed (a repeat skipped by
  // the statement's conflict clause changes none).
  virtual int64_t exec(const Sql& sql, const Params& params, std::string_view what) = 0;
  // BEGIN; on a new connection first when the old one was lost.
  virtual std::unique_ptr<HookTransaction> begin() = 0;
};

// Opens the database `opts` names (a SQLite path relative to the
// pipeline's directory); `label` starts every message.
std::unique_ptr<HookDb> open_hook_db(const HookOptions& opts, const ferry::Context& ctx, const std::string& label);

std::unique_ptr<HookDb> open_sqlite_hook_db(const std::string& path, const HookOptions& opts, const std::string& label);
std::unique_ptr<HookDb> open_pg_hook_db(const HookOptions& opts, const std::string& label);
// Only in builds with the MySQL connector (FERRY_SQL_HOOKS_MYSQL).
std::unique_ptr<HookDb> open_mysql_hook_db(const HookOptions& opts, const std::string& label);

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_DB_H_
