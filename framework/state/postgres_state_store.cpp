// PostgreSQL back end of the state store: the same tables as the SQLite file
// (checkpoints, sink_acks, dlq, runs, schema_versions, backfill_windows) in
// the connection's default schema, so several hosts can share one state.
//
// Every value goes through a bound parameter (PQexecParams); SQL text is only
// ever built from fixed fragments. Byte strings (positions) are BYTEA, sent in
// binary and read back with PQunescapeBytea, so NUL bytes survive. One
// connection per store object, guarded by a mutex; a connection found broken
// is re-established once before an operation fails.
#include <libpq-fe.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/pipeline_lock.h"
#include "state/state_store.h"

#include <ferry/redact.hpp>

namespace ferry::core {
namespace {

// Key of the advisory lock that serialises table creation between openers.
constexpr const char* kSchemaLockKey = "7310593858231117312";
// First half of every pipeline's run lock key; the second is hashtext(pipeline).
constexpr const char* kRunLockClass = "1718773089";

// Text columns compared and sorted byte-wise (COLLATE "C"), as SQLite's
// BINARY collation does, whatever the database's locale.
constexpr const char* kSchema[] = {
    R"sql(CREATE TABLE IF NOT EXISTS checkpoints (
  pipeline       TEXT COLLATE "C" NOT NULL,
  partition      TEXT COLLATE "C" NOT NULL,
  position       BYTEA  NOT NULL,
  run_id         TEXT   NOT NULL,
  records        BIGINT NOT NULL,
  schema_version TEXT   NOT NULL,
  updated_at_ms  BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS sink_acks (
  pipeline      TEXT COLLATE "C" NOT NULL,
  sink          TEXT COLLATE "C" NOT NULL,
  records       BIGINT NOT NULL,
  batches       BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, sink)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS dlq (
  id            BIGSERIAL PRIMARY KEY,
  pipeline      TEXT COLLATE "C" NOT NULL,
  run_id        TEXT   NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  position      BYTEA  NOT NULL,
  stage         TEXT COLLATE "C" NOT NULL,
  sink          TEXT COLLATE "C" NOT NULL,
  record_key    TEXT   NOT NULL,
  record        TEXT   NOT NULL,
  error_class   TEXT COLLATE "C" NOT NULL,
  message       TEXT   NOT NULL,
  attempts      BIGINT NOT NULL,
  status        TEXT   NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
))sql",
    "CREATE INDEX IF NOT EXISTS dlq_pipeline_status ON dlq (pipeline, status)",
    "CREATE INDEX IF NOT EXISTS dlq_pipeline_sink ON dlq (pipeline, sink)",
    // Duplicates are judged by content (DlqEntry::dedup): two rows of a batch
    // may share a position and both fail, so no unique index on position.
    "DROP INDEX IF EXISTS dlq_pending_dedup",
    "CREATE INDEX IF NOT EXISTS dlq_position ON dlq (pipeline, partition, position)",
    R"sql(CREATE TABLE IF NOT EXISTS commit_intents (
  pipeline      TEXT COLLATE "C" NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  body          BYTEA  NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS checkpoint_resets (
  pipeline    TEXT COLLATE "C" NOT NULL,
  partition   TEXT COLLATE "C" NOT NULL,
  reset_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
    // Who holds each pipeline's run lock (an advisory lock of its session).
    R"sql(CREATE TABLE IF NOT EXISTS run_locks (
  pipeline TEXT COLLATE "C" PRIMARY KEY,
  holder   TEXT NOT NULL
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS runs (
  id            TEXT COLLATE "C" PRIMARY KEY,
  pipeline      TEXT COLLATE "C" NOT NULL,
  kind          TEXT   NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms   BIGINT,
  status        TEXT   NOT NULL
                CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
  read          BIGINT NOT NULL,
  written       BIGINT NOT NULL,
  rejected      BIGINT NOT NULL,
  batches       BIGINT NOT NULL,
  message       TEXT   NOT NULL
))sql",
    "CREATE INDEX IF NOT EXISTS runs_pipeline_started ON runs (pipeline, started_at_ms)",
    // seq stands in for SQLite's rowid: the order of insertion, for ties.
    R"sql(CREATE TABLE IF NOT EXISTS schema_versions (
  seq          BIGSERIAL,
  pipeline     TEXT COLLATE "C" NOT NULL,
  partition    TEXT COLLATE "C" NOT NULL,
  version      TEXT COLLATE "C" NOT NULL,
  fields       TEXT   NOT NULL,
  began_after  BYTEA  NOT NULL,
  seen_at_ms   BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition, version)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS backfill_windows (
  pipeline      TEXT COLLATE "C" NOT NULL,
  "window"      TEXT COLLATE "C" NOT NULL,
  data_date     TEXT   NOT NULL,
  start         TEXT   NOT NULL,
  "end"         TEXT   NOT NULL,
  status        TEXT   NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  records       BIGINT NOT NULL,
  attempts      BIGINT NOT NULL,
  generation    BIGINT NOT NULL,
  run_id        TEXT   NOT NULL,
  message       TEXT   NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms   BIGINT NOT NULL,
  PRIMARY KEY (pipeline, "window")
))sql",
};

constexpr const char* kCheckpointColumns =
    "pipeline, partition, position, run_id, records, updated_at_ms, schema_version";
constexpr const char* kDlqColumns =
    "id, pipeline, run_id, partition, position, stage, sink, record_key, record, "
    "error_class, message, attempts, status, created_at_ms, updated_at_ms";
constexpr const char* kRunColumns =
    "id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, "
    "batches, message";

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// --- redaction: ferry::redact_dsn (ferry/redact.hpp) --------------------------

using ferry::redact_dsn;

// "host:port/db" for messages, from the conninfo (never its password).
std::string describe_dsn(const std::string& dsn) {
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

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown error" : redact_dsn(s);
}

// Thrown (inside this file only) when the connection is gone, so an operation
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

std::optional<RunStatus> parse_run_status(const std::string& s) {
  for (RunStatus status :
       {RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Stopped}) {
    if (s == to_string(status)) return status;
  }
  return std::nullopt;
}

Checkpoint read_checkpoint(const Rows& r, int i) {
  Checkpoint c;
  c.pipeline = r.text(i, 0);
  c.partition = r.text(i, 1);
  c.position = r.bytes(i, 2);
  c.run_id = r.text(i, 3);
  c.records = r.integer(i, 4);
  c.updated_at_ms = r.integer(i, 5);
  c.schema_version = r.text(i, 6);
  return c;
}

DlqEntry read_dlq(const Rows& r, int i, const std::string& label) {
  DlqEntry e;
  e.id = r.integer(i, 0);
  e.pipeline = r.text(i, 1);
  e.run_id = r.text(i, 2);
  e.partition = r.text(i, 3);
  e.position = r.bytes(i, 4);
  e.stage = r.text(i, 5);
  e.sink = r.text(i, 6);
  e.record_key = r.text(i, 7);
  e.record_json = r.text(i, 8);
  e.error_class = r.text(i, 9);
  e.message = r.text(i, 10);
  e.attempts = r.integer(i, 11);
  const std::string status = r.text(i, 12);
  auto parsed = parse_dlq_status(status);
  if (!parsed) {
    throw Error("state store " + label + ": DLQ entry " + std::to_string(e.id) +
                " has unknown status '" + status + "'");
  }
  e.status = *parsed;
  e.created_at_ms = r.integer(i, 13);
  e.updated_at_ms = r.integer(i, 14);
  return e;
}

Run read_run(const Rows& r, int i, const std::string& label) {
  Run run;
  run.id = r.text(i, 0);
  run.pipeline = r.text(i, 1);
  run.kind = r.text(i, 2);
  run.started_at_ms = r.integer(i, 3);
  run.ended_at_ms = r.integer(i, 4);  // NULL while running reads as 0
  const std::string status = r.text(i, 5);
  auto parsed = parse_run_status(status);
  if (!parsed) {
    throw Error("state store " + label + ": run " + run.id + " has unknown status '" + status +
                "'");
  }
  run.status = *parsed;
  run.counts.read = r.integer(i, 6);
  run.counts.written = r.integer(i, 7);
  run.counts.rejected = r.integer(i, 8);
  run.counts.batches = r.integer(i, 9);
  run.message = r.text(i, 10);
  return run;
}

// The ids filter is bound as one array literal, so the statement has a fixed
// number of parameters however many ids are given.
std::string ids_as_array(const std::vector<int64_t>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

class PostgresStateStore final : public StateStore {
 public:
  explicit PostgresStateStore(const std::string& dsn) : dsn_(dsn), conn_(dsn) {
    with_retry([&] { ensure_schema(); });
  }

  std::optional<Checkpoint> load_checkpoint(const std::string& pipeline,
                                            const std::string& partition) override {
    return with_retry([&]() -> std::optional<Checkpoint> {
      auto r = conn_.exec(std::string("SELECT ") + kCheckpointColumns +
                              " FROM checkpoints WHERE pipeline = $1 AND partition = $2",
                          Params().text(pipeline).text(partition));
      if (r.count() == 0) return std::nullopt;
      return read_checkpoint(r, 0);
    });
  }

  std::vector<Checkpoint> list_checkpoints(const std::string& pipeline) override {
    return with_retry([&] {
      auto r = conn_.exec(std::string("SELECT ") + kCheckpointColumns +
                              " FROM checkpoints WHERE pipeline = $1 ORDER BY partition",
                          Params().text(pipeline));
      std::vector<Checkpoint> out;
      for (int i = 0; i < r.count(); ++i) out.push_back(read_checkpoint(r, i));
      return out;
    });
  }

  void save_checkpoint(const Checkpoint& checkpoint, int64_t records_in_batch,
                       const std::vector<std::string>& acked_sinks) override {
    CommitRecord r;
    r.pipeline = checkpoint.pipeline;
    r.partition = checkpoint.partition;
    r.checkpoint = checkpoint;
    r.records = records_in_batch;
    for (const auto& sink : std::set<std::string>(acked_sinks.begin(), acked_sinks.end()))
      r.acks.emplace_back(sink, records_in_batch);
    finish_commit(r);
  }

  void finish_commit(const CommitRecord& r) override {
    with_retry([&] {
      const int64_t now = now_ms();
      Transaction tx(conn_);
      if (r.checkpoint) {
        const Checkpoint& c = *r.checkpoint;
        conn_.exec(
            "INSERT INTO checkpoints (pipeline, partition, position, run_id, records, "
            "schema_version, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            "ON CONFLICT (pipeline, partition) DO UPDATE SET position = excluded.position, "
            "run_id = excluded.run_id, records = checkpoints.records + excluded.records, "
            "schema_version = excluded.schema_version, updated_at_ms = excluded.updated_at_ms",
            Params()
                .text(r.pipeline)
                .text(r.partition)
                .bytes(c.position)
                .text(c.run_id)
                .integer(r.records)
                .text(c.schema_version)
                .integer(now));
        conn_.exec("DELETE FROM checkpoint_resets WHERE pipeline = $1 AND partition = $2",
                   Params().text(r.pipeline).text(r.partition));
      }
      for (const auto& [sink, records] : r.acks)
        conn_.exec(
            "INSERT INTO sink_acks (pipeline, sink, records, batches, updated_at_ms) "
            "VALUES ($1, $2, $3, 1, $4) ON CONFLICT (pipeline, sink) DO UPDATE SET "
            "records = sink_acks.records + excluded.records, batches = sink_acks.batches + 1, "
            "updated_at_ms = excluded.updated_at_ms",
            Params().text(r.pipeline).text(sink).integer(records).integer(now));
      insert_dlq(r.add, now, nullptr);
      // Most changes of a replay only resolve an entry: one statement.
      std::vector<int64_t> resolved;
      for (const DlqChange& c : r.change)
        if (c.status == DlqStatus::Resolved && !c.message && !c.attempts && !c.sink && !c.stage && !c.record_json)
          resolved.push_back(c.id);
      if (!resolved.empty())
        conn_.exec(
            "UPDATE dlq SET status = 'resolved', updated_at_ms = $1 WHERE pipeline = $2 "
            "AND id = ANY($3::bigint[]) AND status IN ('pending', 'failed_again')",
            Params().integer(now).text(r.pipeline).text(ids_as_array(resolved)));
      for (const DlqChange& c : r.change) {
        if (c.status == DlqStatus::Resolved && !c.message && !c.attempts && !c.sink && !c.stage && !c.record_json)
          continue;
        conn_.exec(
            "UPDATE dlq SET status = $1, message = COALESCE($2, message), "
            "attempts = COALESCE($3::bigint, attempts), sink = COALESCE($4, sink), "
            "stage = COALESCE($5, stage), record = COALESCE($6, record), updated_at_ms = $7 "
            "WHERE pipeline = $8 AND id = $9 AND status IN ('pending', 'failed_again')",
            Params()
                .text(to_string(c.status))
                .opt_text(c.message)
                .opt_integer(c.attempts)
                .opt_text(c.sink)
                .opt_text(c.stage)
                .opt_text(c.record_json)
                .integer(now)
                .text(r.pipeline)
                .integer(c.id));
      }
      conn_.exec("DELETE FROM commit_intents WHERE pipeline = $1 AND partition = $2",
                 Params().text(r.pipeline).text(r.partition));
      tx.commit();
    });
  }

  int64_t reset_checkpoints(const std::string& pipeline,
                            const std::optional<std::string>& partition) override {
    return with_retry([&] {
      Transaction tx(conn_);
      int64_t removed = 0;
      const int64_t now = now_ms();
      if (partition) {
        removed = conn_
                      .exec("DELETE FROM checkpoints WHERE pipeline = $1 AND partition = $2",
                            Params().text(pipeline).text(*partition))
                      .affected();
        conn_.exec("DELETE FROM commit_intents WHERE pipeline = $1 AND partition = $2",
                   Params().text(pipeline).text(*partition));
      } else {
        removed = conn_.exec("DELETE FROM checkpoints WHERE pipeline = $1",
                             Params().text(pipeline))
                      .affected();
        // The ack counters describe the progress just thrown away.
        conn_.exec("DELETE FROM sink_acks WHERE pipeline = $1", Params().text(pipeline));
        conn_.exec("DELETE FROM commit_intents WHERE pipeline = $1", Params().text(pipeline));
        conn_.exec("DELETE FROM checkpoint_resets WHERE pipeline = $1", Params().text(pipeline));
      }
      conn_.exec(
          "INSERT INTO checkpoint_resets (pipeline, partition, reset_at_ms) VALUES ($1, $2, $3) "
          "ON CONFLICT (pipeline, partition) DO UPDATE SET reset_at_ms = excluded.reset_at_ms",
          Params().text(pipeline).text(partition.value_or("")).integer(now));
      tx.commit();
      return removed;
    });
  }

  bool was_reset(const std::string& pipeline, const std::string& partition) override {
    return with_retry([&] {
      auto r = conn_.exec(
          "SELECT 1 FROM checkpoint_resets m WHERE m.pipeline = $1 AND (m.partition = $2 OR m.partition = '') "
          "AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.pipeline = $1 AND c.partition = $2 "
          "AND c.updated_at_ms > m.reset_at_ms)",
          Params().text(pipeline).text(partition));
      return r.count() > 0;
    });
  }

  void save_intent(const std::string& pipeline, const std::string& partition, const std::string& body) override {
    with_retry([&] {
      conn_.exec(
          "INSERT INTO commit_intents (pipeline, partition, body, updated_at_ms) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (pipeline, partition) DO UPDATE SET body = excluded.body, "
          "updated_at_ms = excluded.updated_at_ms",
          Params().text(pipeline).text(partition).bytes(body).integer(now_ms()));
    });
  }

  std::optional<std::string> load_intent(const std::string& pipeline, const std::string& partition) override {
    return with_retry([&]() -> std::optional<std::string> {
      auto r = conn_.exec("SELECT body FROM commit_intents WHERE pipeline = $1 AND partition = $2",
                          Params().text(pipeline).text(partition));
      if (r.count() == 0) return std::nullopt;
      return r.bytes(0, 0);
    });
  }

  std::vector<SinkAck> list_sink_acks(const std::string& pipeline) override {
    return with_retry([&] {
      auto r = conn_.exec(
          "SELECT pipeline, sink, records, batches, updated_at_ms FROM sink_acks "
          "WHERE pipeline = $1 ORDER BY sink",
          Params().text(pipeline));
      std::vector<SinkAck> out;
      for (int i = 0; i < r.count(); ++i) {
        SinkAck a;
        a.pipeline = r.text(i, 0);
        a.sink = r.text(i, 1);
        a.records = r.integer(i, 2);
        a.batches = r.integer(i, 3);
        a.updated_at_ms = r.integer(i, 4);
        out.push_back(std::move(a));
      }
      return out;
    });
  }

  std::vector<int64_t> add_dlq(const std::vector<DlqEntry>& entries) override {
    return with_retry([&] {
      Transaction tx(conn_);
      std::vector<int64_t> ids;
      ids.reserve(entries.size());
      std::vector<DlqEntry> all = entries;
      for (DlqEntry& e : all) e.dedup = true;
      insert_dlq(all, now_ms(), &ids);
      tx.commit();
      return ids;
    });
  }

  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override {
    // Only the conditions in use go into the SQL, so the planner can pick the
    // (pipeline, status) or (pipeline, sink) index.
    Params params;
    int n = 0;
    auto next = [&n] { return "$" + std::to_string(++n); };
    std::string sql = std::string("SELECT ") + kDlqColumns + " FROM dlq WHERE pipeline = " + next();
    params.text(filter.pipeline);
    if (filter.status) {
      sql += " AND status = " + next();
      params.text(to_string(*filter.status));
    }
    if (filter.sink) {
      sql += " AND sink = " + next();
      params.text(*filter.sink);
    }
    if (filter.error_class) {
      sql += " AND error_class = " + next();
      params.text(*filter.error_class);
    }
    if (filter.since_ms) {
      sql += " AND created_at_ms >= " + next();
      params.integer(*filter.since_ms);
    }
    if (!filter.ids.empty()) {
      sql += " AND id = ANY(" + next() + "::bigint[])";
      params.text(ids_as_array(filter.ids));
    }
    sql += " AND id > " + next() + " ORDER BY id";
    params.integer(filter.after_id);
    if (filter.limit > 0) {
      sql += " LIMIT " + next();
      params.integer(filter.limit);
    }
    return with_retry([&] {
      auto r = conn_.exec(sql, params);
      std::vector<DlqEntry> out;
      for (int i = 0; i < r.count(); ++i) out.push_back(read_dlq(r, i, conn_.label()));
      return out;
    });
  }

  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override {
    return with_retry([&]() -> std::optional<DlqEntry> {
      auto r = conn_.exec(std::string("SELECT ") + kDlqColumns +
                              " FROM dlq WHERE pipeline = $1 AND id = $2",
                          Params().text(pipeline).integer(id));
      if (r.count() == 0) return std::nullopt;
      return read_dlq(r, 0, conn_.label());
    });
  }

  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                  const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override {
    with_retry([&] {
      // Setting an entry back to pending while an identical entry is pending
      // violates the dedup index and throws, as it should.
      auto r = conn_.exec(
          "UPDATE dlq SET status = $1, message = COALESCE($2, message), "
          "attempts = COALESCE($3::bigint, attempts), updated_at_ms = $4 "
          "WHERE pipeline = $5 AND id = $6",
          Params()
              .text(to_string(status))
              .opt_text(message)
              .opt_integer(attempts)
              .integer(now_ms())
              .text(pipeline)
              .integer(id));
      if (r.affected() == 0) {
        throw Error("state store " + conn_.label() + ": no DLQ entry " + std::to_string(id) +
                    " in pipeline '" + pipeline + "'");
      }
    });
  }

  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override {
    return with_retry([&] {
      std::vector<std::pair<DlqStatus, int64_t>> out = {{DlqStatus::Pending, 0},
                                                        {DlqStatus::Resolved, 0},
                                                        {DlqStatus::FailedAgain, 0},
                                                        {DlqStatus::Discarded, 0}};
      auto r = conn_.exec("SELECT status, COUNT(*) FROM dlq WHERE pipeline = $1 GROUP BY status",
                          Params().text(pipeline));
      for (int i = 0; i < r.count(); ++i) {
        auto status = parse_dlq_status(r.text(i, 0));
        if (!status) continue;  // the CHECK constraint keeps these out
        for (auto& [st, count] : out) {
          if (st == *status) count = r.integer(i, 1);
        }
      }
      return out;
    });
  }

  void begin_run(const Run& run) override {
    with_retry([&] {
      Params p;
      p.text(run.id).text(run.pipeline).text(run.kind).integer(
          run.started_at_ms != 0 ? run.started_at_ms : now_ms());
      // NULL rather than 0 so `WHERE ended_at_ms IS NULL` finds unfinished runs.
      if (run.ended_at_ms != 0) {
        p.integer(run.ended_at_ms);
      } else {
        p.null();
      }
      p.text(to_string(run.status))
          .integer(run.counts.read)
          .integer(run.counts.written)
          .integer(run.counts.rejected)
          .integer(run.counts.batches)
          .text(run.message);
      conn_.exec("INSERT INTO runs (" + std::string(kRunColumns) +
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                 p);
    });
  }

  void end_run(const std::string& run_id, RunStatus status, const RunCounts& counts,
               const std::string& message) override {
    with_retry([&] {
      auto r = conn_.exec(
          "UPDATE runs SET ended_at_ms = $1, status = $2, read = $3, written = $4, "
          "rejected = $5, batches = $6, message = $7 WHERE id = $8",
          Params()
              .integer(now_ms())
              .text(to_string(status))
              .integer(counts.read)
              .integer(counts.written)
              .integer(counts.rejected)
              .integer(counts.batches)
              .text(message)
              .text(run_id));
      if (r.affected() == 0) {
        throw Error("state store " + conn_.label() + ": no run '" + run_id + "'");
      }
    });
  }

  int64_t last_dlq_id(const std::string& pipeline) override {
    return with_retry([&] {
      return conn_.exec("SELECT COALESCE(MAX(id), 0) FROM dlq WHERE pipeline = $1", Params().text(pipeline))
          .integer(0, 0);
    });
  }

  int64_t fail_unfinished_runs(const std::string& pipeline, const std::string& message) override {
    return with_retry([&] {
      return conn_
          .exec("UPDATE runs SET status = 'failed', ended_at_ms = $1, message = $2 "
                "WHERE pipeline = $3 AND status = 'running'",
                Params().integer(now_ms()).text(message).text(pipeline))
          .affected();
    });
  }

  // A session-level advisory lock on a connection of its own, held as long
  // as the lock object lives: the server releases it when the session ends,
  // also when the process holding it dies.
  std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) override {
    auto session = std::make_unique<Connection>(dsn_);
    auto got = session->exec("SELECT pg_try_advisory_lock($1::int, hashtext($2))",
                             Params().text(kRunLockClass).text(pipeline));
    if (got.text(0, 0) != "t") {
      std::optional<LockHolder> holder = lock_holder(pipeline);
      throw PipelineBusyError(pipeline, holder.value_or(LockHolder{}));
    }
    session->exec(
        "INSERT INTO run_locks (pipeline, holder) VALUES ($1, $2) "
        "ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder",
        Params().text(pipeline).text(holder_json(me)));
    return std::make_unique<SessionLock>(std::move(session), pipeline);
  }

  std::optional<LockHolder> lock_holder(const std::string& pipeline) override {
    return with_retry([&]() -> std::optional<LockHolder> {
      auto held = conn_.exec(
          "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid "
          "AND objid = hashtext($2)::oid AND objsubid = 2",
          Params().text(kRunLockClass).text(pipeline));
      if (held.count() == 0) return std::nullopt;
      auto r = conn_.exec("SELECT holder FROM run_locks WHERE pipeline = $1", Params().text(pipeline));
      if (r.count() == 0) return LockHolder{};
      return parse_holder_json(r.text(0, 0)).value_or(LockHolder{});
    });
  }

  std::vector<Run> list_runs(const std::string& pipeline, int64_t limit) override {
    return with_retry([&] {
      Params p;
      p.text(pipeline);
      if (limit > 0) {
        p.integer(limit);
      } else {
        p.null();  // LIMIT NULL: no limit
      }
      auto r = conn_.exec(std::string("SELECT ") + kRunColumns +
                              " FROM runs WHERE pipeline = $1 "
                              "ORDER BY started_at_ms DESC, id DESC LIMIT $2::bigint",
                          p);
      std::vector<Run> out;
      for (int i = 0; i < r.count(); ++i) out.push_back(read_run(r, i, conn_.label()));
      return out;
    });
  }

  bool record_schema_version(const SchemaVersion& v) override {
    return with_retry([&] {
      auto r = conn_.exec(
          "INSERT INTO schema_versions (pipeline, partition, version, fields, began_after, "
          "seen_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
          Params()
              .text(v.pipeline)
              .text(v.partition)
              .text(v.version)
              .text(v.fields_json)
              .bytes(v.began_after)
              .integer(now_ms()));
      return r.affected() > 0;
    });
  }

  std::vector<SchemaVersion> list_schema_versions(const std::string& pipeline) override {
    return with_retry([&] {
      auto r = conn_.exec(
          "SELECT pipeline, partition, version, fields, began_after, seen_at_ms "
          "FROM schema_versions WHERE pipeline = $1 ORDER BY partition, seen_at_ms, seq",
          Params().text(pipeline));
      std::vector<SchemaVersion> out;
      for (int i = 0; i < r.count(); ++i) {
        out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.bytes(i, 4),
                       r.integer(i, 5)});
      }
      return out;
    });
  }

  void save_window(const BackfillWindow& w) override {
    with_retry([&] {
      conn_.exec(
          "INSERT INTO backfill_windows (pipeline, \"window\", data_date, start, \"end\", "
          "status, records, attempts, run_id, message, started_at_ms, ended_at_ms, generation) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
          "ON CONFLICT (pipeline, \"window\") DO UPDATE SET data_date = excluded.data_date, "
          "start = excluded.start, \"end\" = excluded.\"end\", status = excluded.status, "
          "records = excluded.records, attempts = excluded.attempts, run_id = excluded.run_id, "
          "message = excluded.message, started_at_ms = excluded.started_at_ms, "
          "ended_at_ms = excluded.ended_at_ms, generation = excluded.generation",
          Params()
              .text(w.pipeline)
              .text(w.window)
              .text(w.data_date)
              .text(w.start)
              .text(w.end)
              .text(to_string(w.status))
              .integer(w.records)
              .integer(w.attempts)
              .text(w.run_id)
              .text(w.message)
              .integer(w.started_at_ms)
              .integer(w.ended_at_ms)
              .integer(w.generation));
    });
  }

  std::vector<BackfillWindow> list_windows(const std::string& pipeline) override {
    return with_retry([&] {
      auto r = conn_.exec(
          "SELECT pipeline, \"window\", data_date, start, \"end\", status, records, attempts, "
          "run_id, message, started_at_ms, ended_at_ms, generation FROM backfill_windows "
          "WHERE pipeline = $1 ORDER BY \"window\"",
          Params().text(pipeline));
      std::vector<BackfillWindow> out;
      for (int i = 0; i < r.count(); ++i) {
        BackfillWindow w;
        w.pipeline = r.text(i, 0);
        w.window = r.text(i, 1);
        w.data_date = r.text(i, 2);
        w.start = r.text(i, 3);
        w.end = r.text(i, 4);
        const std::string status = r.text(i, 5);
        w.status = status == "running"  ? WindowStatus::Running
                   : status == "done"   ? WindowStatus::Done
                   : status == "failed" ? WindowStatus::Failed
                                        : WindowStatus::Pending;
        w.records = r.integer(i, 6);
        w.attempts = r.integer(i, 7);
        w.run_id = r.text(i, 8);
        w.message = r.text(i, 9);
        w.started_at_ms = r.integer(i, 10);
        w.ended_at_ms = r.integer(i, 11);
        w.generation = r.integer(i, 12);
        out.push_back(std::move(w));
      }
      return out;
    });
  }

 private:
  class SessionLock final : public PipelineLock {
   public:
    SessionLock(std::unique_ptr<Connection> c, std::string pipeline) : c_(std::move(c)), pipeline_(std::move(pipeline)) {}
    ~SessionLock() override {
      // Released at once, not when the server gets round to ending the
      // session (which it also does if this process dies).
      try {
        c_->exec("SELECT pg_advisory_unlock($1::int, hashtext($2))", Params().text(kRunLockClass).text(pipeline_));
      } catch (const std::exception&) {
      }
    }

   private:
    std::unique_ptr<Connection> c_;
    std::string pipeline_;
  };

  // Inserts entries inside the caller's transaction; see DlqEntry::dedup.
  void insert_dlq(const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids) {
    for (const auto& e : entries) {
      if (e.dedup) {
        auto existing = conn_.exec(
            "SELECT id FROM dlq WHERE pipeline = $1 AND partition = $2 AND position = $3 "
            "AND stage = $4 AND sink = $5 AND record = $6 AND status <> 'resolved' ORDER BY id LIMIT 1",
            Params().text(e.pipeline).text(e.partition).bytes(e.position).text(e.stage).text(e.sink).text(
                e.record_json));
        if (existing.count() > 0) {
          if (ids) ids->push_back(existing.integer(0, 0));
          continue;
        }
      }
      auto inserted = conn_.exec(
          "INSERT INTO dlq (pipeline, run_id, partition, position, stage, sink, record_key, "
          "record, error_class, message, attempts, status, created_at_ms, updated_at_ms) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
          Params()
              .text(e.pipeline)
              .text(e.run_id)
              .text(e.partition)
              .bytes(e.position)
              .text(e.stage)
              .text(e.sink)
              .text(e.record_key)
              .text(e.record_json)
              .text(e.error_class)
              .text(e.message)
              .integer(e.attempts)
              .text(to_string(e.status))
              .integer(now));
      if (ids) ids->push_back(inserted.integer(0, 0));
    }
  }

  // Runs one operation under the mutex. If the connection turns out to be
  // broken, it is re-established and the operation run once more: whatever
  // the first attempt did was in a transaction (or a single statement) that
  // the broken connection rolled back, except a COMMIT whose answer was lost,
  // which the caller sees as an error like any other failed save.
  template <typename Fn>
  auto with_retry(Fn&& fn) -> decltype(fn()) {
    std::lock_guard<std::mutex> lock(mu_);
    conn_.ensure_ok();
    try {
      return fn();
    } catch (const ConnectionLost&) {
      conn_.reconnect();
    }
    return fn();
  }

  // Creates the tables under an advisory lock, so two processes opening the
  // same database at once do not race on CREATE TABLE IF NOT EXISTS.
  void ensure_schema() {
    Transaction tx(conn_);
    conn_.exec("SELECT pg_advisory_xact_lock($1::bigint)", Params().text(kSchemaLockKey));
    for (const char* statement : kSchema) conn_.exec(statement);
    tx.commit();
  }

  std::string dsn_;
  std::mutex mu_;
  Connection conn_;
};

}  // namespace

std::unique_ptr<StateStore> open_postgres_state(const std::string& dsn) {
  return std::make_unique<PostgresStateStore>(dsn);
}

}  // namespace ferry::core
