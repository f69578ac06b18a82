#include "engine/commit_intent.h"

#include <boost/json.hpp>

#include <codec/hex.h>

namespace ferry::core {
namespace {

namespace json = boost::json;

// Positions are opaque bytes: stored as hex, so any byte survives JSON.
std::string hex(const std::string& bytes) { return support::hex_encode(bytes); }
std::string unhex(std::string_view text) {
  std::optional<std::string> bytes = support::hex_decode(text);
  if (!bytes) throw Error("commit intent: a position is not hex");
  return std::move(*bytes);
}

json::object entry_json(const DlqEntry& e) {
  return json::object{{"run_id", e.run_id},       {"partition", e.partition},   {"position", hex(e.position)},
                      {"stage", e.stage},         {"sink", e.sink},             {"key", e.record_key},
                      {"record", e.record_json},  {"class", e.error_class},     {"message", e.message},
                      {"attempts", e.attempts},   {"status", to_string(e.status)}, {"dedup", e.dedup},
                      {"pipeline", e.pipeline}};
}

std::string str(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
int64_t num(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : 0;
}
bool flag(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_bool() && v->as_bool();
}

DlqEntry entry_from(const json::object& o) {
  DlqEntry e;
  e.pipeline = str(o, "pipeline");
  e.run_id = str(o, "run_id");
  e.partition = str(o, "partition");
  e.position = unhex(str(o, "position"));
  e.stage = str(o, "stage");
  e.sink = str(o, "sink");
  e.record_key = str(o, "key");
  e.record_json = str(o, "record");
  e.error_class = str(o, "class");
  e.message = str(o, "message");
  e.attempts = num(o, "attempts");
  e.status = parse_dlq_status(str(o, "status")).value_or(DlqStatus::Pending);
  e.dedup = flag(o, "dedup");
  return e;
}

// Rows that differ in their id alone. A row that carries its entry (to copy
// for other sinks) stands alone.
bool fare_alike(const ReplayRow& a, const ReplayRow& b) {
  if (a.entry || b.entry) return false;
  if (a.status != b.status || a.attempts != b.attempts || a.failed_stage != b.failed_stage ||
      a.failed_record != b.failed_record || a.failure != b.failure || a.failure_class != b.failure_class ||
      a.targets.size() != b.targets.size())
    return false;
  for (size_t t = 0; t < a.targets.size(); ++t) {
    const ReplayTarget& x = a.targets[t];
    const ReplayTarget& y = b.targets[t];
    if (x.sink != y.sink || x.tried != y.tried || x.delivered != y.delivered || x.failure != y.failure ||
        x.failure_class != y.failure_class)
      return false;
  }
  return true;
}

}  // namespace

std::string encode_intent(const CommitIntent& in) {
  json::object o;
  o["kind"] = in.kind == IntentKind::Run ? "run" : "replay";
  o["run_id"] = in.run_id;
  if (in.from) o["from"] = hex(*in.from);
  o["to"] = hex(in.to);
  o["source_rows"] = in.source_rows;
  o["schema_version"] = in.schema_version;
  o["records"] = in.records;
  json::array sinks;
  for (size_t i = 0; i < in.sinks.size(); ++i)
    sinks.push_back(json::object{{"sink", in.sinks[i]}, {"accepted", i < in.accepted.size() ? in.accepted[i] : 0}});
  o["sinks"] = std::move(sinks);
  json::array add;
  for (const DlqEntry& e : in.add) add.push_back(entry_json(e));
  o["add"] = std::move(add);
  // One row per replayed entry, saved before every replay commit: fields at
  // their default (what decode_intent assumes when a key is absent) are left
  // out, and a run of entries with consecutive ids that fare alike is one
  // row with the last id in "through" (a batch of plain resolutions is one).
  json::array rows;
  for (size_t i = 0; i < in.rows.size();) {
    const ReplayRow& r = in.rows[i];
    size_t end = i + 1;
    while (end < in.rows.size() && in.rows[end].id == in.rows[end - 1].id + 1 && fare_alike(r, in.rows[end])) ++end;
    json::array targets;
    for (const ReplayTarget& t : r.targets) {
      json::object target{{"sink", t.sink}};
      if (t.tried) target["tried"] = true;
      if (t.delivered) target["delivered"] = true;
      if (!t.failure.empty()) target["failure"] = t.failure;
      if (!t.failure_class.empty()) target["failure_class"] = t.failure_class;
      targets.push_back(std::move(target));
    }
    json::object row{{"id", r.id}, {"attempts", r.attempts}, {"targets", std::move(targets)}};
    if (end - i > 1) row["through"] = in.rows[end - 1].id;
    if (r.status != DlqStatus::Pending) row["status"] = to_string(r.status);
    if (!r.failed_stage.empty()) row["failed_stage"] = r.failed_stage;
    if (!r.failed_record.empty()) row["failed_record"] = r.failed_record;
    if (!r.failure.empty()) row["failure"] = r.failure;
    if (!r.failure_class.empty()) row["failure_class"] = r.failure_class;
    if (r.entry) row["entry"] = entry_json(*r.entry);
    rows.push_back(std::move(row));
    i = end;
  }
  o["rows"] = std::move(rows);
  return json::serialize(o);
}

CommitIntent decode_intent(const std::string& body) {
  json::parse_options opts;
  opts.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec || !v.is_object()) throw Error("the commit intent in the state store cannot be read: " + ec.message());
  const json::object& o = v.as_object();
  CommitIntent in;
  in.kind = str(o, "kind") == "replay" ? IntentKind::Replay : IntentKind::Run;
  in.run_id = str(o, "run_id");
  if (o.contains("from")) in.from = unhex(str(o, "from"));
  in.to = unhex(str(o, "to"));
  in.source_rows = num(o, "source_rows");
  in.schema_version = str(o, "schema_version");
  in.records = num(o, "records");
  if (const json::value* s = o.if_contains("sinks"); s && s->is_array())
    for (const json::value& x : s->as_array()) {
      in.sinks.push_back(str(x.as_object(), "sink"));
      in.accepted.push_back(num(x.as_object(), "accepted"));
    }
  if (const json::value* a = o.if_contains("add"); a && a->is_array())
    for (const json::value& x : a->as_array()) in.add.push_back(entry_from(x.as_object()));
  if (const json::value* rs = o.if_contains("rows"); rs && rs->is_array())
    for (const json::value& x : rs->as_array()) {
      const json::object& r = x.as_object();
      ReplayRow row;
      row.id = num(r, "id");
      row.status = parse_dlq_status(str(r, "status")).value_or(DlqStatus::Pending);
      row.attempts = num(r, "attempts");
      row.failed_stage = str(r, "failed_stage");
      row.failed_record = str(r, "failed_record");
      row.failure = str(r, "failure");
      row.failure_class = str(r, "failure_class");
      if (const json::value* ts = r.if_contains("targets"); ts && ts->is_array())
        for (const json::value& t : ts->as_array())
          row.targets.push_back({str(t.as_object(), "sink"), flag(t.as_object(), "tried"),
                                 flag(t.as_object(), "delivered"), str(t.as_object(), "failure"),
                                 str(t.as_object(), "failure_class")});
      if (const json::value* e = r.if_contains("entry"); e && e->is_object()) row.entry = entry_from(e->as_object());
      const int64_t through = r.contains("through") ? num(r, "through") : row.id;
      if (through < row.id)
        throw Error("the commit intent in the state store cannot be read: entries " + std::to_string(row.id) +
                    " through " + std::to_string(through) + " run backwards");
      for (int64_t id = row.id; id < through; ++id) {
        in.rows.push_back(row);
        ++row.id;
      }
      in.rows.push_back(std::move(row));
    }
  return in;
}

void settle_replay_row(const ReplayRow& row, const std::function<bool(const std::string&)>& committed, bool final,
                       CommitRecord& record) {
  if (!row.failed_stage.empty()) {
    if (!final) return;  // found out again by the next replay
    DlqChange c;
    c.id = row.id;
    c.status = DlqStatus::FailedAgain;
    c.message = row.failure;
    if (!row.failure_class.empty()) c.error_class = row.failure_class;
    c.attempts = row.attempts + 1;
    c.stage = row.failed_stage;
    c.record_json = row.failed_record;
    record.change.push_back(std::move(c));
    return;
  }
  std::vector<const ReplayTarget*> lacking;
  const ReplayTarget* tried_and_refused = nullptr;
  for (const ReplayTarget& t : row.targets) {
    if (t.delivered && committed(t.sink)) continue;
    lacking.push_back(&t);
    if (final && !t.failure.empty() && !tried_and_refused) tried_and_refused = &t;
  }
  if (lacking.empty()) {
    DlqChange c;
    c.id = row.id;
    c.status = DlqStatus::Resolved;
    record.change.push_back(std::move(c));
    return;
  }
  const bool some_delivered = lacking.size() < row.targets.size();
  if (!some_delivered && !tried_and_refused) return;  // nothing known to have happened
  // The entry now stands for the sinks that still lack the record: the
  // first keeps it, each other one gets a copy.
  const DlqStatus status = tried_and_refused ? DlqStatus::FailedAgain : row.status;
  DlqChange c;
  c.id = row.id;
  c.status = status;
  if (tried_and_refused) {
    c.message = tried_and_refused->sink + ": " + tried_and_refused->failure;
    if (!tried_and_refused->failure_class.empty()) c.error_class = tried_and_refused->failure_class;
    c.attempts = row.attempts + 1;
  }
  if (some_delivered || row.targets.size() > 1) c.sink = lacking.front()->sink;
  record.change.push_back(std::move(c));
  for (size_t i = 1; i < lacking.size() && row.entry; ++i) {
    DlqEntry copy = *row.entry;
    copy.id = 0;
    copy.sink = lacking[i]->sink;
    copy.status = status;
    copy.dedup = false;
    if (!lacking[i]->failure.empty()) {
      copy.message = lacking[i]->sink + ": " + lacking[i]->failure;
      if (!lacking[i]->failure_class.empty()) copy.error_class = lacking[i]->failure_class;
      copy.attempts = row.attempts + 1;
    }
    record.add.push_back(std::move(copy));
  }
}

}  // namespace ferry::core
