// The state store, written once over a back end (state_backend.h):
// checkpoints, sink acknowledgements, commit intents, reset markers, runs,
// schema versions and the backfill ledger. Each operation runs under one
// mutex and the back end's retry rule; every value is a bound parameter.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/state_backend.h"
#include "state/state_clock.h"
#include "state/state_rows.h"
#include "state/state_store.h"
#include "state/waiting_commits.h"

namespace ferry::core::state_sql {

namespace {

class SqlStateStore final : public StateStore {
 public:
  explicit SqlStateStore(std::unique_ptr<StateBackend> db) : db_(std::move(db)) {}
  // Commits still waiting are dropped, as a crash would drop them: their
  // batches come again, to idempotent sinks. Saving them here could write
  // after the run lock was released, under another run's feet.

  std::optional<Checkpoint> load_checkpoint(const std::string& pipeline, const std::string& partition) override {
    return guarded([&]() -> std::optional<Checkpoint> {
      Rows r = db_->query(std::string("SELECT ") + kCheckpointColumns +
                              " FROM checkpoints WHERE pipeline = $1 AND partition = $2",
                          Params().text(pipeline).text(partition));
      if (r.count() == 0) return std::nullopt;
      return read_checkpoint(r, 0);
    });
  }

  std::vector<Checkpoint> list_checkpoints(const std::string& pipeline) override {
    return guarded([&] {
      Rows r = db_->query(std::string("SELECT ") + kCheckpointColumns +
                              " FROM checkpoints WHERE pipeline = $1 ORDER BY partition",
                          Params().text(pipeline));
      return read_all(r, read_checkpoint);
    });
  }

  void finish_commit(const CommitRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (WaitingCommits::may_wait(r)) {
      waiting_.add(r, WaitingCommits::Clock::now());
      if (waiting_.due(WaitingCommits::Clock::now())) db_->attempt([&] { save_waiting(); });
      return;
    }
    db_->attempt([&] {
      save_waiting();
      // A commit without new DLQ entries may skip the fsync: what a power
      // loss may take (the newest checkpoint, a replay's "resolved") only
      // makes the batch come again, and one fsync per batch would cap a fast
      // pipeline at the disk's sync rate. New DLQ entries keep it: losing
      // one would lose a record.
      auto tx = db_->begin(r.add.empty() ? Durability::kRelaxed : Durability::kFull);
      apply(r, state_now_ms());
      tx->commit();
    });
  }

  void save_waiting_commits() override { guarded([] {}); }

  bool commits_waiting(const std::string& pipeline, const std::string& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_.holds(pipeline, partition);
  }

  void sync() override {
    guarded([&] { db_->sync(); });
  }

  int64_t reset_checkpoints(const std::string& pipeline, const std::optional<std::string>& partition) override {
    return guarded([&] {
      auto tx = db_->begin(Durability::kFull);
      int64_t removed = 0;
      if (partition) {
        removed = db_->exec("DELETE FROM checkpoints WHERE pipeline = $1 AND partition = $2",
                            Params().text(pipeline).text(*partition));
        db_->exec("DELETE FROM commit_intents WHERE pipeline = $1 AND partition = $2",
                  Params().text(pipeline).text(*partition));
        db_->exec("DELETE FROM batch_cuts WHERE pipeline = $1 AND partition = $2",
                  Params().text(pipeline).text(*partition));
      } else {
        removed = db_->exec("DELETE FROM checkpoints WHERE pipeline = $1", Params().text(pipeline));
        // The ack counters describe the progress just thrown away; keeping
        // them would make `checkpoint show` disagree with the (empty) checkpoints.
        db_->exec("DELETE FROM sink_acks WHERE pipeline = $1", Params().text(pipeline));
        db_->exec("DELETE FROM commit_intents WHERE pipeline = $1", Params().text(pipeline));
        db_->exec("DELETE FROM batch_cuts WHERE pipeline = $1", Params().text(pipeline));
        db_->exec("DELETE FROM checkpoint_resets WHERE pipeline = $1", Params().text(pipeline));
        // A plan only keeps partitions from drifting under their checkpoints.
        db_->exec("DELETE FROM partition_plans WHERE pipeline = $1", Params().text(pipeline));
        db_->forget_rounds(pipeline);
      }
      db_->exec(
          "INSERT INTO checkpoint_resets (pipeline, partition, reset_at_ms) VALUES ($1, $2, $3) "
          "ON CONFLICT (pipeline, partition) DO UPDATE SET reset_at_ms = excluded.reset_at_ms",
          Params().text(pipeline).text(partition.value_or("")).integer(state_now_ms()));
      tx->commit();
      return removed;
    });
  }

  bool was_reset(const std::string& pipeline, const std::string& partition) override {
    return guarded([&] {
      return db_->query(
                    "SELECT 1 FROM checkpoint_resets m WHERE m.pipeline = $1 "
                    "AND (m.partition = $2 OR m.partition = '') AND NOT EXISTS (SELECT 1 FROM checkpoints c "
                    "WHERE c.pipeline = $1 AND c.partition = $2 AND c.updated_at_ms > m.reset_at_ms)",
                    Params().text(pipeline).text(partition))
                 .count() > 0;
    });
  }

  std::vector<SinkAck> list_sink_acks(const std::string& pipeline) override {
    return guarded([&] {
      Rows r = db_->query(
          "SELECT pipeline, sink, records, batches, updated_at_ms FROM sink_acks WHERE pipeline = $1 ORDER BY sink",
          Params().text(pipeline));
      return read_all(r, [](const Rows& rows, int i) {
        return SinkAck{rows.text(i, 0), rows.text(i, 1), rows.integer(i, 2), rows.integer(i, 3), rows.integer(i, 4)};
      });
    });
  }

  std::vector<PlannedPartition> load_partition_plan(const std::string& pipeline, const std::string& scope) override {
    return guarded([&] {
      Rows r = db_->query(
          "SELECT partition, descriptor FROM partition_plans WHERE pipeline = $1 AND scope = $2 ORDER BY seq",
          Params().text(pipeline).text(scope));
      return read_all(r, [](const Rows& rows, int i) { return PlannedPartition{rows.text(i, 0), rows.text(i, 1)}; });
    });
  }

  void save_partition_plan(const std::string& pipeline, const std::string& scope,
                           const std::vector<PlannedPartition>& plan) override {
    guarded([&] {
      const int64_t now = state_now_ms();
      auto tx = db_->begin(Durability::kFull);
      db_->exec("DELETE FROM partition_plans WHERE pipeline = $1 AND scope = $2", Params().text(pipeline).text(scope));
      int64_t seq = 0;
      for (const PlannedPartition& p : plan)
        db_->exec(
            "INSERT INTO partition_plans (pipeline, scope, seq, partition, descriptor, planned_at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            Params().text(pipeline).text(scope).integer(seq++).text(p.name).bytes(p.descriptor).integer(now));
      tx->commit();
    });
  }

  void save_intent(const std::string& pipeline, const std::string& partition, const std::string& body,
                   const std::optional<Fence>& fence) override {
    // Lost to a power cut, an intent only makes the batch come again.
    save_partition_row("commit_intents", pipeline, partition, body, fence, Durability::kRelaxed);
  }

  std::optional<std::string> load_intent(const std::string& pipeline, const std::string& partition) override {
    return load_partition_row("commit_intents", pipeline, partition);
  }

  void save_cuts(const std::string& pipeline, const std::string& partition, const std::string& body,
                 const std::optional<Fence>& fence) override {
    // Not synced, as intents and checkpoints: a sync per batch cost more
    // than the batch at small sizes (1,000 rows into files: 2.3x). A cut
    // survives a killed process; a power cut may take it (docs say so).
    save_partition_row("batch_cuts", pipeline, partition, body, fence, Durability::kRelaxed);
  }

  std::optional<std::string> load_cuts(const std::string& pipeline, const std::string& partition) override {
    return load_partition_row("batch_cuts", pipeline, partition);
  }

  std::vector<int64_t> add_dlq(const std::vector<DlqEntry>& entries) override {
    return guarded([&] {
      std::vector<DlqEntry> all = entries;
      for (DlqEntry& e : all) e.dedup = true;
      std::vector<int64_t> ids;
      ids.reserve(all.size());
      auto tx = db_->begin(Durability::kFull);
      db_->dlq().insert_dlq(all, state_now_ms(), &ids);
      tx->commit();
      return ids;
    });
  }
  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override {
    return guarded([&] { return db_->dlq().list_dlq(filter); });
  }
  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override {
    return guarded([&] { return db_->dlq().get_dlq(pipeline, id); });
  }
  int64_t last_dlq_id(const std::string& pipeline) override {
    return guarded([&] { return db_->dlq().last_dlq_id(pipeline); });
  }
  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status, const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override {
    guarded([&] { db_->dlq().update_dlq(pipeline, id, status, message, attempts); });
  }
  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override {
    return guarded([&] { return db_->dlq().count_dlq(pipeline); });
  }

  void begin_run(const Run& run) override {
    guarded([&] {
      Params p;
      p.text(run.id).text(run.pipeline).text(run.kind).integer(run.started_at_ms != 0 ? run.started_at_ms
                                                                                        : state_now_ms());
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
      db_->exec("INSERT INTO runs (" + std::string(kRunColumns) +
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                p);
    });
  }

  void end_run(const std::string& run_id, RunStatus status, const RunCounts& counts,
               const std::string& message) override {
    guarded([&] {
      const int64_t changed = db_->exec(
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
      if (changed == 0) throw Error("state store " + db_->label() + ": no run '" + run_id + "'");
    });
  }

  std::vector<Run> list_runs(const std::string& pipeline, int64_t limit) override {
    return guarded([&] {
      Params p;
      p.text(pipeline);
      std::string sql = std::string("SELECT ") + kRunColumns +
                        " FROM runs WHERE pipeline = $1 ORDER BY started_at_ms DESC, id DESC";
      if (limit > 0) {
        sql += " LIMIT $2";
        p.integer(limit);
      }
      Rows r = db_->query(sql, p);
      return read_all(r, [this](const Rows& rows, int i) { return read_run(rows, i, db_->label()); });
    });
  }

  int64_t fail_unfinished_runs(const std::string& pipeline, const std::string& message) override {
    return guarded([&] {
      return db_->exec(
          "UPDATE runs SET status = 'failed', ended_at_ms = $1, message = $2 "
          "WHERE pipeline = $3 AND status = 'running'",
          Params().integer(state_now_ms()).text(message).text(pipeline));
    });
  }

  std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) override {
    return db_->lock_pipeline(pipeline, me);
  }

  std::optional<LockHolder> lock_holder(const std::string& pipeline) override {
    return guarded([&] { return db_->lock_holder(pipeline); });
  }

  std::unique_ptr<WorkerLeases> join_workers(const std::string& pipeline, const LockHolder& me,
                                             std::chrono::milliseconds ttl) override {
    return db_->join_workers(pipeline, me, ttl);
  }
  std::vector<WorkerInfo> list_workers(const std::string& pipeline) override {
    return guarded([&] { return db_->list_workers(pipeline); });
  }
  std::vector<LeaseInfo> list_leases(const std::string& pipeline) override {
    return guarded([&] { return db_->list_leases(pipeline); });
  }

  bool record_schema_version(const SchemaVersion& v) override {
    return guarded([&] {
      return db_->exec(
                 "INSERT INTO schema_versions (pipeline, partition, version, fields, began_after, seen_at_ms) "
                 "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                 Params()
                     .text(v.pipeline)
                     .text(v.partition)
                     .text(v.version)
                     .text(v.fields_json)
                     .bytes(v.began_after)
                     .integer(state_now_ms())) > 0;
    });
  }

  std::vector<SchemaVersion> list_schema_versions(const std::string& pipeline) override {
    return guarded([&] {
      Rows r = db_->query(
          std::string("SELECT pipeline, partition, version, fields, began_after, seen_at_ms FROM schema_versions "
                      "WHERE pipeline = $1 ORDER BY partition, seen_at_ms, ") +
              db_->insertion_order(),
          Params().text(pipeline));
      return read_all(r, [](const Rows& rows, int i) {
        return SchemaVersion{rows.text(i, 0), rows.text(i, 1), rows.text(i, 2),
                             rows.text(i, 3), rows.text(i, 4), rows.integer(i, 5)};
      });
    });
  }

  void save_window(const BackfillWindow& w) override {
    guarded([&] {
      db_->exec(
          std::string("INSERT INTO backfill_windows (") + kWindowColumns +
              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
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
    return guarded([&] {
      Rows r = db_->query(std::string("SELECT ") + kWindowColumns +
                              " FROM backfill_windows WHERE pipeline = $1 ORDER BY \"window\"",
                          Params().text(pipeline));
      return read_all(r, read_window);
    });
  }

 private:
  // One commit's statements, inside the caller's transaction.
  void apply(const CommitRecord& r, int64_t now) {
    if (r.fence) check_fence(r.pipeline, *r.fence);
    if (r.checkpoint) {
      const Checkpoint& c = *r.checkpoint;
      db_->exec(
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
      db_->exec("DELETE FROM checkpoint_resets WHERE pipeline = $1 AND partition = $2",
                Params().text(r.pipeline).text(r.partition));
    }
    for (const auto& [sink, records] : r.acks)
      db_->exec(
          "INSERT INTO sink_acks (pipeline, sink, records, batches, updated_at_ms) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pipeline, sink) DO UPDATE SET "
          "records = sink_acks.records + excluded.records, batches = sink_acks.batches + excluded.batches, "
          "updated_at_ms = excluded.updated_at_ms",
          Params().text(r.pipeline).text(sink).integer(records).integer(r.batches).integer(now));
    if (!r.add.empty()) db_->dlq().insert_dlq(r.add, now, nullptr);
    if (!r.change.empty()) db_->dlq().change_dlq(r.pipeline, r.change, now);
    if (!r.run_id.empty())
      db_->exec(
          "UPDATE runs SET read = read + $1, written = written + $2, rejected = rejected + $3, "
          "batches = batches + $4 WHERE id = $5 AND status = 'running'",
          Params()
              .integer(r.progress.read)
              .integer(r.progress.written)
              .integer(r.progress.rejected)
              .integer(r.progress.batches)
              .text(r.run_id));
    db_->exec("DELETE FROM commit_intents WHERE pipeline = $1 AND partition = $2",
              Params().text(r.pipeline).text(r.partition));
  }

  // A partition's row of commit_intents or batch_cuts (the table is ours):
  // its body replaced, under the fence if any.
  void save_partition_row(const char* table, const std::string& pipeline, const std::string& partition,
                          const std::string& body, const std::optional<Fence>& fence, Durability durability) {
    guarded([&] {
      const std::string sql = std::string("INSERT INTO ") + table +
                              " (pipeline, partition, body, updated_at_ms) VALUES ($1, $2, $3, $4) "
                              "ON CONFLICT (pipeline, partition) DO UPDATE SET body = excluded.body, "
                              "updated_at_ms = excluded.updated_at_ms";
      const Params params = Params().text(pipeline).text(partition).bytes(body).integer(state_now_ms());
      if (!fence) {
        db_->exec(sql, params, durability);
        return;
      }
      // A paused worker that lost its lease must not overwrite what the
      // worker that took the partition over saved.
      auto tx = db_->begin(durability);
      check_fence(pipeline, *fence);
      db_->exec(sql, params);
      tx->commit();
    });
  }

  std::optional<std::string> load_partition_row(const char* table, const std::string& pipeline,
                                                const std::string& partition) {
    return guarded([&]() -> std::optional<std::string> {
      Rows r = db_->query(std::string("SELECT body FROM ") + table + " WHERE pipeline = $1 AND partition = $2",
                          Params().text(pipeline).text(partition));
      if (r.count() == 0) return std::nullopt;
      return r.text(0, 0);
    });
  }

  // Inside the caller's attempt: the waiting commits, in one transaction.
  // They stay waiting until it committed, so a failed save loses none.
  void save_waiting() {
    if (waiting_.empty()) return;
    auto tx = db_->begin(Durability::kRelaxed);
    const int64_t now = state_now_ms();
    for (const CommitRecord& r : waiting_.records()) apply(r, now);
    tx->commit();
    waiting_.clear();
  }

  // Inside the caller's transaction: the lease still has the fence's token.
  // The row stays locked until the transaction ends, and a claim skips a
  // locked row, so a worker taking the partition over claims it after this
  // commit (and reads its checkpoint) or before it (and this one fails).
  // Only a back end with leases (join_workers) ever hands out fences.
  void check_fence(const std::string& pipeline, const Fence& fence) {
    const int64_t held = db_->exec(
        "UPDATE partition_leases SET token = token WHERE pipeline = $1 AND scope = '' AND partition = $2 "
        "AND token = $3",
        Params().text(pipeline).text(fence.partition).integer(fence.token));
    if (held == 0)
      throw FencedError("state store " + db_->label() + ": partition '" + fence.partition + "' of pipeline '" +
                        pipeline + "' was taken over by another worker (this worker's lease token " +
                        std::to_string(fence.token) + " is no longer current); nothing of the batch was saved");
  }

  // One operation under the mutex and the back end's retry rule; a retried
  // operation starts over, its earlier result dropped. Waiting commits are
  // saved first: whatever the operation reads or changes comes after them.
  template <typename Fn>
  auto guarded(Fn&& fn) -> decltype(fn()) {
    std::lock_guard<std::mutex> lock(mu_);
    using Result = decltype(fn());
    if constexpr (std::is_void_v<Result>) {
      db_->attempt([&] {
        save_waiting();
        fn();
      });
    } else {
      std::optional<Result> out;
      db_->attempt([&] {
        save_waiting();
        out = fn();
      });
      return std::move(*out);
    }
  }

  std::mutex mu_;
  std::unique_ptr<StateBackend> db_;
  WaitingCommits waiting_;
};

}  // namespace

std::unique_ptr<StateStore> make_state_store(std::unique_ptr<StateBackend> backend) {
  return std::make_unique<SqlStateStore>(std::move(backend));
}

}  // namespace ferry::core::state_sql
