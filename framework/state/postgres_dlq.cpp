#include "state/postgres_dlq.h"

#include "state/state_clock.h"

namespace ferry::core::pg_state {
namespace {

// An entry is its record (e: dlq_entries) and its settlement (s: dlq_state).
constexpr const char* kDlqColumns =
    "e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key, e.record, "
    "e.error_class, e.message, s.attempts, s.status, e.created_at_ms, s.updated_at_ms";
constexpr const char* kDlqFrom = " FROM dlq_entries e JOIN dlq_state s ON s.id = e.id";

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

DlqEntry read_dlq(const Rows& r, int i, const std::string& label) {
  DlqEntry e;
  e.id = r.integer(i, 0);
  e.pipeline = r.text(i, 1);
  e.run_id = r.text(i, 2);
  e.partition = r.text(i, 3);
  e.position = r.bytes(i, 4);
  e.stage = r.text(i, 5);
  e.sink = r.text(i, 6);
  e.record_key = r.bytes(i, 7);
  e.record_json = r.text(i, 8);
  e.error_class = r.text(i, 9);
  e.message = r.text(i, 10);
  e.attempts = r.integer(i, 11);
  const std::string status = r.text(i, 12);
  auto parsed = parse_dlq_status(status);
  if (!parsed) {
    throw Error("state store " + label + ": DLQ entry " + std::to_string(e.id) + " has unknown status '" + status +
                "'");
  }
  e.status = *parsed;
  e.created_at_ms = r.integer(i, 13);
  e.updated_at_ms = r.integer(i, 14);
  return e;
}

bool plain_resolution(const DlqChange& ch) {
  return ch.status == DlqStatus::Resolved && !ch.message && !ch.error_class && !ch.attempts && !ch.sink &&
         !ch.stage && !ch.record_json;
}

}  // namespace

void PostgresDlq::insert_dlq(const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids) {
  for (const auto& e : entries) {
    if (e.dedup) {
      auto existing = c_.exec(std::string("SELECT e.id") + kDlqFrom +
                                 " WHERE e.pipeline = $1 AND e.partition = $2 AND e.position = $3 AND e.stage = $4 "
                                 "AND e.sink = $5 AND e.record = $6 AND s.status <> 'resolved' ORDER BY e.id LIMIT 1",
                             Params().text(e.pipeline).text(e.partition).bytes(e.position).text(e.stage).text(
                                 e.sink).text(e.record_json));
      if (existing.count() > 0) {
        if (ids) ids->push_back(existing.integer(0, 0));
        continue;
      }
    }
    auto inserted = c_.exec(
        "INSERT INTO dlq_entries (pipeline, run_id, partition, position, stage, sink, record_key, "
        "record, error_class, message, created_at_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        Params()
            .text(e.pipeline)
            .text(e.run_id)
            .text(e.partition)
            .bytes(e.position)
            .text(e.stage)
            .text(e.sink)
            .bytes(e.record_key)
            .text(e.record_json)
            .text(e.error_class)
            .text(e.message)
            .integer(now));
    const int64_t id = inserted.integer(0, 0);
    c_.exec("INSERT INTO dlq_state (id, pipeline, status, attempts, updated_at_ms) VALUES ($1, $2, $3, $4, $5)",
           Params().integer(id).text(e.pipeline).text(to_string(e.status)).integer(e.attempts).integer(now));
    if (ids) ids->push_back(id);
  }
}

void PostgresDlq::change_dlq(const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now) {
  // Most changes of a replay only resolve an entry: one statement for all.
  std::vector<int64_t> resolved;
  for (const DlqChange& ch : changes)
    if (plain_resolution(ch)) resolved.push_back(ch.id);
  if (!resolved.empty())
    c_.exec("UPDATE dlq_state SET status = 'resolved', updated_at_ms = $1 WHERE pipeline = $2 "
           "AND id = ANY($3::bigint[]) AND status IN ('pending', 'failed_again')",
           Params().integer(now).text(pipeline).text(ids_as_array(resolved)));
  for (const DlqChange& ch : changes) {
    if (plain_resolution(ch)) continue;
    const Rows settled =
        c_.exec("UPDATE dlq_state SET status = $1, attempts = COALESCE($2::bigint, attempts), updated_at_ms = $3 "
               "WHERE pipeline = $4 AND id = $5 AND status IN ('pending', 'failed_again')",
               Params().text(to_string(ch.status)).opt_integer(ch.attempts).integer(now).text(pipeline).integer(ch.id));
    // Only an entry this change settled gets its record or message changed.
    if (settled.affected() == 0 || !(ch.message || ch.error_class || ch.sink || ch.stage || ch.record_json)) continue;
    c_.exec("UPDATE dlq_entries SET message = COALESCE($1, message), sink = COALESCE($2, sink), "
           "stage = COALESCE($3, stage), record = COALESCE($4, record), error_class = COALESCE($6, error_class) "
           "WHERE id = $5",
           Params()
               .opt_text(ch.message)
               .opt_text(ch.sink)
               .opt_text(ch.stage)
               .opt_text(ch.record_json)
               .integer(ch.id)
               .opt_text(ch.error_class));
  }
}

std::vector<DlqEntry> PostgresDlq::list_dlq(const DlqFilter& filter) {
  // Pages are read in id order from after_id on; the planner walks an index
  // range for each (the primary keys, or (pipeline, sink) for a sink).
  Params params;
  int n = 0;
  auto next = [&n] { return "$" + std::to_string(++n); };
  std::string sql = std::string("SELECT ") + kDlqColumns + kDlqFrom + " WHERE e.pipeline = " + next();
  params.text(filter.pipeline);
  if (filter.status) {
    sql += " AND s.status = " + next();
    params.text(to_string(*filter.status));
  }
  if (filter.sink) {
    sql += " AND e.sink = " + next();
    params.text(*filter.sink);
  }
  if (filter.error_class) {
    sql += " AND e.error_class = " + next();
    params.text(*filter.error_class);
  }
  if (filter.since_ms) {
    sql += " AND e.created_at_ms >= " + next();
    params.integer(*filter.since_ms);
  }
  if (!filter.ids.empty()) {
    sql += " AND e.id = ANY(" + next() + "::bigint[])";
    params.text(ids_as_array(filter.ids));
  }
  sql += " AND e.id > " + next() + " ORDER BY e.id";
  params.integer(filter.after_id);
  if (filter.limit > 0) {
    sql += " LIMIT " + next();
    params.integer(filter.limit);
  }
  auto r = c_.exec(sql, params);
  std::vector<DlqEntry> out;
  for (int i = 0; i < r.count(); ++i) out.push_back(read_dlq(r, i, c_.label()));
  return out;
}

std::optional<DlqEntry> PostgresDlq::get_dlq(const std::string& pipeline, int64_t id) {
  auto r = c_.exec(std::string("SELECT ") + kDlqColumns + kDlqFrom + " WHERE e.pipeline = $1 AND e.id = $2",
                  Params().text(pipeline).integer(id));
  if (r.count() == 0) return std::nullopt;
  return read_dlq(r, 0, c_.label());
}

void PostgresDlq::update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                const std::optional<std::string>& message, const std::optional<int64_t>& attempts) {
  Transaction tx(c_);
  auto r = c_.exec(
      "UPDATE dlq_state SET status = $1, attempts = COALESCE($2::bigint, attempts), updated_at_ms = $3 "
      "WHERE pipeline = $4 AND id = $5",
      Params().text(to_string(status)).opt_integer(attempts).integer(state_now_ms()).text(pipeline).integer(id));
  if (r.affected() == 0)
    throw Error("state store " + c_.label() + ": no DLQ entry " + std::to_string(id) + " in pipeline '" + pipeline +
                "'");
  if (message) c_.exec("UPDATE dlq_entries SET message = $1 WHERE id = $2", Params().text(*message).integer(id));
  tx.commit();
}

std::vector<std::pair<DlqStatus, int64_t>> PostgresDlq::count_dlq(const std::string& pipeline) {
  std::vector<std::pair<DlqStatus, int64_t>> out = {
      {DlqStatus::Pending, 0}, {DlqStatus::Resolved, 0}, {DlqStatus::FailedAgain, 0}, {DlqStatus::Discarded, 0}};
  auto r = c_.exec("SELECT status, COUNT(*) FROM dlq_state WHERE pipeline = $1 GROUP BY status",
                  Params().text(pipeline));
  for (int i = 0; i < r.count(); ++i) {
    auto status = parse_dlq_status(r.text(i, 0));
    if (!status) continue;  // the CHECK constraint keeps these out
    for (auto& [st, count] : out)
      if (st == *status) count = r.integer(i, 1);
  }
  return out;
}

int64_t PostgresDlq::last_dlq_id(const std::string& pipeline) {
  return c_.exec("SELECT COALESCE(MAX(id), 0) FROM dlq_entries WHERE pipeline = $1", Params().text(pipeline))
      .integer(0, 0);
}

}  // namespace ferry::core::pg_state
