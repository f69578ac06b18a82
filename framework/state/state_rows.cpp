#include "state/state_rows.h"

#include "common/error.h"

namespace ferry::core::state_sql {

Checkpoint read_checkpoint(const Rows& r, int i) {
  Checkpoint c;
  c.pipeline = r.text(i, 0);
  c.partition = r.text(i, 1);
  c.position = r.text(i, 2);
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
  if (!parsed)
    throw Error("state store " + label + ": run " + run.id + " has unknown status '" + status + "'");
  run.status = *parsed;
  run.counts.read = r.integer(i, 6);
  run.counts.written = r.integer(i, 7);
  run.counts.rejected = r.integer(i, 8);
  run.counts.batches = r.integer(i, 9);
  run.message = r.text(i, 10);
  return run;
}

BackfillWindow read_window(const Rows& r, int i) {
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
  return w;
}

}  // namespace ferry::core::state_sql
