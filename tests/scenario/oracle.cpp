#include "scenario/oracle.h"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "engine/commit_intent.h"
#include "plugins/scenario_hash.h"
#include "state/state_store.h"

namespace ferry::scenario {
namespace {

using core::DlqEntry;
using core::DlqStatus;

// key -> the value of every copy the sink holds. Opened for writing: a
// process killed in a transaction leaves a hot journal that only a writer
// may roll back, as the next run's sink would.
std::map<std::string, std::vector<int64_t>> sink_rows(const std::string& path) {
  std::map<std::string, std::vector<int64_t>> out;
  if (!std::filesystem::exists(path)) return out;
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt* s = nullptr;
    const bool has_table = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'rows'", -1, &s, nullptr) ==
                               SQLITE_OK &&
                           sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    s = nullptr;
    if (has_table && sqlite3_prepare_v2(db, "SELECT key, value FROM rows", -1, &s, nullptr) == SQLITE_OK) {
      int rc;
      while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))].push_back(sqlite3_column_int64(s, 1));
      if (rc != SQLITE_DONE) error = sqlite3_errmsg(db);
    } else if (has_table) {
      error = sqlite3_errmsg(db);
    }
    sqlite3_finalize(s);
  } else {
    error = "cannot open";
  }
  sqlite3_close(db);
  if (!error.empty()) throw std::runtime_error("reading " + path + ": " + error);
  return out;
}

std::string window_name(int day) {
  // 2026-01-01 plus `day` days (scenarios use at most a few days).
  const int d = day + 1;
  return std::string("2026-01-") + (d < 10 ? "0" : "") + std::to_string(d);
}

bool open_status(DlqStatus s) { return s == DlqStatus::Pending || s == DlqStatus::FailedAgain; }

}  // namespace

std::vector<std::string> Oracle::check(bool clean_end) {
  std::vector<std::string> v;
  auto violation = [&](const std::string& what) {
    if (v.size() < 12) v.push_back(what);
  };
  const std::string state_path = dir_ + "/state.db";
  if (!std::filesystem::exists(state_path)) {
    if (clean_end) violation("no state file after a clean run");
    return v;
  }
  auto state = core::open_sqlite_state(state_path);

  std::map<std::string, int64_t> checkpoints;
  for (const core::Checkpoint& c : state->list_checkpoints("sc")) {
    try {
      checkpoints[c.partition] = std::stoll(c.position);
    } catch (const std::exception&) {
      violation("checkpoint of " + c.partition + " is not a position of the source: '" + c.position + "'");
    }
  }
  for (const auto& [partition, position] : last_checkpoints_) {
    auto it = checkpoints.find(partition);
    if (it == checkpoints.end() || it->second < position)
      violation("checkpoint of " + partition + " moved backwards from " + std::to_string(position) + " to " +
                (it == checkpoints.end() ? std::string("nothing") : std::to_string(it->second)));
  }
  last_checkpoints_ = checkpoints;

  core::DlqFilter all;
  all.pipeline = "sc";
  std::vector<DlqEntry> dlq = state->list_dlq(all);
  std::map<std::string, std::vector<const DlqEntry*>> by_key;
  for (const DlqEntry& e : dlq) {
    by_key[e.record_key].push_back(&e);
    if (discarded_.count(e.id) && e.status != DlqStatus::Discarded)
      violation("DLQ entry " + std::to_string(e.id) + " was discarded and is now " + core::to_string(e.status));
    if (e.status == DlqStatus::Discarded) discarded_.insert(e.id);
  }

  // Entries of a replay batch a crash left in doubt: the sink may hold
  // them while the DLQ still lists them, until the next replay settles it.
  std::set<std::string> in_doubt;
  if (std::optional<std::string> body = state->load_intent("sc", "ferry-replay")) {
    std::set<int64_t> ids;
    for (const core::ReplayRow& row : core::decode_intent(*body).rows) ids.insert(row.id);
    for (const DlqEntry& e : dlq)
      if (ids.count(e.id)) in_doubt.insert(e.record_key);
  }

  std::vector<std::map<std::string, std::vector<int64_t>>> rows;
  try {
    for (const SinkSpec& k : spec_.sinks) rows.push_back(sink_rows(dir_ + "/" + k.name + ".db"));
  } catch (const std::exception& e) {
    violation(std::string("the checker cannot read a sink: ") + e.what());
    return v;
  }

  const uint64_t source_seed = spec_.source_seed >> 1;
  for (int part = 0; part < spec_.partitions; ++part) {
    const std::string partition = "p" + std::to_string(part);
    for (int id = 1; id <= spec_.count; ++id) {
      const std::string key = partition + "-" + std::to_string(id);
      const std::string checkpoint_key =
          spec_.days > 0 ? window_name((id - 1) % spec_.days) + "/" + partition : partition;
      auto cp = checkpoints.find(checkpoint_key);
      const bool covered = clean_end || (cp != checkpoints.end() && cp->second >= id);
      const auto& entries = by_key[key];

      if (picked(source_seed, key, spec_.errant_mod, kErrantSalt)) {
        size_t kept = 0;
        for (const DlqEntry* e : entries)
          if (e->stage == "source" && e->status != DlqStatus::Resolved) ++kept;
        if (covered && kept == 0) violation(key + " could not be parsed and is not in the DLQ");
        if (kept > 1) violation(key + " could not be parsed and has " + std::to_string(kept) + " DLQ entries");
        for (size_t s = 0; s < spec_.sinks.size(); ++s)
          if (rows[s].count(key)) violation(key + " could not be parsed, yet sink " + spec_.sinks[s].name + " has it");
        continue;
      }

      const int64_t expected = int64_t{id} * 7 + part;
      for (size_t s = 0; s < spec_.sinks.size(); ++s) {
        const SinkSpec& sink = spec_.sinks[s];
        size_t open = 0, discarded = 0;
        for (const DlqEntry* e : entries) {
          if (!e->sink.empty() && e->sink != sink.name) continue;
          if (open_status(e->status)) ++open;
          if (e->status == DlqStatus::Discarded) ++discarded;
        }
        auto it = rows[s].find(key);
        const size_t copies = it == rows[s].end() ? 0 : it->second.size();
        if (it != rows[s].end())
          for (int64_t value : it->second)
            if (value != expected)
              violation(key + " in sink " + sink.name + " has value " + std::to_string(value) + ", not " +
                        std::to_string(expected));
        if (sink.transactional && copies > 1)
          violation(key + " is " + std::to_string(copies) + " times in exactly-once sink " + sink.name);
        if (sink.named && copies > 1)
          violation(key + " is in " + std::to_string(copies) + " outputs of sink " + sink.name +
                    ", which names its output by batch");
        if (sink.transactional && copies == 1 && open > 0 && !in_doubt.count(key))
          violation(key + " is in exactly-once sink " + sink.name + " and waits in the DLQ for it too");
        // A replay would put it in a second output.
        if (sink.named && copies > 0 && open > 0 && !in_doubt.count(key))
          violation(key + " is in an output of sink " + sink.name + ", which names its output by batch, and "
                    "waits in the DLQ for it too");
        if (open > 1)
          violation(key + " has " + std::to_string(open) + " open DLQ entries for sink " + sink.name);
        if (covered && copies == 0 && open == 0 && discarded == 0)
          violation(clean_end ? key + " is neither in sink " + sink.name + " nor in the DLQ after a clean run"
                              : "the checkpoint of " + checkpoint_key + " passed " + key +
                                    ", which is neither in sink " + sink.name + " nor in the DLQ");
      }
    }
  }

  // A resolved entry is in the sinks it was meant for.
  for (const DlqEntry& e : dlq) {
    if (e.status != DlqStatus::Resolved) continue;
    for (size_t s = 0; s < spec_.sinks.size(); ++s) {
      if (!e.sink.empty() && e.sink != spec_.sinks[s].name) continue;
      if (!rows[s].count(e.record_key))
        violation("DLQ entry " + std::to_string(e.id) + " (" + e.record_key + ") is resolved but not in sink " +
                  spec_.sinks[s].name);
    }
  }

  // What the state store counts for a transactional sink is what it holds,
  // once no batch is in doubt (a crash or a failed commit leaves an intent,
  // which the next run or replay settles).
  std::vector<std::string> keys{"ferry-replay"};
  for (int part = 0; part < spec_.partitions; ++part) {
    const std::string partition = "p" + std::to_string(part);
    if (spec_.days == 0) keys.push_back(partition);
    for (int day = 0; day < spec_.days; ++day) keys.push_back(window_name(day) + "/" + partition);
  }
  for (const std::string& key : keys)
    if (state->load_intent("sc", key)) return v;
  std::map<std::string, int64_t> acked;
  for (const core::SinkAck& a : state->list_sink_acks("sc")) acked[a.sink] = a.records;
  for (size_t s = 0; s < spec_.sinks.size(); ++s) {
    if (!spec_.sinks[s].transactional) continue;
    int64_t held = 0;
    for (const auto& [key, copies] : rows[s]) held += static_cast<int64_t>(copies.size());
    if (acked[spec_.sinks[s].name] != held)
      violation("the state store counts " + std::to_string(acked[spec_.sinks[s].name]) + " records for sink " +
                spec_.sinks[s].name + ", which holds " + std::to_string(held));
  }
  return v;
}

}  // namespace ferry::scenario
