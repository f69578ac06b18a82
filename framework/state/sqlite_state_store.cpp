// SQLite back end of the state store: one file beside the pipeline, in WAL
// mode, with plain tables a person can read with the sqlite3 shell; or the
// same tables in memory, for tests and throw-away runs.
//
// Every value goes through a bound parameter; SQL text is only ever built
// from fixed fragments. One connection per store object, guarded by a mutex;
// several store objects (or processes) on one file serialise through SQLite's
// own locking, waiting up to kBusyTimeoutMs for each other.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.h"
#include "state/pipeline_lock.h"
#include "state/state_store.h"

#include "sqlite/sqlite_open.h"

namespace ferry::core {
namespace {

// Stored in PRAGMA user_version. Bump it and add a migration step in
// Connection::ensure_schema when the tables change.
constexpr int kSchemaVersion = 4;

// Long enough to ride out another process committing a large DLQ batch, short
// enough that a wedged writer surfaces as an error rather than a hang.
constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS checkpoints (
  pipeline       TEXT    NOT NULL,
  partition      TEXT    NOT NULL,
  position       BLOB    NOT NULL,
  run_id         TEXT    NOT NULL,
  records        INTEGER NOT NULL,
  schema_version TEXT    NOT NULL,
  updated_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS sink_acks (
  pipeline      TEXT    NOT NULL,
  sink          TEXT    NOT NULL,
  records       INTEGER NOT NULL,
  batches       INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, sink)
);
CREATE TABLE IF NOT EXISTS dlq (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline      TEXT    NOT NULL,
  run_id        TEXT    NOT NULL,
  partition     TEXT    NOT NULL,
  position      BLOB    NOT NULL,
  stage         TEXT    NOT NULL,
  sink          TEXT    NOT NULL,
  record_key    TEXT    NOT NULL,
  record        TEXT    NOT NULL,
  error_class   TEXT    NOT NULL,
  message       TEXT    NOT NULL,
  attempts      INTEGER NOT NULL,
  status        TEXT    NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dlq_pipeline_status ON dlq (pipeline, status);
CREATE INDEX IF NOT EXISTS dlq_pipeline_sink ON dlq (pipeline, sink);
-- A batch re-delivered after a crash must not queue its rejects twice; once an
-- entry leaves 'pending' the same record may fail again and get a new entry.
CREATE UNIQUE INDEX IF NOT EXISTS dlq_pending_dedup
  ON dlq (pipeline, partition, position, stage, sink) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS runs (
  id            TEXT    PRIMARY KEY,
  pipeline      TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  status        TEXT    NOT NULL
                CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
  read          INTEGER NOT NULL,
  written       INTEGER NOT NULL,
  rejected      INTEGER NOT NULL,
  batches       INTEGER NOT NULL,
  message       TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_pipeline_started ON runs (pipeline, started_at_ms);
)sql";

// Version 2: schema versions per partition and the backfill ledger.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS schema_versions (
  pipeline     TEXT    NOT NULL,
  partition    TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  fields       TEXT    NOT NULL,
  began_after  BLOB    NOT NULL,
  seen_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition, version)
);
CREATE TABLE IF NOT EXISTS backfill_windows (
  pipeline      TEXT    NOT NULL,
  window        TEXT    NOT NULL,
  data_date     TEXT    NOT NULL,
  start         TEXT    NOT NULL,
  end           TEXT    NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  records       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  generation    INTEGER NOT NULL,
  run_id        TEXT    NOT NULL,
  message       TEXT    NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (pipeline, window)
);
)sql";

// Version 3: commit intents of batches in flight, reset markers, and DLQ
// duplicates judged by content (two rows of a batch may share a position).
constexpr const char* kSchemaV3 = R"sql(
DROP INDEX IF EXISTS dlq_pending_dedup;
CREATE INDEX IF NOT EXISTS dlq_position ON dlq (pipeline, partition, position);
CREATE TABLE IF NOT EXISTS commit_intents (
  pipeline      TEXT    NOT NULL,
  partition     TEXT    NOT NULL,
  body          BLOB    NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS checkpoint_resets (
  pipeline    TEXT    NOT NULL,
  partition   TEXT    NOT NULL,  -- '' for the whole pipeline
  reset_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
)sql";

// Version 4: an entry's settlement (status, attempts, when) lives apart from
// its record. Settling a replayed batch then rewrites narrow rows, not every
// entry with its record (a replay of 200,000 entries spent most of its time
// there). No index on status either: keeping one cost twice the updates
// themselves, and a narrow table read along its ids finds any status fast
// enough for listing and counting. `dlq` stays readable with plain SQL, as a
// view of both.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE dlq RENAME TO dlq_entries;
CREATE TABLE dlq_state (
  id            INTEGER PRIMARY KEY,  -- dlq_entries.id
  pipeline      TEXT    NOT NULL,
  status        TEXT    NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  attempts      INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
INSERT INTO dlq_state (id, pipeline, status, attempts, updated_at_ms)
  SELECT id, pipeline, status, attempts, updated_at_ms FROM dlq_entries;
DROP INDEX IF EXISTS dlq_pipeline_status;
DROP INDEX IF EXISTS dlq_pending_dedup;
ALTER TABLE dlq_entries DROP COLUMN status;
ALTER TABLE dlq_entries DROP COLUMN attempts;
ALTER TABLE dlq_entries DROP COLUMN updated_at_ms;
CREATE VIEW dlq AS
  SELECT e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key, e.record,
         e.error_class, e.message, s.attempts, s.status, e.created_at_ms, s.updated_at_ms
  FROM dlq_entries e JOIN dlq_state s ON s.id = e.id;
)sql";

constexpr const char* kMemoryPath = ":memory:";

constexpr const char* kCheckpointColumns =
    "pipeline, partition, position, run_id, records, updated_at_ms, schema_version";
// An entry is its record (e: dlq_entries) and its settlement (s: dlq_state).
constexpr const char* kDlqColumns =
    "e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key, e.record, "
    "e.error_class, e.message, s.attempts, s.status, e.created_at_ms, s.updated_at_ms";
constexpr const char* kRunColumns =
    "id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, "
    "batches, message";

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

[[noreturn]] void fail(const std::string& path, const std::string& what, const char* detail) {
  throw Error("state store " + path + ": " + what + ": " + (detail ? detail : "unknown error"));
}

// One prepared statement. Columns and parameters are 1-based for binds (as
// in SQLite) and 0-based for results.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const std::string& sql)
      : db_(db), path_(path), sql_(sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
      fail(path_, "cannot prepare '" + summary() + "'", sqlite3_errmsg(db_));
    }
    stmt_.reset(raw);
  }

  Statement& text(int i, const std::string& v) {
    check(sqlite3_bind_text64(stmt_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
    return *this;
  }
  // v.data() is never null, so an empty string binds a zero-length blob, not NULL.
  Statement& blob(int i, const std::string& v) {
    check(sqlite3_bind_blob64(stmt_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& integer(int i, int64_t v) {
    check(sqlite3_bind_int64(stmt_.get(), i, v));
    return *this;
  }
  Statement& null(int i) {
    check(sqlite3_bind_null(stmt_.get(), i));
    return *this;
  }

  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(path_, "cannot run '" + summary() + "'", sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }

  std::string text_at(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    if (!p) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
  }
  // Zero-length blobs come back as a null pointer.
  std::string blob_at(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), col));
    if (!p) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
  }
  int64_t integer_at(int col) const { return sqlite3_column_int64(stmt_.get(), col); }

 private:
  // Enough of the SQL to tell which statement failed.
  std::string summary() const { return sql_.size() <= 60 ? sql_ : sql_.substr(0, 57) + "..."; }

  void check(int rc) {
    if (rc != SQLITE_OK) fail(path_, "cannot bind parameter", sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  const std::string& path_;
  std::string sql_;
  StmtPtr stmt_;
};

class Connection {
 public:
  explicit Connection(std::string path) : path_(std::move(path)) {
    support::SqliteOpenOptions options;
    options.busy_timeout_ms = kBusyTimeoutMs;
    // WAL lets `ferry checkpoint show` read while a run is writing.
    options.wal = path_ != kMemoryPath;
    support::SqliteOpened opened = support::open_sqlite(path_, options);
    db_.reset(opened.db);  // even a failed open returns a handle that must be closed
    if (!opened.error.empty()) fail(path_, "cannot open", opened.error.c_str());
    if (options.wal && opened.journal_mode != "wal")
      throw Error("state store " + path_ + ": cannot switch to WAL mode (journal mode is '" + opened.journal_mode +
                  "')");
    if (options.wal) {
      // In WAL mode, synchronous=NORMAL syncs the WAL only at checkpoints, so
      // the last commits can vanish on power loss. A lost checkpoint makes the
      // next run re-deliver records the sinks already hold; FULL syncs the WAL
      // on every commit so a saved checkpoint is really saved.
      exec("PRAGMA synchronous = FULL");
    }
    ensure_schema();
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

  const std::string& path() const { return path_; }
  sqlite3* db() const { return db_.get(); }

  Statement prepare(const std::string& sql) { return Statement(db_.get(), path_, sql); }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) == SQLITE_OK) return;
    std::string detail = err ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    fail(path_, std::string("cannot run '") + sql + "'", detail.c_str());
  }

  int64_t changes() const { return sqlite3_changes(db_.get()); }
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }

 private:
  // Creates the tables of a new file under BEGIN IMMEDIATE, so two processes
  // opening it at once do not race; refuses a file from a newer ferry.
  void ensure_schema();
  int64_t check_schema_version();

  std::string path_;
  DbPtr db_;
};

// Rolls back unless committed, so a throw anywhere inside leaves no partial write.
// Sets synchronous=NORMAL for one write and restores FULL afterwards (the
// pragma cannot change inside a transaction, so this wraps the transaction).
class RelaxedSync {
 public:
  explicit RelaxedSync(Connection& c) : c_(c) { c_.exec("PRAGMA synchronous = NORMAL"); }
  ~RelaxedSync() {
    try {
      c_.exec("PRAGMA synchronous = FULL");
    } catch (...) {
    }
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  Connection& c_;
};

class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }
  ~WriteTransaction() {
    if (!committed_) sqlite3_exec(c_.db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit() {
    c_.exec("COMMIT");
    committed_ = true;
  }

 private:
  Connection& c_;
  bool committed_ = false;
};

void Connection::ensure_schema() {
  // Checked first without a lock: an up-to-date file (the usual case) then
  // opens without waiting for a running pipeline's write transaction.
  if (check_schema_version() == kSchemaVersion) return;
  WriteTransaction tx(*this);
  // Again under the lock: another process may have created it meanwhile.
  if (check_schema_version() == kSchemaVersion) return;
  const int64_t version = check_schema_version();
  // Steps 1-3 are CREATE ... IF NOT EXISTS, so running them all brings a file
  // of any older version to 3; later steps run once, from their version on.
  exec(kSchemaV1);
  exec(kSchemaV2);
  exec(kSchemaV3);
  if (version < 4) exec(kSchemaV4);
  // PRAGMA takes no bound parameters; the value is our own constant.
  exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

int64_t Connection::check_schema_version() {
  auto stmt = prepare("PRAGMA user_version");
  const int64_t version = stmt.step() ? stmt.integer_at(0) : 0;
  if (version > kSchemaVersion) {
    throw Error("state store " + path_ + ": schema version " + std::to_string(version) +
                " is newer than this ferry understands (" + std::to_string(kSchemaVersion) +
                ")");
  }
  return version;
}

std::optional<RunStatus> parse_run_status(const std::string& s) {
  for (RunStatus status :
       {RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Stopped}) {
    if (s == to_string(status)) return status;
  }
  return std::nullopt;
}

Checkpoint read_checkpoint(const Statement& s) {
  Checkpoint c;
  c.pipeline = s.text_at(0);
  c.partition = s.text_at(1);
  c.position = s.blob_at(2);
  c.run_id = s.text_at(3);
  c.records = s.integer_at(4);
  c.updated_at_ms = s.integer_at(5);
  c.schema_version = s.text_at(6);
  return c;
}

DlqEntry read_dlq(const Statement& s, const std::string& path) {
  DlqEntry e;
  e.id = s.integer_at(0);
  e.pipeline = s.text_at(1);
  e.run_id = s.text_at(2);
  e.partition = s.text_at(3);
  e.position = s.blob_at(4);
  e.stage = s.text_at(5);
  e.sink = s.text_at(6);
  e.record_key = s.text_at(7);
  e.record_json = s.text_at(8);
  e.error_class = s.text_at(9);
  e.message = s.text_at(10);
  e.attempts = s.integer_at(11);
  std::string status = s.text_at(12);
  auto parsed = parse_dlq_status(status);
  if (!parsed) {
    throw Error("state store " + path + ": DLQ entry " + std::to_string(e.id) +
                " has unknown status '" + status + "'");
  }
  e.status = *parsed;
  e.created_at_ms = s.integer_at(13);
  e.updated_at_ms = s.integer_at(14);
  return e;
}

Run read_run(const Statement& s, const std::string& path) {
  Run r;
  r.id = s.text_at(0);
  r.pipeline = s.text_at(1);
  r.kind = s.text_at(2);
  r.started_at_ms = s.integer_at(3);
  r.ended_at_ms = s.integer_at(4);  // NULL while running reads as 0
  std::string status = s.text_at(5);
  auto parsed = parse_run_status(status);
  if (!parsed) {
    throw Error("state store " + path + ": run " + r.id + " has unknown status '" + status +
                "'");
  }
  r.status = *parsed;
  r.counts.read = s.integer_at(6);
  r.counts.written = s.integer_at(7);
  r.counts.rejected = s.integer_at(8);
  r.counts.batches = s.integer_at(9);
  r.message = s.text_at(10);
  return r;
}

// The ids filter is bound as one JSON array and expanded with json_each, so
// the statement has a fixed number of parameters however many ids are given.
std::string ids_as_json(const std::vector<int64_t>& ids) {
  std::string json = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) json += ',';
    json += std::to_string(ids[i]);
  }
  return json + "]";
}

class SqliteStateStore final : public StateStore {
 public:
  explicit SqliteStateStore(const std::string& path) : conn_(path), lock_scope_(scope_for(path)) {}

  const std::string& path() const { return conn_.path(); }
  std::string damage() {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      return conn_.damage();
    } catch (const Error& e) {
      return e.what();  // so damaged that the check itself fails
    }
  }

  std::optional<Checkpoint> load_checkpoint(const std::string& pipeline,
                                            const std::string& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(std::string("SELECT ") + kCheckpointColumns +
                           " FROM checkpoints WHERE pipeline = ?1 AND partition = ?2");
    s.text(1, pipeline).text(2, partition);
    if (!s.step()) return std::nullopt;
    return read_checkpoint(s);
  }

  std::vector<Checkpoint> list_checkpoints(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(std::string("SELECT ") + kCheckpointColumns +
                           " FROM checkpoints WHERE pipeline = ?1 ORDER BY partition");
    s.text(1, pipeline);
    std::vector<Checkpoint> out;
    while (s.step()) out.push_back(read_checkpoint(s));
    return out;
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
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = now_ms();
    // A commit without new DLQ entries may skip the fsync: it survives a
    // process crash either way (the WAL is in the OS), and what a power loss
    // may take (the newest checkpoint, a replay's "resolved") only makes the
    // batch come again. Saving one per batch with an fsync each would cap a
    // fast pipeline at the disk's sync rate. New DLQ entries keep FULL:
    // losing one would lose a record.
    std::optional<RelaxedSync> relaxed;
    if (r.add.empty()) relaxed.emplace(conn_);
    WriteTransaction tx(conn_);
    if (r.checkpoint) {
      const Checkpoint& c = *r.checkpoint;
      auto upsert = conn_.prepare(
          "INSERT INTO checkpoints (pipeline, partition, position, run_id, records, "
          "schema_version, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
          "ON CONFLICT (pipeline, partition) DO UPDATE SET position = excluded.position, "
          "run_id = excluded.run_id, records = checkpoints.records + excluded.records, "
          "schema_version = excluded.schema_version, updated_at_ms = excluded.updated_at_ms");
      upsert.text(1, r.pipeline)
          .text(2, r.partition)
          .blob(3, c.position)
          .text(4, c.run_id)
          .integer(5, r.records)
          .text(6, c.schema_version)
          .integer(7, now)
          .run();
      auto unmark = conn_.prepare("DELETE FROM checkpoint_resets WHERE pipeline = ?1 AND partition = ?2");
      unmark.text(1, r.pipeline).text(2, r.partition).run();
    }
    if (!r.acks.empty()) {
      auto ack = conn_.prepare(
          "INSERT INTO sink_acks (pipeline, sink, records, batches, updated_at_ms) "
          "VALUES (?1, ?2, ?3, 1, ?4) ON CONFLICT (pipeline, sink) DO UPDATE SET "
          "records = sink_acks.records + excluded.records, batches = sink_acks.batches + 1, "
          "updated_at_ms = excluded.updated_at_ms");
      for (const auto& [sink, records] : r.acks) {
        ack.reset();
        ack.text(1, r.pipeline).text(2, sink).integer(3, records).integer(4, now).run();
      }
    }
    if (!r.add.empty()) insert_dlq(r.add, now, nullptr);
    if (!r.change.empty()) change_dlq(r.pipeline, r.change, now);
    auto forget = conn_.prepare("DELETE FROM commit_intents WHERE pipeline = ?1 AND partition = ?2");
    forget.text(1, r.pipeline).text(2, r.partition).run();
    tx.commit();
  }

  int64_t reset_checkpoints(const std::string& pipeline,
                            const std::optional<std::string>& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    WriteTransaction tx(conn_);
    int64_t removed = 0;
    const int64_t now = now_ms();
    auto mark = conn_.prepare(
        "INSERT OR REPLACE INTO checkpoint_resets (pipeline, partition, reset_at_ms) VALUES (?1, ?2, ?3)");
    if (partition) {
      auto s = conn_.prepare("DELETE FROM checkpoints WHERE pipeline = ?1 AND partition = ?2");
      s.text(1, pipeline).text(2, *partition).run();
      removed = conn_.changes();
      auto i = conn_.prepare("DELETE FROM commit_intents WHERE pipeline = ?1 AND partition = ?2");
      i.text(1, pipeline).text(2, *partition).run();
      mark.text(1, pipeline).text(2, *partition).integer(3, now).run();
    } else {
      auto s = conn_.prepare("DELETE FROM checkpoints WHERE pipeline = ?1");
      s.text(1, pipeline).run();
      removed = conn_.changes();
      // The ack counters describe the progress just thrown away; keeping them
      // would make `checkpoint show` disagree with the (empty) checkpoints.
      auto acks = conn_.prepare("DELETE FROM sink_acks WHERE pipeline = ?1");
      acks.text(1, pipeline).run();
      auto i = conn_.prepare("DELETE FROM commit_intents WHERE pipeline = ?1");
      i.text(1, pipeline).run();
      auto markers = conn_.prepare("DELETE FROM checkpoint_resets WHERE pipeline = ?1");
      markers.text(1, pipeline).run();
      mark.text(1, pipeline).text(2, "").integer(3, now).run();
    }
    tx.commit();
    return removed;
  }

  bool was_reset(const std::string& pipeline, const std::string& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(
        "SELECT 1 FROM checkpoint_resets WHERE pipeline = ?1 AND (partition = ?2 OR partition = '') "
        "AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.pipeline = ?1 AND c.partition = ?2 "
        "AND c.updated_at_ms > checkpoint_resets.reset_at_ms)");
    s.text(1, pipeline).text(2, partition);
    return s.step();
  }

  std::vector<SinkAck> list_sink_acks(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(
        "SELECT pipeline, sink, records, batches, updated_at_ms FROM sink_acks "
        "WHERE pipeline = ?1 ORDER BY sink");
    s.text(1, pipeline);
    std::vector<SinkAck> out;
    while (s.step()) {
      SinkAck a;
      a.pipeline = s.text_at(0);
      a.sink = s.text_at(1);
      a.records = s.integer_at(2);
      a.batches = s.integer_at(3);
      a.updated_at_ms = s.integer_at(4);
      out.push_back(std::move(a));
    }
    return out;
  }

  void save_intent(const std::string& pipeline, const std::string& partition, const std::string& body) override {
    std::lock_guard<std::mutex> lock(mu_);
    // Like a checkpoint, an intent lost to a power cut only makes the batch
    // come again (the sinks absorb it); its DLQ entries are written again
    // by the commit that finishes it, under FULL.
    RelaxedSync relaxed(conn_);
    auto s = conn_.prepare(
        "INSERT OR REPLACE INTO commit_intents (pipeline, partition, body, updated_at_ms) VALUES (?1, ?2, ?3, ?4)");
    s.text(1, pipeline).text(2, partition).blob(3, body).integer(4, now_ms()).run();
  }

  std::optional<std::string> load_intent(const std::string& pipeline, const std::string& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare("SELECT body FROM commit_intents WHERE pipeline = ?1 AND partition = ?2");
    s.text(1, pipeline).text(2, partition);
    if (!s.step()) return std::nullopt;
    return s.blob_at(0);
  }

  std::vector<int64_t> add_dlq(const std::vector<DlqEntry>& entries) override {
    std::lock_guard<std::mutex> lock(mu_);
    WriteTransaction tx(conn_);
    std::vector<int64_t> ids;
    ids.reserve(entries.size());
    std::vector<DlqEntry> all = entries;
    for (DlqEntry& e : all) e.dedup = true;
    insert_dlq(all, now_ms(), &ids);
    tx.commit();
    return ids;
  }

  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override {
    std::lock_guard<std::mutex> lock(mu_);
    // Pages are read in id order from after_id on, so every page must be a
    // range, not a sort of the whole DLQ: the plan is chosen here (CROSS JOIN
    // fixes the join order; a unary + keeps SQLite off an index). Along the
    // narrow settlement rows for a status, by (pipeline, sink) for a sink,
    // else along the entries.
    std::vector<std::variant<int64_t, std::string>> params;
    const bool by_status = filter.status && !filter.sink;
    const char* driver = by_status ? "s" : "e";
    std::string sql = std::string("SELECT ") + kDlqColumns +
                      (by_status ? " FROM dlq_state s CROSS JOIN dlq_entries e ON e.id = s.id"
                                 : " FROM dlq_entries e CROSS JOIN dlq_state s ON s.id = e.id");
    if (by_status) {
      sql += " WHERE +s.pipeline = ? AND s.status = ?";
      params.emplace_back(filter.pipeline);
      params.emplace_back(std::string(to_string(*filter.status)));
    } else if (filter.sink) {
      sql += " WHERE e.pipeline = ? AND e.sink = ?";
      params.emplace_back(filter.pipeline);
      params.emplace_back(*filter.sink);
      if (filter.status) {
        sql += " AND s.status = ?";
        params.emplace_back(std::string(to_string(*filter.status)));
      }
    } else {
      sql += " WHERE +e.pipeline = ?";
      params.emplace_back(filter.pipeline);
    }
    if (filter.error_class) {
      sql += " AND e.error_class = ?";
      params.emplace_back(*filter.error_class);
    }
    if (filter.since_ms) {
      sql += " AND e.created_at_ms >= ?";
      params.emplace_back(*filter.since_ms);
    }
    if (!filter.ids.empty()) {
      sql += std::string(" AND ") + driver + ".id IN (SELECT value FROM json_each(?))";
      params.emplace_back(ids_as_json(filter.ids));
    }
    sql += std::string(" AND ") + driver + ".id > ? ORDER BY " + driver + ".id";
    params.emplace_back(filter.after_id);
    if (filter.limit > 0) {
      sql += " LIMIT ?";
      params.emplace_back(filter.limit);
    }

    auto s = conn_.prepare(sql);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (auto* v = std::get_if<int64_t>(&params[i])) {
        s.integer(index, *v);
      } else {
        s.text(index, std::get<std::string>(params[i]));
      }
    }
    std::vector<DlqEntry> out;
    while (s.step()) out.push_back(read_dlq(s, conn_.path()));
    return out;
  }

  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(std::string("SELECT ") + kDlqColumns +
                           " FROM dlq_entries e JOIN dlq_state s ON s.id = e.id WHERE e.pipeline = ?1 AND e.id = ?2");
    s.text(1, pipeline).integer(2, id);
    if (!s.step()) return std::nullopt;
    return read_dlq(s, conn_.path());
  }

  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                  const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override {
    std::lock_guard<std::mutex> lock(mu_);
    WriteTransaction tx(conn_);
    auto s = conn_.prepare(
        "UPDATE dlq_state SET status = ?1, attempts = COALESCE(?2, attempts), updated_at_ms = ?3 "
        "WHERE pipeline = ?4 AND id = ?5");
    s.text(1, to_string(status));
    if (attempts) {
      s.integer(2, *attempts);
    } else {
      s.null(2);
    }
    s.integer(3, now_ms()).text(4, pipeline).integer(5, id).run();
    if (conn_.changes() == 0) {
      throw Error("state store " + conn_.path() + ": no DLQ entry " + std::to_string(id) +
                  " in pipeline '" + pipeline + "'");
    }
    if (message) {
      auto m = conn_.prepare("UPDATE dlq_entries SET message = ?1 WHERE id = ?2");
      m.text(1, *message).integer(2, id).run();
    }
    tx.commit();
  }

  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::pair<DlqStatus, int64_t>> out = {{DlqStatus::Pending, 0},
                                                      {DlqStatus::Resolved, 0},
                                                      {DlqStatus::FailedAgain, 0},
                                                      {DlqStatus::Discarded, 0}};
    auto s = conn_.prepare(
        "SELECT status, COUNT(*) FROM dlq_state WHERE pipeline = ?1 GROUP BY status");
    s.text(1, pipeline);
    while (s.step()) {
      auto status = parse_dlq_status(s.text_at(0));
      if (!status) continue;  // the CHECK constraint keeps these out
      for (auto& [st, n] : out) {
        if (st == *status) n = s.integer_at(1);
      }
    }
    return out;
  }

  void begin_run(const Run& run) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare("INSERT INTO runs (" + std::string(kRunColumns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    s.text(1, run.id)
        .text(2, run.pipeline)
        .text(3, run.kind)
        .integer(4, run.started_at_ms != 0 ? run.started_at_ms : now_ms());
    // NULL rather than 0 so `WHERE ended_at_ms IS NULL` finds unfinished runs.
    if (run.ended_at_ms != 0) {
      s.integer(5, run.ended_at_ms);
    } else {
      s.null(5);
    }
    s.text(6, to_string(run.status))
        .integer(7, run.counts.read)
        .integer(8, run.counts.written)
        .integer(9, run.counts.rejected)
        .integer(10, run.counts.batches)
        .text(11, run.message)
        .run();
  }

  void end_run(const std::string& run_id, RunStatus status, const RunCounts& counts,
               const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(
        "UPDATE runs SET ended_at_ms = ?1, status = ?2, read = ?3, written = ?4, "
        "rejected = ?5, batches = ?6, message = ?7 WHERE id = ?8");
    s.integer(1, now_ms())
        .text(2, to_string(status))
        .integer(3, counts.read)
        .integer(4, counts.written)
        .integer(5, counts.rejected)
        .integer(6, counts.batches)
        .text(7, message)
        .text(8, run_id)
        .run();
    if (conn_.changes() == 0) {
      throw Error("state store " + conn_.path() + ": no run '" + run_id + "'");
    }
  }

  bool record_schema_version(const SchemaVersion& v) override {
    std::lock_guard<std::mutex> lock(mu_);
    WriteTransaction tx(conn_);
    auto s = conn_.prepare(
        "INSERT INTO schema_versions (pipeline, partition, version, fields, began_after, seen_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
    s.text(1, v.pipeline).text(2, v.partition).text(3, v.version).text(4, v.fields_json).blob(5, v.began_after)
        .integer(6, now_ms());
    s.run();
    const bool added = conn_.changes() > 0;
    tx.commit();
    return added;
  }

  std::vector<SchemaVersion> list_schema_versions(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(
        "SELECT pipeline, partition, version, fields, began_after, seen_at_ms FROM schema_versions "
        "WHERE pipeline = ?1 ORDER BY partition, seen_at_ms, rowid");
    s.text(1, pipeline);
    std::vector<SchemaVersion> out;
    while (s.step())
      out.push_back({s.text_at(0), s.text_at(1), s.text_at(2), s.text_at(3), s.blob_at(4), s.integer_at(5)});
    return out;
  }

  void save_window(const BackfillWindow& w) override {
    std::lock_guard<std::mutex> lock(mu_);
    WriteTransaction tx(conn_);
    auto s = conn_.prepare(
        "INSERT OR REPLACE INTO backfill_windows (pipeline, window, data_date, start, end, status, records, "
        "attempts, run_id, message, started_at_ms, ended_at_ms, generation) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    s.text(1, w.pipeline).text(2, w.window).text(3, w.data_date).text(4, w.start).text(5, w.end)
        .text(6, to_string(w.status)).integer(7, w.records).integer(8, w.attempts).text(9, w.run_id)
        .text(10, w.message).integer(11, w.started_at_ms).integer(12, w.ended_at_ms).integer(13, w.generation);
    s.run();
    tx.commit();
  }

  std::vector<BackfillWindow> list_windows(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(
        "SELECT pipeline, window, data_date, start, end, status, records, attempts, run_id, message, "
        "started_at_ms, ended_at_ms, generation FROM backfill_windows WHERE pipeline = ?1 ORDER BY window");
    s.text(1, pipeline);
    std::vector<BackfillWindow> out;
    while (s.step()) {
      BackfillWindow w;
      w.pipeline = s.text_at(0);
      w.window = s.text_at(1);
      w.data_date = s.text_at(2);
      w.start = s.text_at(3);
      w.end = s.text_at(4);
      const std::string status = s.text_at(5);
      w.status = status == "running" ? WindowStatus::Running
                 : status == "done"  ? WindowStatus::Done
                 : status == "failed" ? WindowStatus::Failed
                                      : WindowStatus::Pending;
      w.records = s.integer_at(6);
      w.attempts = s.integer_at(7);
      w.run_id = s.text_at(8);
      w.message = s.text_at(9);
      w.started_at_ms = s.integer_at(10);
      w.ended_at_ms = s.integer_at(11);
      w.generation = s.integer_at(12);
      out.push_back(std::move(w));
    }
    return out;
  }

  std::vector<Run> list_runs(const std::string& pipeline, int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(std::string("SELECT ") + kRunColumns +
                           " FROM runs WHERE pipeline = ?1 "
                           "ORDER BY started_at_ms DESC, id DESC LIMIT ?2");
    s.text(1, pipeline).integer(2, limit > 0 ? limit : -1);  // -1: no limit
    std::vector<Run> out;
    while (s.step()) out.push_back(read_run(s, conn_.path()));
    return out;
  }

  int64_t last_dlq_id(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare("SELECT COALESCE(MAX(id), 0) FROM dlq_entries WHERE pipeline = ?1");
    s.text(1, pipeline);
    return s.step() ? s.integer_at(0) : 0;
  }

  int64_t fail_unfinished_runs(const std::string& pipeline, const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto s = conn_.prepare(
        "UPDATE runs SET status = 'failed', ended_at_ms = ?1, message = ?2 "
        "WHERE pipeline = ?3 AND status = 'running'");
    s.integer(1, now_ms()).text(2, message).text(3, pipeline).run();
    return conn_.changes();
  }

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

  // Inserts entries inside the caller's transaction. An entry marked dedup
  // is skipped while an unresolved entry with the same partition, position,
  // stage, sink and record exists; `ids` (if given) gets the id either way.
  void insert_dlq(const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids) {
    auto insert = conn_.prepare(
        "INSERT INTO dlq_entries (pipeline, run_id, partition, position, stage, sink, record_key, "
        "record, error_class, message, created_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    auto settle = conn_.prepare(
        "INSERT INTO dlq_state (id, pipeline, status, attempts, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    auto existing = conn_.prepare(
        "SELECT e.id FROM dlq_entries e JOIN dlq_state s ON s.id = e.id WHERE e.pipeline = ?1 "
        "AND e.partition = ?2 AND e.position = ?3 AND e.stage = ?4 AND e.sink = ?5 AND e.record = ?6 "
        "AND s.status <> 'resolved' ORDER BY e.id LIMIT 1");
    for (const auto& e : entries) {
      if (e.dedup) {
        existing.reset();
        existing.text(1, e.pipeline)
            .text(2, e.partition)
            .blob(3, e.position)
            .text(4, e.stage)
            .text(5, e.sink)
            .text(6, e.record_json);
        if (existing.step()) {
          if (ids) ids->push_back(existing.integer_at(0));
          continue;
        }
      }
      insert.reset();
      insert.text(1, e.pipeline)
          .text(2, e.run_id)
          .text(3, e.partition)
          .blob(4, e.position)
          .text(5, e.stage)
          .text(6, e.sink)
          .text(7, e.record_key)
          .text(8, e.record_json)
          .text(9, e.error_class)
          .text(10, e.message)
          .integer(11, now)
          .run();
      const int64_t id = conn_.last_insert_id();
      settle.reset();
      settle.integer(1, id).text(2, e.pipeline).text(3, to_string(e.status)).integer(4, e.attempts).integer(5, now).run();
      if (ids) ids->push_back(id);
    }
  }

  void change_dlq(const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now) {
    // Most changes of a replay only resolve an entry: one statement for all
    // of them (a replay batch resolves up to max_records entries).
    std::vector<int64_t> resolved;
    std::vector<const DlqChange*> others;
    for (const DlqChange& c : changes) {
      const bool plain = c.status == DlqStatus::Resolved && !c.message && !c.attempts && !c.sink && !c.stage &&
                         !c.record_json;
      if (plain) resolved.push_back(c.id);
      else others.push_back(&c);
    }
    if (!resolved.empty()) {
      auto r = conn_.prepare(
          "UPDATE dlq_state SET status = 'resolved', updated_at_ms = ?1 WHERE pipeline = ?2 "
          "AND id IN (SELECT value FROM json_each(?3)) AND status IN ('pending', 'failed_again')");
      r.integer(1, now).text(2, pipeline).text(3, ids_as_json(resolved)).run();
    }
    if (others.empty()) return;
    auto s = conn_.prepare(
        "UPDATE dlq_state SET status = ?1, attempts = COALESCE(?2, attempts), updated_at_ms = ?3 "
        "WHERE pipeline = ?4 AND id = ?5 AND status IN ('pending', 'failed_again')");
    auto entry = conn_.prepare(
        "UPDATE dlq_entries SET message = COALESCE(?1, message), sink = COALESCE(?2, sink), "
        "stage = COALESCE(?3, stage), record = COALESCE(?4, record) WHERE id = ?5");
    auto opt_text = [](Statement& st, int i, const std::optional<std::string>& v) {
      if (v) {
        st.text(i, *v);
      } else {
        st.null(i);
      }
    };
    for (const DlqChange* change : others) {
      const DlqChange& c = *change;
      s.reset();
      s.text(1, to_string(c.status));
      if (c.attempts) {
        s.integer(2, *c.attempts);
      } else {
        s.null(2);
      }
      s.integer(3, now).text(4, pipeline).integer(5, c.id).run();
      // Only an entry this change settled gets its record or message changed.
      if (conn_.changes() == 0 || !(c.message || c.sink || c.stage || c.record_json)) continue;
      entry.reset();
      opt_text(entry, 1, c.message);
      opt_text(entry, 2, c.sink);
      opt_text(entry, 3, c.stage);
      opt_text(entry, 4, c.record_json);
      entry.integer(5, c.id).run();
    }
  }

  std::mutex mu_;
  Connection conn_;
  std::string lock_scope_;
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
  std::unique_ptr<SqliteStateStore> store;
  try {
    store = std::make_unique<SqliteStateStore>(path);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (is it a Ferry state file? A damaged one must be restored from a backup)");
  }
  if (check == StateCheck::Thorough) {
    std::string damage = store->damage();
    if (!damage.empty())
      throw Error("state store " + path + " is damaged (" + damage +
                  "). Restore it from a backup; running on it could lose or repeat records");
  }
  return store;
}

std::unique_ptr<StateStore> open_memory_state() { return std::make_unique<SqliteStateStore>(kMemoryPath); }

}  // namespace ferry::core
