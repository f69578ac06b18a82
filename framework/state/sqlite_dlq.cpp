// The DLQ tables of the SQLite state store: an entry's record and failure
// in dlq_entries, with its record's schema kept once in dlq_schemas; its
// settlement in dlq_state (schema version 5); and the plans that keep
// listing a large DLQ a range scan.
#include "state/sqlite_dlq.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include "common/stored_record.h"

namespace ferry::core::sqlite_state {
namespace {

// An entry is its record (e: dlq_entries, sc: its schema in dlq_schemas)
// and its settlement (s: dlq_state).
constexpr const char* kDlqColumns =
    "e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key, e.record, "
    "e.error_class, e.message, s.attempts, s.status, e.created_at_ms, s.updated_at_ms, e.schema_id, sc.schema";
constexpr const char* kJoinSchema = " LEFT JOIN dlq_schemas sc ON sc.id = e.schema_id";

// What a replay reads (DlqFilter::replay_fields_only), for read_replay_fields.
constexpr const char* kReplayColumns =
    "e.id, e.stage, e.sink, e.record_key, e.record, s.attempts, s.status, e.schema_id, sc.schema";

// The record's text: whole in `record`, or its schema apart (schema_id).
std::string record_at(const Statement& s, int record, int schema_id, int schema) {
  if (s.null_at(schema_id)) return s.text_at(record);
  return join_stored_record(s.text_view_at(schema), s.text_view_at(record));
}

// A record as dlq_entries keeps it: the rest and its schema's id, or the
// whole text (and no id) when it does not start with a schema. The ids are
// looked up once per call, inside the caller's transaction.
class RecordWriter {
 public:
  explicit RecordWriter(Connection& c) : c_(c) {}

  struct Stored {
    std::string record;
    std::optional<int64_t> schema_id;
    void bind(Statement& s, int record_param, int schema_id_param) const {
      s.text(record_param, record);
      if (schema_id) {
        s.integer(schema_id_param, *schema_id);
      } else {
        s.null(schema_id_param);
      }
    }
  };
  Stored stored(const std::string& record_json) {
    std::optional<SplitRecord> split = split_stored_record(record_json);
    if (!split) return {record_json, std::nullopt};
    const int64_t id = id_of(split->schema);
    return {std::move(split->rest), id};
  }

 private:
  int64_t id_of(std::string_view schema) {
    for (const auto& [text, id] : known_)
      if (text == schema) return id;
    auto add = c_.prepare("INSERT INTO dlq_schemas (schema) VALUES (?1) ON CONFLICT (schema) DO NOTHING");
    add.text(1, std::string(schema)).run();
    auto find = c_.prepare("SELECT id FROM dlq_schemas WHERE schema = ?1");
    find.text(1, std::string(schema));
    if (!find.step()) throw Error("state store " + c_.path() + ": a record's schema was stored but is not found");
    const int64_t id = find.integer_at(0);
    known_.emplace_back(std::string(schema), id);
    return id;
  }

  Connection& c_;
  std::vector<std::pair<std::string, int64_t>> known_;  // a batch's records share one or a few schemas
};

// dlq_state.status holds these codes (schema version 5).
int64_t code_of(DlqStatus status) {
  switch (status) {
    case DlqStatus::Pending: return 0;
    case DlqStatus::Resolved: return 1;
    case DlqStatus::FailedAgain: return 2;
    case DlqStatus::Discarded: return 3;
  }
  return 0;
}

std::optional<DlqStatus> status_of(int64_t code) {
  switch (code) {
    case 0: return DlqStatus::Pending;
    case 1: return DlqStatus::Resolved;
    case 2: return DlqStatus::FailedAgain;
    case 3: return DlqStatus::Discarded;
    default: return std::nullopt;
  }
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

DlqStatus status_at(const Statement& s, int column, int64_t id, const std::string& path) {
  const int64_t code = s.integer_at(column);
  auto status = status_of(code);
  if (!status) {
    throw Error("state store " + path + ": DLQ entry " + std::to_string(id) + " has unknown status code " +
                std::to_string(code));
  }
  return *status;
}

DlqEntry read_replay_fields(const Statement& s, const std::string& path) {
  DlqEntry e;
  e.id = s.integer_at(0);
  e.stage = s.text_at(1);
  e.sink = s.text_at(2);
  e.record_key = s.text_at(3);
  e.record_json = record_at(s, 4, 7, 8);
  e.attempts = s.integer_at(5);
  e.status = status_at(s, 6, e.id, path);
  return e;
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
  e.record_json = record_at(s, 8, 15, 16);
  e.error_class = s.text_at(9);
  e.message = s.text_at(10);
  e.attempts = s.integer_at(11);
  e.status = status_at(s, 12, e.id, path);
  e.created_at_ms = s.integer_at(13);
  e.updated_at_ms = s.integer_at(14);
  return e;
}

// Marks entries resolved. A replay resolves entries with consecutive ids,
// so they go as a few id ranges (a range is a walk along the table, with
// no list to expand and look up); scattered ids go as one list.
void resolve_dlq(Connection& c, const std::string& pipeline, std::vector<int64_t> ids, int64_t now) {
  constexpr size_t kMostRanges = 8;
  std::sort(ids.begin(), ids.end());
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t id : ids) {
    if (!ranges.empty() && id <= ranges.back().second + 1) {
      ranges.back().second = std::max(ranges.back().second, id);
      continue;
    }
    if (ranges.size() == kMostRanges) {
      ranges.clear();
      break;
    }
    ranges.emplace_back(id, id);
  }
  if (ranges.empty()) {
    auto r = c.prepare(
        "UPDATE dlq_state SET status = 1, updated_at_ms = ?1 WHERE pipeline = ?2 "
        "AND id IN (SELECT value FROM json_each(?3)) AND status IN (0, 2)");
    r.integer(1, now).text(2, pipeline).text(3, ids_as_json(ids)).run();
    return;
  }
  for (const auto& [first, last] : ranges) {
    auto r = c.prepare(
        "UPDATE dlq_state SET status = 1, updated_at_ms = ?1 WHERE pipeline = ?2 "
        "AND id BETWEEN ?3 AND ?4 AND status IN (0, 2)");
    r.integer(1, now).text(2, pipeline).integer(3, first).integer(4, last).run();
  }
}

}  // namespace

// Inserts entries inside the caller's transaction. An entry marked dedup
// is skipped while an unresolved entry with the same partition, position,
// stage, sink and record exists; `ids` (if given) gets the id either way.
void SqliteDlq::insert_dlq(const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids) {
  auto insert = c_.prepare(
      "INSERT INTO dlq_entries (pipeline, run_id, partition, position, stage, sink, record_key, "
      "record, error_class, message, created_at_ms, schema_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  auto settle = c_.prepare(
      "INSERT INTO dlq_state (id, pipeline, status, attempts, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  auto existing = c_.prepare(
      "SELECT e.id FROM dlq_entries e JOIN dlq_state s ON s.id = e.id WHERE e.pipeline = ?1 "
      "AND e.partition = ?2 AND e.position = ?3 AND e.stage = ?4 AND e.sink = ?5 "
      "AND ((e.record = ?6 AND e.schema_id IS ?7) OR (e.record = ?8 AND e.schema_id IS NULL)) "
      "AND s.status <> 1 ORDER BY e.id LIMIT 1");
  RecordWriter records(c_);
  for (const auto& e : entries) {
    const RecordWriter::Stored record = records.stored(e.record_json);
    if (e.dedup) {
      // The same record may be stored split (this version) or whole (an older one).
      existing.reset();
      existing.text(1, e.pipeline).text(2, e.partition).blob(3, e.position).text(4, e.stage).text(5, e.sink);
      record.bind(existing, 6, 7);
      existing.text(8, e.record_json);
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
        .text(9, e.error_class)
        .text(10, e.message)
        .integer(11, now);
    record.bind(insert, 8, 12);
    insert.run();
    const int64_t id = c_.last_insert_id();
    settle.reset();
    settle.integer(1, id).text(2, e.pipeline).integer(3, code_of(e.status)).integer(4, e.attempts).integer(5, now).run();
    if (ids) ids->push_back(id);
  }
}

void SqliteDlq::change_dlq(const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now) {
  // Most changes of a replay only resolve an entry: one statement for all
  // of them (a replay batch resolves up to max_records entries).
  std::vector<int64_t> resolved;
  std::vector<const DlqChange*> others;
  for (const DlqChange& ch : changes) {
    const bool plain = ch.status == DlqStatus::Resolved && !ch.message && !ch.error_class && !ch.attempts &&
                       !ch.sink && !ch.stage && !ch.record_json;
    if (plain) resolved.push_back(ch.id);
    else others.push_back(&ch);
  }
  if (!resolved.empty()) resolve_dlq(c_, pipeline, std::move(resolved), now);
  if (others.empty()) return;
  auto s = c_.prepare(
      "UPDATE dlq_state SET status = ?1, attempts = COALESCE(?2, attempts), updated_at_ms = ?3 "
      "WHERE pipeline = ?4 AND id = ?5 AND status IN (0, 2)");
  auto entry = c_.prepare(
      "UPDATE dlq_entries SET message = COALESCE(?1, message), sink = COALESCE(?2, sink), "
      "stage = COALESCE(?3, stage), record = COALESCE(?4, record), "
      "schema_id = CASE WHEN ?4 IS NULL THEN schema_id ELSE ?6 END, error_class = COALESCE(?7, error_class) "
      "WHERE id = ?5");
  RecordWriter records(c_);
  auto opt_text = [](Statement& st, int i, const std::optional<std::string>& v) {
    if (v) {
      st.text(i, *v);
    } else {
      st.null(i);
    }
  };
  for (const DlqChange* change : others) {
    const DlqChange& ch = *change;
    s.reset();
    s.integer(1, code_of(ch.status));
    if (ch.attempts) {
      s.integer(2, *ch.attempts);
    } else {
      s.null(2);
    }
    s.integer(3, now).text(4, pipeline).integer(5, ch.id).run();
    // Only an entry this change settled gets its record or message changed.
    if (c_.changes() == 0 || !(ch.message || ch.error_class || ch.sink || ch.stage || ch.record_json)) continue;
    entry.reset();
    opt_text(entry, 1, ch.message);
    opt_text(entry, 7, ch.error_class);
    opt_text(entry, 2, ch.sink);
    opt_text(entry, 3, ch.stage);
    if (ch.record_json) {
      records.stored(*ch.record_json).bind(entry, 4, 6);
    } else {
      entry.null(4).null(6);
    }
    entry.integer(5, ch.id).run();
  }
}

std::vector<DlqEntry> SqliteDlq::list_dlq(const DlqFilter& filter) {
  // Pages are read in id order from after_id on, so every page must be a
  // range, not a sort of the whole DLQ: the plan is chosen here (CROSS JOIN
  // fixes the join order; a unary + keeps SQLite off an index). Along the
  // narrow settlement rows for a status, by (pipeline, sink) for a sink,
  // else along the entries.
  std::vector<std::variant<int64_t, std::string>> params;
  const bool by_status = filter.status && !filter.sink;
  const char* driver = by_status ? "s" : "e";
  std::string sql = std::string("SELECT ") + (filter.replay_fields_only ? kReplayColumns : kDlqColumns) +
                    (by_status ? " FROM dlq_state s CROSS JOIN dlq_entries e ON e.id = s.id"
                               : " FROM dlq_entries e CROSS JOIN dlq_state s ON s.id = e.id");
  if (by_status) {
    sql += kJoinSchema;
    sql += " WHERE +s.pipeline = ? AND s.status = ?";
    params.emplace_back(filter.pipeline);
    params.emplace_back(code_of(*filter.status));
  } else if (filter.sink) {
    sql += kJoinSchema;
    sql += " WHERE e.pipeline = ? AND e.sink = ?";
    params.emplace_back(filter.pipeline);
    params.emplace_back(*filter.sink);
    if (filter.status) {
      sql += " AND s.status = ?";
      params.emplace_back(code_of(*filter.status));
    }
  } else {
    sql += kJoinSchema;
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

  auto s = c_.prepare(sql);
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (auto* v = std::get_if<int64_t>(&params[i])) {
      s.integer(index, *v);
    } else {
      s.text(index, std::get<std::string>(params[i]));
    }
  }
  std::vector<DlqEntry> out;
  if (filter.limit > 0) out.reserve(static_cast<size_t>(std::min<int64_t>(filter.limit, 1024)));
  while (s.step()) out.push_back(filter.replay_fields_only ? read_replay_fields(s, c_.path()) : read_dlq(s, c_.path()));
  return out;
}

std::optional<DlqEntry> SqliteDlq::get_dlq(const std::string& pipeline, int64_t id) {
  auto s = c_.prepare(std::string("SELECT ") + kDlqColumns +
                         " FROM dlq_entries e JOIN dlq_state s ON s.id = e.id" + kJoinSchema +
                         " WHERE e.pipeline = ?1 AND e.id = ?2");
  s.text(1, pipeline).integer(2, id);
  if (!s.step()) return std::nullopt;
  return read_dlq(s, c_.path());
}

void SqliteDlq::update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                const std::optional<std::string>& message,
                const std::optional<int64_t>& attempts) {
  WriteTransaction tx(c_);
  auto s = c_.prepare(
      "UPDATE dlq_state SET status = ?1, attempts = COALESCE(?2, attempts), updated_at_ms = ?3 "
      "WHERE pipeline = ?4 AND id = ?5");
  s.integer(1, code_of(status));
  if (attempts) {
    s.integer(2, *attempts);
  } else {
    s.null(2);
  }
  s.integer(3, state_now_ms()).text(4, pipeline).integer(5, id).run();
  if (c_.changes() == 0) {
    throw Error("state store " + c_.path() + ": no DLQ entry " + std::to_string(id) +
                " in pipeline '" + pipeline + "'");
  }
  if (message) {
    auto m = c_.prepare("UPDATE dlq_entries SET message = ?1 WHERE id = ?2");
    m.text(1, *message).integer(2, id).run();
  }
  tx.commit();
}

std::vector<std::pair<DlqStatus, int64_t>> SqliteDlq::count_dlq(const std::string& pipeline) {
  std::vector<std::pair<DlqStatus, int64_t>> out = {{DlqStatus::Pending, 0},
                                                    {DlqStatus::Resolved, 0},
                                                    {DlqStatus::FailedAgain, 0},
                                                    {DlqStatus::Discarded, 0}};
  auto s = c_.prepare(
      "SELECT status, COUNT(*) FROM dlq_state WHERE pipeline = ?1 GROUP BY status");
  s.text(1, pipeline);
  while (s.step()) {
    auto status = status_of(s.integer_at(0));
    if (!status) continue;  // the CHECK constraint keeps these out
    for (auto& [st, n] : out) {
      if (st == *status) n = s.integer_at(1);
    }
  }
  return out;
}

int64_t SqliteDlq::last_dlq_id(const std::string& pipeline) {
  // Walks back from the newest entry (MAX(id) read the pipeline's whole
  // index); a state file usually holds one pipeline, whose newest entry is
  // then the first one looked at.
  auto s = c_.prepare("SELECT id FROM dlq_entries WHERE +pipeline = ?1 ORDER BY id DESC LIMIT 1");
  s.text(1, pipeline);
  return s.step() ? s.integer_at(0) : 0;
}

}  // namespace ferry::core::sqlite_state
