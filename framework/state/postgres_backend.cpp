// The PostgreSQL back end of the state store: the same tables as the SQLite
// file in the connection's default schema, so several hosts can share one
// state. The store's operations are in sql_state_store.cpp; here is what
// only PostgreSQL does: its connection (postgres_db.h, on libpqxx), its
// schema and numbered migrations (postgres_state_schema.cpp), its DLQ
// layout (postgres_dlq.cpp), the run lock as an advisory lock
// (postgres_run_lock.cpp), and the reconnect-once rule.
//
// Byte strings (positions) are BYTEA, so NUL bytes survive.
#include <pqxx/binarystring>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/postgres_db.h"
#include "state/postgres_dlq.h"
#include "state/postgres_leases.h"
#include "state/postgres_run_lock.h"
#include "state/postgres_state_schema.h"
#include "state/state_backend.h"
#include "state/state_store.h"

namespace ferry::core {
namespace {

using pg_state::Connection;
using pg_state::ConnectionLost;
using state_sql::Durability;
using state_sql::Param;
using state_sql::Rows;

constexpr pqxx::oid kByteaOid = 17;

pg_state::Params pg_params(const state_sql::Params& params) {
  pg_state::Params out;
  for (const Param& p : params.values()) {
    switch (p.kind) {
      case Param::Kind::kNull: out.null(); break;
      case Param::Kind::kInteger: out.integer(p.integer); break;
      case Param::Kind::kText: out.text(p.text); break;
      case Param::Kind::kBytes: out.bytes(p.text); break;
    }
  }
  return out;
}

class PgTransaction final : public state_sql::Transaction {
 public:
  explicit PgTransaction(Connection& c) : tx_(c) {}
  void commit() override { tx_.commit(); }

 private:
  pg_state::Transaction tx_;
};

class PostgresBackend final : public state_sql::StateBackend {
 public:
  explicit PostgresBackend(const std::string& dsn) : dsn_(dsn), conn_(dsn) {
    attempt([&] { pg_state::ensure_schema(conn_); });
  }

  const std::string& label() const override { return conn_.label(); }

  // A connection found broken is re-established and the operation run once
  // more: whatever the first attempt did was in a transaction (or a single
  // statement) that the broken connection rolled back, except a COMMIT
  // whose answer was lost, which the caller sees as an error like any other
  // failed save (Transaction::commit never throws ConnectionLost).
  void attempt(const std::function<void()>& operation) override {
    conn_.ensure_ok();
    try {
      operation();
      return;
    } catch (const ConnectionLost&) {
      conn_.reconnect();
    }
    operation();
  }

  Rows query(const std::string& sql, const state_sql::Params& params) override {
    const pqxx::result r = conn_.exec(sql, pg_params(params)).result();
    Rows rows(static_cast<int>(r.columns()));
    for (const pqxx::row& row : r) {
      for (const pqxx::field& f : row) {
        if (f.is_null()) {
          rows.add(std::monostate());
        } else if (f.type() == kByteaOid) {
          rows.add(pqxx::binarystring(f).str());
        } else {
          rows.add(std::string(f.c_str(), f.size()));
        }
      }
    }
    return rows;
  }

  int64_t exec(const std::string& sql, const state_sql::Params& params, Durability) override {
    return conn_.exec(sql, pg_params(params)).affected();
  }

  std::unique_ptr<state_sql::Transaction> begin(Durability) override {
    return std::make_unique<PgTransaction>(conn_);
  }

  const char* insertion_order() const override { return "seq"; }

  state_sql::DlqTables& dlq() override { return dlq_; }

  std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) override {
    return pg_state::lock_run(dsn_, pipeline, me);
  }
  std::optional<LockHolder> lock_holder(const std::string& pipeline) override {
    return pg_state::run_lock_holder(conn_, pipeline);
  }

  std::unique_ptr<WorkerLeases> join_workers(const std::string& pipeline, const LockHolder& me,
                                             std::chrono::milliseconds ttl) override {
    return pg_state::join_workers(dsn_, pipeline, me, ttl);
  }
  std::vector<WorkerInfo> list_workers(const std::string& pipeline) override {
    return pg_state::list_workers(conn_, pipeline);
  }
  std::vector<LeaseInfo> list_leases(const std::string& pipeline) override {
    return pg_state::list_leases(conn_, pipeline);
  }
  void forget_rounds(const std::string& pipeline) override { pg_state::forget_rounds(conn_, pipeline); }

 private:
  const std::string dsn_;
  Connection conn_;
  pg_state::PostgresDlq dlq_{conn_};
};

}  // namespace

std::unique_ptr<StateStore> open_postgres_state(const std::string& dsn) {
  return state_sql::make_state_store(std::make_unique<PostgresBackend>(dsn));
}

}  // namespace ferry::core
