// The audit rows every store (SQLite, PostgreSQL, MySQL) inserts, bound in
// column order: pipeline, run_id, sink, partition, position, record_key,
// record_position, records, committed_at_ms; and the stats upsert after
// them. `Params` is the driver's parameter list (SqliteParams, PgParams,
// MysqlParams: text, bytes, null, int64, clear); only the SQL text and the
// call that runs it differ per driver.
#ifndef FERRY_PLUGINS_AUDIT_SQL_AUDIT_ROWS_H_
#define FERRY_PLUGINS_AUDIT_SQL_AUDIT_ROWS_H_

#include <ferry/plugin.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "options.h"

namespace ferry_audit_sql {

constexpr int kAuditColumns = 9;

struct AddedRows {
  int64_t records = 0;
  int64_t batches = 0;
};

template <class Params>
void bind_event_columns(Params& p, const FerryCheckpointEvent& e) {
  p.text(ferry::view(e.pipeline));
  p.text(ferry::view(e.run_id));
  p.text(ferry::view(e.sink));
  p.text(ferry::view(e.partition));
  p.bytes(ferry::view(e.position));
}

// Batch granularity: one row for the batch. `run(rows, params)` executes
// the INSERT for that many rows and returns how many it added (0 for a
// batch audited before).
template <class Params, class Run>
AddedRows insert_batch_row(const FerryCheckpointEvent& e, int64_t at_ms, Run run) {
  const int64_t n = e.batch ? static_cast<int64_t>(e.batch->n_rows) : 0;
  Params p;
  bind_event_columns(p, e);
  p.null();
  p.null();
  p.int64(n);
  p.int64(at_ms);
  if (run(size_t{1}, p) == 0) return AddedRows{};
  return AddedRows{n, 1};
}

// Record granularity: a row per record, `rows_per_insert` rows per
// statement (servers cap the parameters of one statement).
template <class Params, class Run>
AddedRows insert_record_rows(const FerryCheckpointEvent& e, int64_t at_ms, size_t rows_per_insert, Run run) {
  AddedRows added;
  if (e.batch == nullptr) return added;
  const ferry::BatchView batch(e.batch);
  Params p;
  for (size_t first = 0; first < batch.rows(); first += rows_per_insert) {
    const size_t count = std::min(rows_per_insert, batch.rows() - first);
    p.clear();
    for (size_t r = first; r < first + count; ++r) {
      bind_event_columns(p, e);
      p.text(batch.key(r));
      // As in SQLite: a record without a position stays outside the unique
      // key and is audited every time.
      if (batch.position(r).empty()) p.null();
      else p.bytes(batch.position(r));
      p.int64(1);
      p.int64(at_ms);
    }
    added.records += run(count, p);
  }
  added.batches = added.records > 0 ? 1 : 0;
  return added;
}

// What the stats upsert names a second time, MySQL's way: it binds each
// increment again rather than read VALUES(), which MySQL 8 deprecates and
// MariaDB keeps (row aliases are the reverse).
enum class Increments { kOnce, kBoundAgain };

// The pipeline_stats upsert of what one call newly audited: pipeline,
// last commit time, records, batches.
template <class Params>
Params stats_params(std::string_view pipeline, int64_t at_ms, const AddedRows& added, Increments increments) {
  Params p;
  p.text(pipeline);
  p.int64(at_ms);
  p.int64(added.records);
  p.int64(added.batches);
  if (increments == Increments::kBoundAgain) {
    p.int64(at_ms);
    p.int64(added.records);
    p.int64(added.batches);
  }
  return p;
}

// One checkpoint event, inside the caller's transaction: its audit rows
// (`insert(rows, params)` runs the INSERT for that many rows, at most
// `rows_per_insert`), then, when any was new, `stats(params)`. Stats count
// only what this call newly audited, so a re-delivered batch leaves them
// as they were.
template <class Params, class Insert, class Stats>
void audit_event(const FerryCheckpointEvent& e, int64_t at_ms, Granularity granularity, size_t rows_per_insert,
                 Increments increments, Insert insert, Stats stats) {
  const AddedRows added = granularity == Granularity::kBatch
                              ? insert_batch_row<Params>(e, at_ms, insert)
                              : insert_record_rows<Params>(e, at_ms, rows_per_insert, insert);
  if (added.batches > 0) stats(stats_params<Params>(ferry::view(e.pipeline), at_ms, added, increments));
}

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_AUDIT_ROWS_H_
