#include "admin/status_report.h"

#include <chrono>

#include <boost/json/parse.hpp>

#include "common/position_text.h"
#include "common/time_text.h"
#include "text/json_exact.h"

namespace ferry::core {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

boost::json::value position_json(const std::string& p) { return boost::json::value(printable_position(p)); }

}  // namespace

boost::json::object dlq_entry_json(const DlqEntry& e, bool with_record) {
  boost::json::object out{{"id", e.id},
                          {"status", to_string(e.status)},
                          {"pipeline", e.pipeline},
                          {"run_id", e.run_id},
                          {"partition", e.partition},
                          {"position", position_json(e.position)},
                          {"stage", e.stage},
                          {"sink", e.sink},
                          {"key", e.record_key},
                          {"error_class", e.error_class},
                          {"message", e.message},
                          {"attempts", e.attempts},
                          {"created_at", iso_utc(e.created_at_ms)},
                          {"updated_at", iso_utc(e.updated_at_ms)},
                          {"created_at_ms", e.created_at_ms}};
  if (!with_record) return out;
  boost::system::error_code ec;
  boost::json::value record = support::parse_json_exact(e.record_json, ec);
  out["record"] = ec ? boost::json::value(e.record_json) : record;
  return out;
}

boost::json::array checkpoints_json(StateStore& state, const std::string& pipeline) {
  boost::json::array out;
  const int64_t now = now_ms();
  for (const Checkpoint& c : state.list_checkpoints(pipeline))
    out.push_back(boost::json::object{{"partition", c.partition},
                                      {"position", position_json(c.position)},
                                      {"records", c.records},
                                      {"run_id", c.run_id},
                                      {"schema_version", c.schema_version},
                                      {"updated_at_ms", c.updated_at_ms},
                                      {"age_seconds", static_cast<double>(now - c.updated_at_ms) / 1000.0}});
  return out;
}

boost::json::object dlq_counts_json(StateStore& state, const std::string& pipeline) {
  boost::json::object out;
  for (const auto& [status, count] : state.count_dlq(pipeline)) out[to_string(status)] = count;
  return out;
}

boost::json::object status_report(StateStore& state, const std::string& pipeline) {
  // A run still marked running while nobody holds the pipeline died (kill
  // -9, a crash) before it could record its end; the next run records it.
  const std::optional<LockHolder> holder = state.lock_holder(pipeline);
  // Workers sharing the pipeline (PostgreSQL state): while some run, a run
  // still marked running died only if no live worker is doing it.
  const std::vector<WorkerInfo> live = state.list_workers(pipeline);
  boost::json::array workers;
  for (const WorkerInfo& w : live)
    workers.push_back(boost::json::object{{"id", w.id},
                                          {"host", w.holder.host},
                                          {"pid", w.holder.pid},
                                          {"run_id", w.run_id},
                                          {"since_ms", w.holder.since_ms},
                                          {"heartbeat_age_ms", w.heartbeat_age_ms}});
  auto run_is_live = [&](const Run& r) {
    if (!holder) return false;
    if (live.empty()) return true;
    for (const WorkerInfo& w : live)
      if (w.run_id == r.id) return true;
    return false;
  };
  boost::json::array leases;
  for (const LeaseInfo& l : state.list_leases(pipeline)) {
    boost::json::object o{{"partition", l.partition}, {"round", l.round},   {"done", l.done},
                          {"token", l.token},         {"takeovers", l.takeovers}};
    o["owner"] = l.owner ? boost::json::value(*l.owner) : boost::json::value(nullptr);
    o["expires_in_ms"] = l.owner ? boost::json::value(l.expires_in_ms) : boost::json::value(nullptr);
    leases.push_back(std::move(o));
  }
  boost::json::array acks;
  for (const SinkAck& a : state.list_sink_acks(pipeline))
    acks.push_back(boost::json::object{
        {"sink", a.sink}, {"records", a.records}, {"batches", a.batches}, {"updated_at_ms", a.updated_at_ms}});
  boost::json::array runs;
  for (const Run& r : state.list_runs(pipeline, 10)) {
    const bool died = r.status == RunStatus::Running && !run_is_live(r);
    runs.push_back(boost::json::object{{"id", r.id},
                                       {"kind", r.kind},
                                       {"status", died ? to_string(RunStatus::Failed) : to_string(r.status)},
                                       {"started_at_ms", r.started_at_ms},
                                       {"ended_at_ms", r.ended_at_ms},
                                       {"read", r.counts.read},
                                       {"written", r.counts.written},
                                       {"rejected", r.counts.rejected},
                                       {"batches", r.counts.batches},
                                       {"message", died ? std::string("the process running it ended without "
                                                                      "recording an end (killed, or it crashed)")
                                                        : r.message}});
  }
  boost::json::array schemas;
  for (const SchemaVersion& v : state.list_schema_versions(pipeline))
    schemas.push_back(boost::json::object{{"partition", v.partition},
                                          {"version", v.version},
                                          {"fields", v.fields_json},
                                          {"began_after", position_json(v.began_after)},
                                          {"seen_at_ms", v.seen_at_ms}});
  boost::json::array windows;
  for (const BackfillWindow& w : state.list_windows(pipeline))
    windows.push_back(boost::json::object{{"window", w.window},
                                          {"status", to_string(w.status)},
                                          {"data_date", w.data_date},
                                          {"start", w.start},
                                          {"end", w.end},
                                          {"records", w.records},
                                          {"attempts", w.attempts},
                                          {"generation", w.generation},
                                          {"message", w.message}});
  boost::json::value running = nullptr;
  if (holder)
    running = boost::json::object{
        {"host", holder->host}, {"pid", holder->pid}, {"command", holder->command}, {"since_ms", holder->since_ms}};
  return boost::json::object{{"name", pipeline},
                             {"held_by", std::move(running)},
                             {"checkpoints", checkpoints_json(state, pipeline)},
                             {"sinks", std::move(acks)},
                             {"dlq", dlq_counts_json(state, pipeline)},
                             {"runs", std::move(runs)},
                             {"schema_versions", std::move(schemas)},
                             {"backfill", std::move(windows)},
                             {"workers", std::move(workers)},
                             {"leases", std::move(leases)}};
}

}  // namespace ferry::core
