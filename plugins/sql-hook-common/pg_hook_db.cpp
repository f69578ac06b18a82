// The SQL hooks' PostgreSQL database: support/pg's libpqxx session (its
// failures are ferry::Errors with retry hints), opened as the hooks need.
#include <pg/pg_session.h>
#include <sql/sql_identifier.h>

#include "hook_db.h"

namespace ferry_sql_hooks {
namespace {

namespace pg = ferry::support::pg;

pg::SessionOptions hook_session(int lock_timeout_ms, const std::string& label) {
  pg::SessionOptions options;
  options.label = label;
  options.lock_timeout_ms = lock_timeout_ms;
  options.application_name = "ferry-" + label;
  // The server-side lock_timeout already waited for the other writer: the
  // hint only spaces out the host's next attempt.
  options.retry_after_ms = 200;
  return options;
}

class PgHookDb final : public HookDb {
 public:
  PgHookDb(const HookOptions& opts, const std::string& label)
      : session_(opts.dsn, hook_session(opts.busy_timeout_ms, label)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  // An advisory lock serializes concurrent first opens, where CREATE ... IF
  // NOT EXISTS alone can race.
  // to_regclass finds a table or index by name as CREATE would, on the
  // search_path.
  void create_schema(const std::vector<SchemaObject>& objects, std::string_view lock_name) override {
    constexpr const char* kWhat = "creating the tables";
    pg::Transaction tx(session_);
    session_.exec("SELECT pg_advisory_xact_lock(hashtext($1))", kWhat, pg::Params().text(lock_name));
    for (const SchemaObject& o : objects) {
      const pqxx::result found = session_.exec("SELECT to_regclass($1) IS NOT NULL", kWhat,
                                               pg::Params().text(ferry::support::quote_identifier(o.name, '"')));
      if (!found[0][0].as<bool>()) session_.exec_script(o.create_sql, kWhat);
    }
    tx.commit();
  }

  // PREPARE checks the statement against the tables without running it;
  // with DEALLOCATE in the same query string, both run on one server
  // session even behind a pooler that hands out a session per transaction.
  void check(const Sql& sql, std::string_view what) override {
    session_.exec_script("PREPARE ferry_hook_check AS " + sql.text + "; DEALLOCATE ferry_hook_check", what);
  }

  int64_t exec(const Sql& sql, const Params& params, std::string_view what) override {
    pg::Params p;
    for (const Params::Value& v : params.values()) {
      switch (v.kind) {
        case Params::Kind::kText: p.text(v.text); break;
        case Params::Kind::kBytes: p.bytes(v.text); break;
        case Params::Kind::kInt64: p.integer(v.integer); break;
        case Params::Kind::kNull: p.null(); break;
      }
    }
    return pg::affected(session_.exec(sql.text, what, p));
  }

  std::unique_ptr<HookTransaction> begin() override {
    return std::make_unique<ScopedTransaction<pg::Transaction>>(session_);
  }

 private:
  pg::Session session_;
};

}  // namespace

std::unique_ptr<HookDb> open_pg_hook_db(const HookOptions& opts, const std::string& label) {
  return std::make_unique<PgHookDb>(opts, label);
}

}  // namespace ferry_sql_hooks
