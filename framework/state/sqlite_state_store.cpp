// SQLite back end of the state store: one file beside the pipeline, in WAL
// mode, with plain tables a person can read with the sqlite3 shell; or the
// same tables in memory, for tests and throw-away runs.
//
// Every value goes through a bound parameter; SQL text is only ever built
// from fixed fragments. One connection per store object (sqlite_db.h),
// guarded by a mutex. The tables and their migrations are in
// sqlite_state_schema.cpp, the DLQ's operations in sqlite_dlq.cpp.
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
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/pipeline_lock.h"
#include "state/sqlite_db.h"
#include "state/sqlite_dlq.h"
#include "state/state_store.h"

namespace ferry::core {
namespace {

using sqlite_state::Connection;
using sqlite_state::kMemoryPath;
using sqlite_state::Statement;
using sqlite_state::WriteTransaction;

constexpr const char* kCheckpointColumns =
    "pipeline, partition, position, run_id, records, updated_at_ms, schema_version";
constexpr const char* kRunColumns =
    "id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, "
    "batches, message";

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

  void finish_commit(const CommitRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = state_now_ms();
    // A commit without new DLQ entries may skip the fsync: it survives a
    // process crash either way (the WAL is in the OS), and what a power loss
    // may take (the newest checkpoint, a replay's "resolved") only makes the
    // batch come again. Saving one per batch with an fsync each would cap a
    // fast pipeline at the disk's sync rate. New DLQ entries keep FULL:
    // losing one would lose a record.
    WriteTransaction tx(conn_, r.add.empty() ? Connection::Sync::kNormal : Connection::Sync::kFull);
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
    if (!r.add.empty()) sqlite_state::insert_dlq(conn_, r.add, now, nullptr);
    if (!r.change.empty()) sqlite_state::change_dlq(conn_, r.pipeline, r.change, now);
    auto forget = conn_.prepare("DELETE FROM commit_intents WHERE pipeline = ?1 AND partition = ?2");
    forget.text(1, r.pipeline).text(2, r.partition).run();
    tx.commit();
  }

  int64_t reset_checkpoints(const std::string& pipeline,
                            const std::optional<std::string>& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    WriteTransaction tx(conn_);
    int64_t removed = 0;
    const int64_t now = state_now_ms();
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
    conn_.durability(Connection::Sync::kNormal);
    auto s = conn_.prepare(
        "INSERT OR REPLACE INTO commit_intents (pipeline, partition, body, updated_at_ms) VALUES (?1, ?2, ?3, ?4)");
    s.text(1, pipeline).text(2, partition).blob(3, body).integer(4, state_now_ms()).run();
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
    return sqlite_state::add_dlq(conn_, entries);
  }
  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override {
    std::lock_guard<std::mutex> lock(mu_);
    return sqlite_state::list_dlq(conn_, filter);
  }
  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return sqlite_state::get_dlq(conn_, pipeline, id);
  }
  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                  const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite_state::update_dlq(conn_, pipeline, id, status, message, attempts);
  }
  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    return sqlite_state::count_dlq(conn_, pipeline);
  }
  int64_t last_dlq_id(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    return sqlite_state::last_dlq_id(conn_, pipeline);
  }

  void begin_run(const Run& run) override {
    std::lock_guard<std::mutex> lock(mu_);
    conn_.durability(Connection::Sync::kFull);
    auto s = conn_.prepare("INSERT INTO runs (" + std::string(kRunColumns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    s.text(1, run.id)
        .text(2, run.pipeline)
        .text(3, run.kind)
        .integer(4, run.started_at_ms != 0 ? run.started_at_ms : state_now_ms());
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
    conn_.durability(Connection::Sync::kFull);
    auto s = conn_.prepare(
        "UPDATE runs SET ended_at_ms = ?1, status = ?2, read = ?3, written = ?4, "
        "rejected = ?5, batches = ?6, message = ?7 WHERE id = ?8");
    s.integer(1, state_now_ms())
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
        .integer(6, state_now_ms());
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

  int64_t fail_unfinished_runs(const std::string& pipeline, const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    conn_.durability(Connection::Sync::kFull);
    auto s = conn_.prepare(
        "UPDATE runs SET status = 'failed', ended_at_ms = ?1, message = ?2 "
        "WHERE pipeline = ?3 AND status = 'running'");
    s.integer(1, state_now_ms()).text(2, message).text(3, pipeline).run();
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
