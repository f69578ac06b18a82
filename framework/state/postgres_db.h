// The libpq connection under the PostgreSQL state store: statements with
// bound parameters (text, or BYTEA in binary), text results, transactions
// that roll back unless committed, and ConnectionLost so an operation that
// changed nothing can run again on a fresh connection.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ferry/redact.hpp>

#include "common/error.h"

namespace ferry::core::pg_state {

// --- redaction: ferry::redact_dsn (ferry/redact.hpp) --------------------------

using ferry::redact_dsn;

// "host:port/db" for messages, from the conninfo (never its password).
inline std::string describe_dsn(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (!opts) {
    if (err) PQfreemem(err);
    return "postgres " + redact_dsn(dsn);
  }
  std::string host, hostaddr, port, db, user;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string key = o->keyword;
    if (key == "host") host = o->val;
    if (key == "hostaddr") hostaddr = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") db = o->val;
    if (key == "user") user = o->val;
  }
  PQconninfoFree(opts);
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  if (port.empty()) port = "5432";
  if (db.empty()) db = user;
  return "postgres " + host + ":" + port + "/" + db;
}

inline std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown error" : redact_dsn(s);
}

// Thrown (inside the state store only) when the connection is gone, so an operation
// that had not yet changed anything can be retried on a fresh connection.
class ConnectionLost : public Error {
 public:
  using Error::Error;
};

struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

// Parameters of one statement: text values, or bytes sent in binary (BYTEA).
class Params {
 public:
  Params& text(std::string v) { return add(std::move(v), 0); }
  Params& bytes(std::string v) { return add(std::move(v), 1); }
  Params& integer(int64_t v) { return add(std::to_string(v), 0); }
  Params& null() {
    values_.emplace_back();
    formats_.push_back(0);
    nulls_.push_back(true);
    return *this;
  }
  template <typename T>
  Params& opt_text(const std::optional<T>& v) {
    return v ? text(*v) : null();
  }
  Params& opt_integer(const std::optional<int64_t>& v) { return v ? integer(*v) : null(); }

  int size() const { return static_cast<int>(values_.size()); }

  // Pointer arrays for PQexecParams; valid while this object is unchanged.
  void arrays(std::vector<const char*>& values, std::vector<int>& lengths,
              std::vector<int>& formats) const {
    values.clear();
    lengths.clear();
    for (size_t i = 0; i < values_.size(); ++i) {
      values.push_back(nulls_[i] ? nullptr : values_[i].data());
      lengths.push_back(static_cast<int>(values_[i].size()));
    }
    formats = formats_;
  }

 private:
  Params& add(std::string v, int format) {
    values_.push_back(std::move(v));
    formats_.push_back(format);
    nulls_.push_back(false);
    return *this;
  }
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
};

// A query result in text format; rows and columns 0-based.
class Rows {
 public:
  explicit Rows(ResultPtr r) : r_(std::move(r)) {}
  int count() const { return PQntuples(r_.get()); }
  int64_t affected() const {
    const char* n = PQcmdTuples(r_.get());
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
  }
  std::string text(int row, int col) const {
    if (PQgetisnull(r_.get(), row, col)) return {};
    return std::string(PQgetvalue(r_.get(), row, col),
                       static_cast<size_t>(PQgetlength(r_.get(), row, col)));
  }
  int64_t integer(int row, int col) const {
    if (PQgetisnull(r_.get(), row, col)) return 0;  // NULL reads as 0, as in SQLite
    return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
  }
  std::string bytes(int row, int col) const {
    if (PQgetisnull(r_.get(), row, col)) return {};
    size_t len = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &len);
    if (!raw) throw Error("state store: cannot decode a BYTEA value");
    std::string out(reinterpret_cast<const char*>(raw), len);
    PQfreemem(raw);
    return out;
  }

 private:
  ResultPtr r_;
};

class Connection {
 public:
  explicit Connection(std::string dsn) : dsn_(std::move(dsn)), label_(describe_dsn(dsn_)) {
    conn_ = PQconnectdb(dsn_.c_str());
    if (!conn_) throw Error("state store " + label_ + ": cannot connect: out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string detail = trimmed(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      throw Error("state store " + label_ + ": cannot connect: " + detail);
    }
    quiet_notices();
  }
  ~Connection() {
    if (conn_) PQfinish(conn_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& label() const { return label_; }

  // Called at the start of every operation: a connection already known to
  // be broken is re-established once.
  void ensure_ok() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    reconnect();
  }

  void reconnect() {
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw Error("state store " + label_ + ": cannot reconnect: " +
                  trimmed(PQerrorMessage(conn_)));
    }
    quiet_notices();
  }

  Rows exec(const std::string& sql, const Params& params = Params()) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    params.arrays(values, lengths, formats);
    ResultPtr r(PQexecParams(conn_, sql.c_str(), params.size(), nullptr,
                             values.empty() ? nullptr : values.data(),
                             lengths.empty() ? nullptr : lengths.data(),
                             formats.empty() ? nullptr : formats.data(), 0));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Rows(std::move(r));
    const std::string detail = trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_));
    const std::string message = "state store " + label_ + ": cannot run '" + summary(sql) +
                                "': " + detail;
    if (PQstatus(conn_) != CONNECTION_OK) throw ConnectionLost(message);
    throw Error(message);
  }

  // ROLLBACK that never throws (used while unwinding).
  void rollback_quietly() {
    if (PQstatus(conn_) != CONNECTION_OK) return;
    PGresult* r = PQexec(conn_, "ROLLBACK");
    if (r) PQclear(r);
  }

 private:
  static std::string summary(const std::string& sql) {
    std::string one_line;
    for (char c : sql) {
      if (c == '\n') c = ' ';
      if (c == ' ' && !one_line.empty() && one_line.back() == ' ') continue;
      one_line += c;
    }
    return one_line.size() <= 60 ? one_line : one_line.substr(0, 57) + "...";
  }

  // CREATE ... IF NOT EXISTS reports "already exists, skipping" as a NOTICE,
  // which libpq would print to stderr.
  void quiet_notices() {
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  }

  std::string dsn_;
  std::string label_;
  PGconn* conn_ = nullptr;
};

// Rolls back unless committed, so a throw anywhere inside leaves no partial write.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.exec("BEGIN"); }
  ~Transaction() {
    if (!committed_) c_.rollback_quietly();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    committed_ = true;  // a failed COMMIT has ended the transaction either way
    try {
      c_.exec("COMMIT");
    } catch (const ConnectionLost& e) {
      // Whether it committed is unknown: not safe to run the operation again.
      throw Error(e.what());
    }
  }

 private:
  Connection& c_;
  bool committed_ = false;
};

}  // namespace ferry::core::pg_state
