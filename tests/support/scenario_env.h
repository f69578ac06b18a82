// A pipeline directory for tests that drive `ferry` with the scenario
// plugins (tests/plugins/scenario_plugin.cpp): writes the definition, runs
// commands, and reads back what the sinks and the state store hold.
#pragma once

#include <sqlite3.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "state/state_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace ferry::test {

// What one scenario sink holds: rows by key, each with its copies' values.
struct SinkRows {
  std::map<std::string, std::vector<long long>> values;  // key -> value of every copy
  size_t copies(const std::string& key) const {
    auto it = values.find(key);
    return it == values.end() ? 0 : it->second.size();
  }
  size_t total() const {
    size_t n = 0;
    for (const auto& [k, v] : values) n += v.size();
    return n;
  }
};

inline std::vector<std::vector<std::string>> sqlite_rows(const std::string& path, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const unsigned char* t = sqlite3_column_text(s, c);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

class ScenarioDir {
 public:
  explicit ScenarioDir(std::string pipeline = "sc") : name_(std::move(pipeline)) {}

  const TempDir& dir() const { return dir_; }
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::string pipeline_file() const { return dir_.file("p.json"); }
  const std::string& name() const { return name_; }

  void define(const std::string& json) const { write_file(pipeline_file(), json); }

  // `ferry CMD p.json ARGS...`
  ProcessResult ferry_cmd(const std::string& cmd, std::vector<std::string> args = {},
                          const std::vector<std::string>& env = {}) const {
    std::vector<std::string> all{cmd};
    if (cmd == "dlq" || cmd == "checkpoint") {
      all.push_back(args.at(0));
      args.erase(args.begin());
    }
    if (cmd == "run" || cmd == "replay" || cmd == "backfill") all.push_back("--no-progress");
    all.push_back(pipeline_file());
    all.insert(all.end(), args.begin(), args.end());
    return ferry(all, env);
  }
  ProcessResult run(std::vector<std::string> args = {}) const { return ferry_cmd("run", std::move(args)); }
  ProcessResult replay(std::vector<std::string> args = {}) const { return ferry_cmd("replay", std::move(args)); }

  SinkRows sink(const std::string& sink_name) const {
    SinkRows out;
    for (const auto& r : sqlite_rows(file(sink_name + ".db"), "SELECT key, value FROM rows ORDER BY rowid"))
      out.values[r[0]].push_back(std::stoll(r[1]));
    return out;
  }
  // The checkpoint a transactional scenario sink holds for `partition`.
  std::string sink_checkpoint(const std::string& sink_name, const std::string& partition) const {
    auto rows = sqlite_rows(file(sink_name + ".db"),
                            "SELECT position FROM checkpoints WHERE partition = '" + partition + "'");
    return rows.empty() ? "" : rows[0][0];
  }

  std::unique_ptr<core::StateStore> state() const { return core::open_sqlite_state(file("state.db")); }
  std::vector<core::DlqEntry> dlq(std::optional<core::DlqStatus> status = std::nullopt) const {
    core::DlqFilter f;
    f.pipeline = name_;
    f.status = status;
    return state()->list_dlq(f);
  }

 private:
  TempDir dir_;
  std::string name_;
};

}  // namespace ferry::test
