#include "checkpoint_table.h"

#include <cstddef>
#include <ferry/plugin.hpp>

namespace ferry_pg {

void CheckpointTable::ensure(Connection& c) {
  Params p;
  p.add_text(quoted_);
  Result r = c.exec("SELECT to_regclass($1) IS NOT NULL", p, "looking for table " + quoted_);
  if (PQgetvalue(r.get(), 0, 0)[0] == 't') return;
  try {
    c.exec("CREATE TABLE IF NOT EXISTS " + quoted_ +
               " (pipeline text NOT NULL, partition text NOT NULL, position bytea NOT NULL, "
               "run_id text, updated_at timestamptz NOT NULL DEFAULT now(), "
               "PRIMARY KEY (pipeline, partition))",
           "creating checkpoint table " + quoted_);
  } catch (const PgError& e) {
    // Another sink created it at the same moment (IF NOT EXISTS races on
    // the catalog's unique index).
    if (e.sqlstate() != "23505" && e.sqlstate() != "42P07") throw;
  }
}

void CheckpointTable::save(Connection& c, const FerryCheckpoint& cp, std::string_view fallback_pipeline) {
  if (cp.struct_size < offsetof(FerryCheckpoint, run_id) + sizeof cp.run_id)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "postgres sink: checkpoint struct is too small");
  std::string_view pipeline = ferry::view(cp.pipeline);
  if (pipeline.empty()) pipeline = fallback_pipeline;
  const std::string pipeline_s(pipeline), partition(ferry::view(cp.partition)),
      run_id(ferry::view(cp.run_id));
  Params p;
  p.add_text(pipeline_s);
  p.add_text(partition);
  p.add_binary(ferry::view(cp.position));  // opaque bytes: binary, no encoding check
  p.add_text(run_id);
  // updated_at is bookkeeping for people reading the table, not logic.
  c.exec("INSERT INTO " + quoted_ +
             " (pipeline, partition, position, run_id, updated_at) VALUES ($1, $2, $3, $4, now()) "
             "ON CONFLICT (pipeline, partition) DO UPDATE SET position = EXCLUDED.position, "
             "run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at",
         p, "storing the checkpoint in table " + quoted_);
}

std::optional<StoredCheckpoint> CheckpointTable::load(Connection& c, std::string_view pipeline,
                                                      std::string_view partition) {
  const std::string pipeline_s(pipeline), partition_s(partition);
  Params p;
  p.add_text(pipeline_s);
  p.add_text(partition_s);
  Result r = c.exec("SELECT position, run_id FROM " + quoted_ + " WHERE pipeline = $1 AND partition = $2",
                    p, "reading table " + quoted_, /*binary results*/ 1);
  if (PQntuples(r.get()) == 0) return std::nullopt;
  StoredCheckpoint out;
  out.position.assign(PQgetvalue(r.get(), 0, 0), static_cast<size_t>(PQgetlength(r.get(), 0, 0)));
  if (!PQgetisnull(r.get(), 0, 1))
    out.run_id.assign(PQgetvalue(r.get(), 0, 1), static_cast<size_t>(PQgetlength(r.get(), 0, 1)));
  return out;
}

}  // namespace ferry_pg
