#include "checkpoint_table.h"

#include <cstddef>
#include <ferry/plugin.hpp>

namespace ferry_pg {
namespace {

// A new row is invisible to other sessions until its transaction ends, so a
// row lock cannot make a reader wait for the first commit of a partition.
// An advisory lock on the (table, pipeline, partition) can: the commit
// holds it exclusively until it ends, a reader takes it shared. Keys that
// collide only make one wait for the other.
constexpr const char* kLockKey = "hashtextextended($1 || chr(10) || $2 || chr(10) || $3, 0)";

uint64_t first_u64(const Result& r) { return std::stoull(PQgetvalue(r.get(), 0, 0)); }

// Runs `work` between `begin` and COMMIT on a connection that is in no
// transaction, rolling back on any failure. Returns what `work` returns.
template <class F>
auto transactionally(Connection& c, const std::string& begin, const std::string& what, F&& work) {
  c.exec(begin, what);
  try {
    auto out = work();
    c.exec("COMMIT", what);
    return out;
  } catch (...) {
    try {
      c.exec("ROLLBACK", what);
    } catch (...) {
      // The connection is gone, and the transaction with it.
    }
    throw;
  }
}

}  // namespace

void CheckpointTable::ensure(Connection& c) {
  Params p;
  p.add_text(quoted_);
  Result r = c.exec("SELECT to_regclass($1) IS NOT NULL", p, "looking for table " + quoted_);
  if (PQgetvalue(r.get(), 0, 0)[0] == 't') return;
  // Sinks opening at once (workers starting together) would race in CREATE
  // TABLE IF NOT EXISTS, which fails on the catalog's unique indexes when
  // another session creates the same table meanwhile: one waits here.
  const std::string what = "creating checkpoint table " + quoted_;
  transactionally(c, "BEGIN", what, [&] {
    c.exec("SELECT pg_advisory_xact_lock(hashtextextended('ferry create table' || chr(10) || $1, 0))", p, what);
    c.exec("CREATE TABLE IF NOT EXISTS " + quoted_ +
               " (pipeline text NOT NULL, partition text NOT NULL, position bytea, "
               "run_id text, updated_at timestamptz NOT NULL DEFAULT now(), fence bigint NOT NULL DEFAULT 0, "
               "PRIMARY KEY (pipeline, partition))",
           what);
    return true;
  });
}

void CheckpointTable::save(Connection& c, const FerryCheckpoint& cp, std::string_view fallback_pipeline) {
  if (cp.struct_size < offsetof(FerryCheckpoint, run_id) + sizeof cp.run_id)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "postgres sink: checkpoint struct is too small");
  std::string_view pipeline = ferry::view(cp.pipeline);
  if (pipeline.empty()) pipeline = fallback_pipeline;
  const std::string pipeline_s(pipeline), partition(ferry::view(cp.partition)),
      run_id(ferry::view(cp.run_id));
  Params key;
  key.add_text(quoted_);
  key.add_text(pipeline_s);
  key.add_text(partition);
  key.prepared = true;  // every commit runs these two
  // Held, to go with the upsert: one round trip. Not with the COMMIT: the
  // lock must be granted before COMMIT leaves, or a checkpoint() asked while
  // that COMMIT is still on its way would find no lock to wait for.
  c.hold(std::string("SELECT pg_advisory_xact_lock(") + kLockKey + ")", key,
         "locking the partition's checkpoint in table " + quoted_);
  Params p;
  p.add_text(pipeline_s);
  p.add_text(partition);
  p.add_binary(ferry::view(cp.position));  // opaque bytes: binary, no encoding check
  p.add_text(run_id);
  p.prepared = true;
  const uint64_t token = ferry::fence_token(cp);
  if (token == 0) {
    // updated_at is bookkeeping for people reading the table, not logic.
    c.exec("INSERT INTO " + quoted_ +
               " (pipeline, partition, position, run_id, updated_at) VALUES ($1, $2, $3, $4, now()) "
               "ON CONFLICT (pipeline, partition) DO UPDATE SET position = EXCLUDED.position, "
               "run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at",
           p, "storing the checkpoint in table " + quoted_);
    return;
  }
  // Inside the data transaction, which may yet roll the column back.
  ensure_fence_column(c, /*remember=*/false);
  const std::string token_s = std::to_string(token);  // Params keeps a view of it
  p.add_text(token_s);
  Result r = c.exec("INSERT INTO " + quoted_ +
                        " AS c (pipeline, partition, position, run_id, updated_at, fence) "
                        "VALUES ($1, $2, $3, $4, now(), $5::bigint) "
                        "ON CONFLICT (pipeline, partition) DO UPDATE SET position = EXCLUDED.position, "
                        "run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at, fence = EXCLUDED.fence "
                        "WHERE c.fence <= EXCLUDED.fence",
                    p, "storing the checkpoint in table " + quoted_);
  if (std::string_view(PQcmdTuples(r.get())) != "0") return;
  throw ferry::Error(FERRY_FENCED, "postgres sink: partition '" + partition + "' of table " + quoted_ +
                                       " was fenced with a newer token than this commit's (" +
                                       std::to_string(token) +
                                       "): another worker owns it now; nothing of the batch was committed");
}

void CheckpointTable::ensure_fence_column(Connection& c, bool remember) {
  if (fence_column_) return;
  Params p;
  p.add_text(quoted_);
  Result r = c.exec("SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'fence' "
                    "AND NOT attisdropped",
                    p, "looking at table " + quoted_);
  if (std::string_view(PQgetvalue(r.get(), 0, 0)) == "0")
    c.exec("ALTER TABLE " + quoted_ +
               " ADD COLUMN IF NOT EXISTS fence bigint NOT NULL DEFAULT 0, ALTER COLUMN position DROP NOT NULL",
           "adding the fence column to table " + quoted_);
  fence_column_ = remember;
}

void CheckpointTable::fence(Connection& c, std::string_view pipeline, std::string_view partition, uint64_t token) {
  ensure_fence_column(c, /*remember=*/true);
  const std::string pipeline_s(pipeline), partition_s(partition), token_s(std::to_string(token));
  const std::string what = "fencing in table " + quoted_;
  const uint64_t stored = transactionally(c, "BEGIN", what, [&] {
    Params key;
    key.add_text(quoted_);
    key.add_text(pipeline_s);
    key.add_text(partition_s);
    // Waits for a commit of the partition in flight: after this, its
    // outcome is in the table, and no older token can commit.
    c.exec(std::string("SELECT pg_advisory_xact_lock(") + kLockKey + ")", key,
           "waiting for a commit in flight to table " + quoted_);
    Params p;
    p.add_text(pipeline_s);
    p.add_text(partition_s);
    p.add_text(token_s);
    c.exec("INSERT INTO " + quoted_ +
               " AS c (pipeline, partition, position, fence) VALUES ($1, $2, NULL, $3::bigint) "
               "ON CONFLICT (pipeline, partition) DO UPDATE SET fence = EXCLUDED.fence WHERE c.fence < EXCLUDED.fence",
           p, what);
    Params q;
    q.add_text(pipeline_s);
    q.add_text(partition_s);
    return first_u64(c.exec("SELECT fence FROM " + quoted_ + " WHERE pipeline = $1 AND partition = $2", q, what));
  });
  if (stored > token)
    throw ferry::Error(FERRY_FENCED, "postgres sink: partition '" + partition_s + "' of table " + quoted_ +
                                         " is fenced with token " + std::to_string(stored) + ", newer than " +
                                         token_s + ": another worker owns it now");
}

std::optional<std::string> CheckpointTable::load(Connection& c, std::string_view pipeline,
                                                      std::string_view partition, bool in_transaction) {
  const std::string pipeline_s(pipeline), partition_s(partition);
  if (in_transaction) return read(c, pipeline_s, partition_s);
  // Asked after a commit whose answer was lost, the table must say how
  // that commit ended, not what it held before: a commit still on its way
  // holds the lock until it ends. A server that never lets go (a session
  // it has not yet found dead) gives up after lock_timeout, and the host
  // asks again.
  return transactionally(c, "BEGIN READ ONLY; SET LOCAL lock_timeout = '20s'", "reading table " + quoted_, [&] {
    Params key;
    key.add_text(quoted_);
    key.add_text(pipeline_s);
    key.add_text(partition_s);
    c.exec(std::string("SELECT pg_advisory_xact_lock_shared(") + kLockKey + ")", key,
           "waiting for a commit in flight to table " + quoted_);
    return read(c, pipeline_s, partition_s);
  });
}

std::optional<std::string> CheckpointTable::read(Connection& c, const std::string& pipeline,
                                                      const std::string& partition) {
  Params p;
  p.add_text(pipeline);
  p.add_text(partition);
  Result r = c.exec("SELECT position FROM " + quoted_ + " WHERE pipeline = $1 AND partition = $2", p,
                    "reading table " + quoted_, /*binary results*/ 1);
  // A row that only fences (no commit yet) holds no checkpoint.
  if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return std::nullopt;
  return std::string(PQgetvalue(r.get(), 0, 0), static_cast<size_t>(PQgetlength(r.get(), 0, 0)));
}

}  // namespace ferry_pg
