// The SQL hooks' SQLite database: support/sqlite's connection, with every
// statement compiled once and kept.
#include <sqlite/sqlite_db.h>

#include "hook_db.h"

namespace ferry_sql_hooks {
namespace {

namespace sqlite = ferry::support::sqlite;

// NOMUTEX, since hooks are only ever called from one thread.
sqlite::DatabaseOptions hook_database_options(int busy_timeout_ms, const std::string& label) {
  sqlite::DatabaseOptions o;
  o.label = label;
  o.open.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  o.open.busy_timeout_ms = busy_timeout_ms;
  return o;
}

class SqliteHookDb final : public HookDb {
 public:
  SqliteHookDb(const std::string& path, const HookOptions& opts, const std::string& label)
      : db_(path, hook_database_options(opts.busy_timeout_ms, label)) {}

  Dialect dialect() const override { return Dialect::kSqlite; }

  // One writer at a time holds a SQLite file, and a file has no privileges:
  // IF NOT EXISTS is all it takes.
  void create_schema(const std::vector<SchemaObject>& objects, std::string_view) override {
    std::string script;
    for (const SchemaObject& o : objects) script += o.create_sql + ";\n";
    db_.exec(script, "creating the tables");
  }

  // Compiled into the cache exec() takes it from.
  void check(const Sql& sql, std::string_view what) override { db_.prepare_cached(sql.text, what); }

  int64_t exec(const Sql& sql, const Params& params, std::string_view what) override {
    sqlite::Statement s = db_.prepare_cached(sql.text, what);
    int i = 0;
    // Empty values bind as '' / x'' and never as NULL, which UNIQUE
    // indexes treat as distinct.
    for (const Params::Value& v : params.values()) {
      ++i;
      switch (v.kind) {
        case Params::Kind::kText: s.text(i, v.text); break;
        case Params::Kind::kBytes: s.blob(i, v.text); break;
        case Params::Kind::kInt64: s.integer(i, v.integer); break;
        case Params::Kind::kNull: s.null(i); break;
      }
    }
    return s.run();
  }

  // BEGIN IMMEDIATE: a busy database is RETRY before anything is written.
  std::unique_ptr<HookTransaction> begin() override {
    return std::make_unique<ScopedTransaction<sqlite::Transaction>>(db_);
  }

 private:
  sqlite::Database db_;
};

}  // namespace

std::unique_ptr<HookDb> open_sqlite_hook_db(const std::string& path, const HookOptions& opts,
                                            const std::string& label) {
  return std::make_unique<SqliteHookDb>(path, opts, label);
}

}  // namespace ferry_sql_hooks
