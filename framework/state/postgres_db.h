// The PostgreSQL state store's view of its connection: support/pg's
// libpqxx session with the store's errors — ConnectionLost when an
// operation that changed nothing may run again on a fresh connection,
// Error for everything else — and rows read as the store reads them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <pqxx/binarystring>

#include "common/error.h"
#include "pg/pg_session.h"

namespace ferry::core::pg_state {

using Params = ferry::support::pg::Params;

// Thrown (inside the state store only) when the connection is gone, so an operation
// that had not yet changed anything can be retried on a fresh connection.
class ConnectionLost : public Error {
 public:
  using Error::Error;
};

// Runs `f`, turning a session failure into the store's errors.
template <class F>
auto store_errors(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ferry::support::pg::Failure& e) {
    if (e.connection_lost()) throw ConnectionLost(e.what());
    throw Error(e.what());
  }
}

// A query's rows; rows and columns 0-based. NULL reads as empty or 0, as in SQLite.
class Rows {
 public:
  explicit Rows(pqxx::result r) : r_(std::move(r)) {}
  int count() const { return static_cast<int>(r_.size()); }
  int64_t affected() const { return static_cast<int64_t>(r_.affected_rows()); }
  std::string text(int row, int col) const {
    const pqxx::field f = r_[row][col];
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
  }
  int64_t integer(int row, int col) const {
    const pqxx::field f = r_[row][col];
    return f.is_null() ? 0 : f.as<int64_t>();
  }
  const pqxx::result& result() const { return r_; }
  std::string bytes(int row, int col) const {
    const pqxx::field f = r_[row][col];
    return f.is_null() ? std::string() : pqxx::binarystring(f).str();
  }

 private:
  pqxx::result r_;
};

class Connection {
 public:
  explicit Connection(const std::string& dsn)
      : session_(store_errors([&] {
          ferry::support::pg::SessionOptions o;
          o.label = "state store";
          o.application_name = "ferry";
          return std::make_unique<ferry::support::pg::Session>(dsn, std::move(o));
        })),
        label_("postgres " + session_->where()) {}

  // "postgres host:port/db", for messages.
  const std::string& label() const { return label_; }

  // Called at the start of every operation: a connection already known to
  // be broken is re-established once.
  void ensure_ok() {
    store_errors([&] { session_->ensure_connected(); });
  }
  void reconnect() {
    store_errors([&] { session_->reconnect(); });
  }

  Rows exec(const std::string& sql, const Params& params = Params()) {
    return store_errors([&] { return Rows(session_->exec(sql, "running", params)); });
  }

  ferry::support::pg::Session& session() { return *session_; }

 private:
  std::unique_ptr<ferry::support::pg::Session> session_;
  std::string label_;
};

// Rolls back unless committed, so a throw anywhere inside leaves no partial write.
class Transaction {
 public:
  explicit Transaction(Connection& c)
      : tx_(store_errors([&] { return std::make_unique<ferry::support::pg::Transaction>(c.session()); })) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    try {
      tx_->commit();
    } catch (const ferry::support::pg::Failure& e) {
      // Whether it committed is unknown when the connection went down:
      // never safe to run the operation again, so never ConnectionLost.
      throw Error(e.what());
    }
  }

 private:
  std::unique_ptr<ferry::support::pg::Transaction> tx_;
};

}  // namespace ferry::core::pg_state
