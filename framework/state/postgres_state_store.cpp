// PostgreSQL back end of the state store: the same tables as the SQLite file
// (checkpoints, sink_acks, the DLQ, runs, schema_versions, backfill_windows)
// in the connection's default schema, so several hosts can share one state.
// The connection is in postgres_db.h, the schema and its numbered migrations
// in postgres_state_schema.cpp, the DLQ's operations in postgres_dlq.cpp.
//
// Every value goes through a bound parameter (support/pg, on libpqxx); SQL
// text is only ever built from fixed fragments. Byte strings (positions) are
// BYTEA, so NUL bytes survive. One
// connection per store object, guarded by a mutex; a connection found broken
// is re-established once before an operation fails.
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/pipeline_lock.h"
#include "state/postgres_db.h"
#include "state/postgres_dlq.h"
#include "state/postgres_run_lock.h"
#include "state/postgres_state_schema.h"
#include "state/state_clock.h"
#include "state/state_store.h"

namespace ferry::core {
namespace {

using pg_state::change_dlq;
using pg_state::Connection;
using pg_state::ConnectionLost;
using pg_state::insert_dlq;
using pg_state::Params;
using pg_state::Rows;
using pg_state::Transaction;

constexpr const char* kCheckpointColumns =
    "pipeline, partition, position, run_id, records, updated_at_ms, schema_version";
constexpr const char* kRunColumns =
    "id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, "
    "batches, message";

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

class PostgresStateStore final : public StateStore {
 public:
  explicit PostgresStateStore(const std::string& dsn) : dsn_(dsn), conn_(dsn) {
    with_retry([&] { pg_state::ensure_schema(conn_); });
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

  void finish_commit(const CommitRecord& r) override {
    with_retry([&] {
      const int64_t now = state_now_ms();
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
      insert_dlq(conn_, r.add, now, nullptr);
      change_dlq(conn_, r.pipeline, r.change, now);
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
      const int64_t now = state_now_ms();
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
          Params().text(pipeline).text(partition).bytes(body).integer(state_now_ms()));
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
    return with_retry([&] { return pg_state::add_dlq(conn_, entries); });
  }

  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override {
    return with_retry([&] { return pg_state::list_dlq(conn_, filter); });
  }

  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override {
    return with_retry([&] { return pg_state::get_dlq(conn_, pipeline, id); });
  }

  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                  const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override {
    with_retry([&] { pg_state::update_dlq(conn_, pipeline, id, status, message, attempts); });
  }

  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override {
    return with_retry([&] { return pg_state::count_dlq(conn_, pipeline); });
  }

  void begin_run(const Run& run) override {
    with_retry([&] {
      Params p;
      p.text(run.id).text(run.pipeline).text(run.kind).integer(
          run.started_at_ms != 0 ? run.started_at_ms : state_now_ms());
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
              .integer(state_now_ms())
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
    return with_retry([&] { return pg_state::last_dlq_id(conn_, pipeline); });
  }

  int64_t fail_unfinished_runs(const std::string& pipeline, const std::string& message) override {
    return with_retry([&] {
      return conn_
          .exec("UPDATE runs SET status = 'failed', ended_at_ms = $1, message = $2 "
                "WHERE pipeline = $3 AND status = 'running'",
                Params().integer(state_now_ms()).text(message).text(pipeline))
          .affected();
    });
  }

  std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) override {
    return pg_state::lock_run(dsn_, pipeline, me);
  }

  std::optional<LockHolder> lock_holder(const std::string& pipeline) override {
    return with_retry([&] { return pg_state::run_lock_holder(conn_, pipeline); });
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
              .integer(state_now_ms()));
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


  std::string dsn_;
  std::mutex mu_;
  Connection conn_;
};

}  // namespace

std::unique_ptr<StateStore> open_postgres_state(const std::string& dsn) {
  return std::make_unique<PostgresStateStore>(dsn);
}

}  // namespace ferry::core
