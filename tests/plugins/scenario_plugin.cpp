// Deterministic, fault-injecting plugins for the scenario checker and the
// engine's defect tests. Written with the SDK's C++ layer only.
//
// Built twice from this file:
//   `scenario`       source + transform + a transactional sink
//   `scenario-idem`  an idempotent sink (SCENARIO_IDEMPOTENT)
//   `scenario-deferred` the idempotent sink, answering commits later
//                    (SCENARIO_IDEMPOTENT + SCENARIO_DEFERRED, ABI 1.10)
//   `scenario-named` the idempotent sink, its output named after each
//                    batch's first and last position as the file and s3
//                    sinks name theirs (SCENARIO_NAMED, ABI 1.11): a batch
//                    stored again replaces what it stored before
//   `scenario-named-deferred` the same, answering commits later
//   `scenario-single` the transactional sink, taking one writer at a time
//                    (SCENARIO_SINGLE_WRITER): the engine funnels every
//                    worker's batches through one instance
//
// Every fault is a function of the configuration (a seed, moduli, call
// counters), so a scenario replays exactly from its seed.
//
// source: partitions p0..p{N-1}, `count` records each: id 1..count, key
//   "p<k>-<id>", fields id (int64), part (string), v (int64 = id * 7 + k);
//   a record's position is its id, a batch's end position its last id.
// transform: renames v to w (so a transform applied twice is visible: the
//   second time there is no v) and rejects some rows.
// sinks: rows go to DIR/<sink name>.db (SQLite). The transactional sink
//   appends rows (no unique key: a duplicate stays visible) and keeps its
//   checkpoints in the same transaction; the idempotent one upserts by key
//   and counts writes per key.
#include <ferry/plugin.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "scenario_hash.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace json = boost::json;

using ferry::scenario::hash_of;
using ferry::scenario::picked;

json::object config(const ferry::Context& ctx) { return json::parse(ctx.config_json()).as_object(); }
std::string str(const json::object& o, const char* k, std::string def = {}) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : def;
}
int64_t num(const json::object& o, const char* k, int64_t def = 0) {
  auto it = o.find(k);
  if (it == o.end()) return def;
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  return it->value().is_int64() ? it->value().as_int64() : def;
}
std::set<int64_t> calls(const json::object& o, const char* k) {
  std::set<int64_t> out;
  auto it = o.find(k);
  if (it != o.end() && it->value().is_array())
    for (const auto& v : it->value().as_array()) out.insert(v.as_int64());
  return out;
}
bool flag(const json::object& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}

[[noreturn]] void crash(const char* point) {
  // A kill, not an exit: no destructor, no flush, like `kill -9`.
  (void)point;
  _exit(86);
}

// ---------------------------------------------------------------------------
// Source

class ScenarioSource : public ferry::Source {
 public:
  explicit ScenarioSource(const ferry::Context& ctx) : host_(ctx.host()), batch_(ctx.max_batch_records()) {
    auto c = config(ctx);
    partitions_ = num(c, "partitions", 1);
    count_ = num(c, "count", 100);
    seed_ = static_cast<uint64_t>(num(c, "seed", 1));
    errant_mod_ = num(c, "errant_mod");
    retry_mod_ = num(c, "retry_mod");
    same_position_ = flag(c, "same_position");
    retry_after_errants_ = flag(c, "retry_after_errants");
    errant_in_partitions_ = flag(c, "errant_in_partitions");
    crash_after_reads_ = num(c, "crash_after_reads");
    touch_file_ = str(c, "touch_file");
    touch_at_read_ = num(c, "touch_at_read");
    wait_file_ = str(c, "wait_file");
    wait_at_read_ = num(c, "wait_at_read");
    days_ = num(c, "days");
    // In a backfill window only the records of its day: record id falls on
    // day (id - 1) % days after 2026-01-01, so windows never overlap.
    if (days_ > 0 && !ctx.data_date().empty()) day_ = day_of(ctx.data_date());
  }

  std::vector<std::string> partitions() override {
    if (errant_in_partitions_)
      host_.reject("p0", "0", "p0-0", "unreadable listing entry", "listing entry 0 is unreadable");
    std::vector<std::string> out;
    for (int64_t p = 0; p < partitions_; ++p) out.push_back("p" + std::to_string(p));
    return out;
  }

  void start(std::string_view partition, const std::string_view* position) override {
    partition_ = std::string(partition);
    part_ = std::stoll(partition_.substr(1));
    next_id_ = position && !position->empty() ? std::stoll(std::string(*position)) + 1 : 1;
  }

  bool next(FerryBatch* out) override {
    if (next_id_ > count_) return false;
    // A RETRY burst: once per position, decided by the seed.
    const std::string at = partition_ + "@" + std::to_string(next_id_);
    if (picked(seed_, at, retry_mod_, 11) && retried_.insert(at).second)
      throw ferry::Error(FERRY_RETRY, "scenario source: transient read error at " + at);
    if (crash_after_reads_ > 0 && ++reads_ > crash_after_reads_) crash("source.next");
    // Says how far the reader got: a sink's block_file can wait for it.
    if (!touch_file_.empty() && ++touch_reads_ == touch_at_read_)
      if (FILE* f = std::fopen(touch_file_.c_str(), "w")) std::fclose(f);
    // A quiet source: this read has nothing until the test says so.
    if (!wait_file_.empty() && ++wait_reads_ == wait_at_read_) wait_for_file();
    ferry::BatchBuilder b;
    const size_t f_id = b.add_field("id", FERRY_TYPE_INT64, FERRY_FIELD_KEY);
    const size_t f_part = b.add_field("part", FERRY_TYPE_STRING);
    const size_t f_v = b.add_field("v", FERRY_TYPE_INT64);
    int64_t last = next_id_ - 1;
    bool reported = false;
    const int64_t end = std::min<int64_t>(count_, next_id_ + static_cast<int64_t>(batch_) - 1);
    for (int64_t id = next_id_; id <= end; ++id) {
      last = id;
      const std::string key = partition_ + "-" + std::to_string(id);
      if (day_ >= 0 && (id - 1) % days_ != day_) continue;
      if (picked(seed_, key, errant_mod_, ferry::scenario::kErrantSalt)) {
        host_.reject(partition_, std::to_string(id), key, "garbled record " + key,
                     "scenario source: record " + key + " cannot be parsed");
        reported = true;
        continue;
      }
      size_t r = b.add_row(key, std::to_string(id));
      b.set_int(r, f_id, id);
      b.set_string(r, f_part, partition_);
      b.set_int(r, f_v, id * 7 + part_);
    }
    // A read that fails after it reported errant records: the read again
    // reports them again.
    if (reported && retry_after_errants_ && retried_.insert(at + " errants").second)
      throw ferry::Error(FERRY_RETRY, "scenario source: transient read error after errant records at " + at);
    next_id_ = last + 1;
    b.finish(out, partition_, std::to_string(last));
    if (same_position_) {
      // Every row of the batch carries the batch's end as its position.
      auto* records = const_cast<FerryRecordMeta*>(out->records);
      for (size_t r = 0; r < out->n_rows; ++r) records[r].position = out->end_position;
    }
    return true;
  }

  Estimate estimate(std::string_view) override {
    Estimate e;
    e.records = static_cast<uint64_t>(count_);
    return e;
  }

 private:
  void wait_for_file() {
    const std::string waiting = wait_file_ + ".waiting";
    if (FILE* f = std::fopen(waiting.c_str(), "w")) std::fclose(f);
    while (!std::filesystem::exists(wait_file_) && !host_.cancelled())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  ferry::Host host_;
  uint64_t batch_;
  int64_t partitions_ = 1, count_ = 0, errant_mod_ = 0, retry_mod_ = 0, crash_after_reads_ = 0, reads_ = 0;
  std::string touch_file_, wait_file_;
  int64_t touch_at_read_ = 0, touch_reads_ = 0, wait_at_read_ = 0, wait_reads_ = 0;
  // Days since 2026-01-01 of a YYYY-MM-DD date.
  static int64_t day_of(std::string_view date) {
    std::tm tm{};
    const std::string text(date);
    if (!strptime(text.c_str(), "%Y-%m-%d", &tm))
      throw ferry::Error(FERRY_ERROR_CONFIG, "scenario source: data_date '" + text + "' is not YYYY-MM-DD");
    return (static_cast<int64_t>(timegm(&tm)) - 1767225600) / 86400;
  }

  uint64_t seed_ = 1;
  int64_t days_ = 0, day_ = -1;
  bool same_position_ = false, errant_in_partitions_ = false;
  bool retry_after_errants_ = false;
  std::string partition_;
  int64_t part_ = 0, next_id_ = 1;
  std::set<std::string> retried_;
};

// ---------------------------------------------------------------------------
// Transform: v -> w (unless rename is false); rejects about one in reject_mod rows.

class ScenarioTransform : public ferry::Transform {
 public:
  explicit ScenarioTransform(const ferry::Context& ctx) {
    auto c = config(ctx);
    seed_ = static_cast<uint64_t>(num(c, "seed", 1));
    reject_mod_ = num(c, "reject_mod");
    auto it = c.find("rename");
    rename_ = it == c.end() || !it->value().is_bool() || it->value().as_bool();
    position_prefix_ = str(c, "position_prefix");
  }
  void apply(const ferry::BatchView& in, FerryBatch* out, ferry::Outcomes& outcomes) override {
    ferry::BatchBuilder b;
    std::vector<size_t> map;  // output field -> input field
    size_t v = SIZE_MAX;
    for (size_t f = 0; f < in.fields(); ++f) {
      if (in.field_name(f) == "v") v = f;
      std::string_view name = rename_ && in.field_name(f) == "v" ? "w" : in.field_name(f);
      b.add_field(name, in.field(f).type, in.field(f).flags);
      map.push_back(f);
    }
    for (size_t r = 0; r < in.rows(); ++r) {
      if (rename_ && v == SIZE_MAX) {
        outcomes.reject(r, "scenario transform: field v is missing (applied twice?)");
        continue;
      }
      if (picked(seed_, in.key(r), reject_mod_, 3)) {
        outcomes.reject(r, "scenario transform: rule broken by " + std::string(in.key(r)));
        continue;
      }
      size_t row = b.add_row(in.key(r), position_prefix_ + std::string(in.position(r)), in.meta(r).op);
      for (size_t f = 0; f < map.size(); ++f) b.set_value(row, f, in.value(r, map[f]));
    }
    b.finish(out, in.partition(), in.end_position());
  }

 private:
  uint64_t seed_ = 1;
  int64_t reject_mod_ = 0;
  bool rename_ = true;
  std::string position_prefix_;
};

// ---------------------------------------------------------------------------
// Sinks

class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
      throw ferry::Error(FERRY_ERROR_IO, "scenario sink: cannot open " + path);
    sqlite3_busy_timeout(db_, 10000);
    // A killed process loses nothing SQLite committed, also without fsync.
    exec("PRAGMA synchronous = OFF");
  }
  ~Db() { sqlite3_close_v2(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "error";
      sqlite3_free(err);
      throw ferry::Error(FERRY_ERROR_IO, "scenario sink: " + msg + " in " + sql);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw ferry::Error(FERRY_ERROR_IO, std::string("scenario sink: ") + sqlite3_errmsg(db_));
    return s;
  }
  void run(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
      throw ferry::Error(FERRY_ERROR_IO, std::string("scenario sink: ") + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

struct StagedRow {
  std::string key, partition, position, fields;
  int64_t value = 0;
  std::string output;  // scenario-named: the batch's output, "<partition>/<first>-<last>"
};

// Opens that fail the first `open_fail_times` times in this process.
// Workers open their sinks on their own threads, at once.
std::atomic<int> g_open_failures{0};

class ScenarioSink : public ferry::Sink {
 public:
  explicit ScenarioSink(const ferry::Context& ctx) : host_(ctx.host()) {
    auto c = config(ctx);
    seed_ = static_cast<uint64_t>(num(c, "seed", 1));
    reject_mod_ = num(c, "reject_mod");
    poison_mod_ = num(c, "poison_mod");
    retry_mod_ = num(c, "retry_mod");
    row_retry_mod_ = num(c, "row_retry_mod");
    lost_reply_mod_ = num(c, "lost_reply_mod");
    commit_retry_mod_ = num(c, "commit_retry_mod");
    down_ = flag(c, "down");
    crash_point_ = str(c, "crash_point");
    crash_at_ = num(c, "crash_at", 1);
    block_file_ = str(c, "block_file");
    block_partition_ = str(c, "block_partition");
    commit_retry_calls_ = calls(c, "commit_retry_calls");
    lost_reply_calls_ = calls(c, "lost_reply_calls");
    retry_write_calls_ = calls(c, "retry_write_calls");
    unreachable_after_lost_reply_ = num(c, "unreachable_after_lost_reply");
    retry_after_ms_ = static_cast<uint64_t>(num(c, "retry_after_ms"));
    if (auto it = c.find("reject_plan"); it != c.end())
      for (const auto& call : it->value().as_array()) {
        std::set<std::string> keys;
        for (const auto& k : call.as_array()) keys.insert(std::string(k.as_string()));
        reject_plan_.push_back(std::move(keys));
      }
    if (auto it = c.find("reject_keys"); it != c.end())
      for (const auto& k : it->value().as_array()) reject_keys_.insert(std::string(k.as_string()));
    if (auto it = c.find("retry_keys"); it != c.end())
      for (const auto& k : it->value().as_array()) retry_keys_.insert(std::string(k.as_string()));
    const std::string open_fail = str(c, "open_fail");
    if (!open_fail.empty() && g_open_failures.load() < num(c, "open_fail_times", 1000000)) {
      const int n = ++g_open_failures;
      throw ferry::Error(open_fail == "retry" ? FERRY_RETRY : FERRY_ERROR_CONFIG,
                         "scenario sink: cannot reach the target (open " + std::to_string(n) + ")");
    }
    const std::string dir = ctx.resolve_path(str(c, "dir", "."));
    db_ = std::make_unique<Db>(dir + "/" + std::string(ctx.name()) + ".db");
#if defined(SCENARIO_NAMED)
    // One output per batch, replaced whole when stored again: a record in
    // two outputs stays visible as two rows.
    db_->exec("CREATE TABLE IF NOT EXISTS rows (output TEXT, key TEXT, partition TEXT, position TEXT, "
              "value INTEGER, fields TEXT)");
    upsert_ = db_->prepare("INSERT INTO rows (key, partition, position, value, fields, output) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    clear_output_ = db_->prepare("DELETE FROM rows WHERE output = ?1");
#elif defined(SCENARIO_IDEMPOTENT)
    db_->exec("CREATE TABLE IF NOT EXISTS rows (key TEXT PRIMARY KEY, partition TEXT, position TEXT, "
              "value INTEGER, fields TEXT, writes INTEGER NOT NULL DEFAULT 1)");
    upsert_ = db_->prepare(
        "INSERT INTO rows (key, partition, position, value, fields) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (key) DO UPDATE SET partition = excluded.partition, position = excluded.position, "
        "value = excluded.value, fields = excluded.fields, writes = rows.writes + 1");
#else
    db_->exec("CREATE TABLE IF NOT EXISTS rows (seq INTEGER PRIMARY KEY, key TEXT, partition TEXT, "
              "position TEXT, value INTEGER, fields TEXT)");
    db_->exec("CREATE TABLE IF NOT EXISTS checkpoints (pipeline TEXT, partition TEXT, position BLOB, "
              "PRIMARY KEY (pipeline, partition))");
    upsert_ = db_->prepare("INSERT INTO rows (key, partition, position, value, fields) VALUES (?1, ?2, ?3, ?4, ?5)");
    save_cp_ = db_->prepare("INSERT OR REPLACE INTO checkpoints VALUES (?1, ?2, ?3)");
    load_cp_ = db_->prepare("SELECT position FROM checkpoints WHERE pipeline = ?1 AND partition = ?2");
#endif
    pipeline_ = std::string(ctx.pipeline());
    if (!ctx.window_start().empty()) window_ = std::string(ctx.window_start()) + "/";
  }
  ~ScenarioSink() override {
    sqlite3_finalize(upsert_);
    sqlite3_finalize(clear_output_);
    sqlite3_finalize(save_cp_);
    sqlite3_finalize(load_cp_);
  }

  void write(const ferry::BatchView& b, ferry::Outcomes& outcomes) override {
    ++writes_;
    point("before_write", writes_);
    if (block_partition_.empty() || b.partition() == block_partition_) wait_for_block_file();
    if (down_) throw ferry::Error(FERRY_RETRY, "scenario sink is down", retry_after_ms_);
    if (retry_write_calls_.count(writes_)) throw ferry::Error(FERRY_RETRY, "scenario sink: write call timed out");
    if (retry_mod_ > 0 && picked(seed_, "write", retry_mod_, static_cast<uint64_t>(writes_)))
      throw ferry::Error(FERRY_RETRY, "scenario sink: transient write error", retry_after_ms_);
    // A poison row fails the whole call, as a constraint aborts a statement.
    for (size_t r = 0; r < b.rows(); ++r)
      if (picked(seed_, b.key(r), poison_mod_, 5) || reject_keys_.count(std::string(b.key(r))))
        throw ferry::Error(FERRY_INVALID_DATA, "scenario sink: constraint violated by " + std::string(b.key(r)));
    const std::set<std::string>* planned =
        writes_ <= static_cast<int64_t>(reject_plan_.size()) ? &reject_plan_[static_cast<size_t>(writes_ - 1)] : nullptr;
    size_t value_field = SIZE_MAX;
    std::string fields;
    for (size_t f = 0; f < b.fields(); ++f) {
      if (b.field_name(f) == "w" || (b.field_name(f) == "v" && value_field == SIZE_MAX)) value_field = f;
      fields += (f ? "," : "") + std::string(b.field_name(f));
    }
    std::vector<StagedRow> rows;
    // In a backfill the window names it too: positions may repeat from one
    // window to the next (the file sink does the same).
    const std::string output = b.rows() == 0 ? std::string()
                                             : window_ + std::string(b.partition()) + "/" +
                                                   std::string(b.position(0)) + "-" +
                                                   std::string(b.position(b.rows() - 1));
    for (size_t r = 0; r < b.rows(); ++r) {
      const std::string key(b.key(r));
      if (picked(seed_, key, reject_mod_, 2) || (planned && planned->count(key))) {
        outcomes.reject(r, "scenario sink: value out of range for " + key);
        continue;
      }
      if (retry_keys_.count(key) && ++row_attempts_[key] == 1) {
        outcomes.reject(r, "scenario sink: busy, try " + key + " again", FERRY_RETRY);
        continue;
      }
      if (row_retry_mod_ > 0 && picked(seed_, key, row_retry_mod_, 9) && ++row_attempts_[key] <= 2) {
        outcomes.reject(r, "scenario sink: busy, try " + key + " again", FERRY_RETRY);
        continue;
      }
      StagedRow s{key, std::string(b.partition()), std::string(b.position(r)), fields, 0, output};
      if (value_field != SIZE_MAX && b.value(r, value_field).type == FERRY_TYPE_INT64)
        s.value = b.value(r, value_field).as.i64;
      rows.push_back(std::move(s));
    }
#ifdef SCENARIO_NAMED
    // An output with none of its rows is written too (the file sink writes
    // an empty file): a row without a key stands for it. A second write of
    // one name replaces the first, as a second rename over a file does.
    if (rows.empty() && !output.empty()) rows.push_back(StagedRow{{}, {}, {}, {}, 0, output});
    staged_.erase(std::remove_if(staged_.begin(), staged_.end(), [&](const StagedRow& s) { return s.output == output; }),
                  staged_.end());
#endif
    for (StagedRow& s : rows) staged_.push_back(std::move(s));
    point("after_write", writes_);
  }

  void commit(const FerryCheckpoint* cp) override {
    ++commits_;
    point("before_commit", commits_);
    if (commit_fails(commits_)) throw ferry::Error(FERRY_RETRY, "scenario sink: commit failed, nothing stored");
    store(staged_, cp);
    staged_.clear();
    point("after_commit", commits_);
    if (reply_lost(commits_)) {
      unreachable_checkpoints_ = unreachable_after_lost_reply_;
      throw ferry::Error(FERRY_RETRY, "scenario sink: connection lost while committing (the commit landed)");
    }
  }

#ifdef SCENARIO_DEFERRED
  // A commit answered later: it lands when awaited or, about every other
  // one, at once (an upload finishing before the host asks, possibly before
  // an earlier one). Its faults are those commit() would meet.
  bool begin_commit(const FerryCheckpoint* /*cp*/) override {
    ++commits_;
    point("before_commit", commits_);
    Pending p;
    p.call = commits_;
    p.rows = std::move(staged_);
    staged_.clear();
    p.failed = commit_fails(commits_);
    pending_.push_back(std::move(p));
    if (!pending_.back().failed && picked(seed_, "early", 2, static_cast<uint64_t>(commits_))) land(pending_.back());
    return true;
  }

  void await_commit() override {
    if (pending_.empty()) throw ferry::Error(FERRY_ERROR_INTERNAL, "scenario sink: await_commit with no commit pending");
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (p.failed) throw ferry::Error(FERRY_RETRY, "scenario sink: commit failed, nothing stored");
    if (!p.landed) land(p);
    if (p.reply_lost) throw ferry::Error(FERRY_RETRY, "scenario sink: connection lost while committing (the commit landed)");
  }
#endif

 private:
#ifdef SCENARIO_DEFERRED
  struct Pending {
    int64_t call = 0;
    std::vector<StagedRow> rows;
    bool failed = false, landed = false, reply_lost = false;
  };
  void land(Pending& p) {
    store(p.rows, nullptr);
    p.landed = true;
    point("after_commit", p.call);
    p.reply_lost = reply_lost(p.call);
  }
  std::deque<Pending> pending_;
#endif
  bool commit_fails(int64_t call) const {
    return commit_retry_calls_.count(call) ||
           (commit_retry_mod_ > 0 && picked(seed_, "commit", commit_retry_mod_, static_cast<uint64_t>(call)));
  }
  bool reply_lost(int64_t call) const {
    return lost_reply_calls_.count(call) ||
           (lost_reply_mod_ > 0 && picked(seed_, "reply", lost_reply_mod_, static_cast<uint64_t>(call)));
  }
  void store(const std::vector<StagedRow>& staged, [[maybe_unused]] const FerryCheckpoint* cp) {
    db_->exec("BEGIN IMMEDIATE");
    try {
#ifdef SCENARIO_NAMED
      std::set<std::string> outputs;
      for (const StagedRow& s : staged)
        if (outputs.insert(s.output).second) {
          bind_text(clear_output_, 1, s.output);
          db_->run(clear_output_);
        }
#endif
      for (const StagedRow& s : staged) {
        if (s.key.empty()) continue;  // an output without rows
        bind_text(upsert_, 1, s.key);
        bind_text(upsert_, 2, s.partition);
        bind_text(upsert_, 3, s.position);
        sqlite3_bind_int64(upsert_, 4, s.value);
        bind_text(upsert_, 5, s.fields);
#ifdef SCENARIO_NAMED
        bind_text(upsert_, 6, s.output);
#endif
        db_->run(upsert_);
      }
#ifndef SCENARIO_IDEMPOTENT
      if (cp) {
        std::string_view pipeline = ferry::view(cp->pipeline);
        bind_text(save_cp_, 1, pipeline.empty() ? std::string_view(pipeline_) : pipeline);
        bind_text(save_cp_, 2, ferry::view(cp->partition));
        std::string_view pos = ferry::view(cp->position);
        sqlite3_bind_blob(save_cp_, 3, pos.data() ? pos.data() : "", static_cast<int>(pos.size()), SQLITE_TRANSIENT);
        db_->run(save_cp_);
      }
#endif
      db_->exec("COMMIT");
    } catch (...) {
      db_->exec("ROLLBACK");
      throw;
    }
  }

 public:
  void abort() override { staged_.clear(); }

  std::optional<std::string> checkpoint(std::string_view partition) override {
#ifdef SCENARIO_IDEMPOTENT
    (void)partition;
    return std::nullopt;
#else
    if (unreachable_checkpoints_ > 0) {
      --unreachable_checkpoints_;
      throw ferry::Error(FERRY_RETRY, "scenario sink: cannot reach the server to read the checkpoint");
    }
    bind_text(load_cp_, 1, pipeline_);
    bind_text(load_cp_, 2, partition);
    std::optional<std::string> out;
    if (sqlite3_step(load_cp_) == SQLITE_ROW) {
      const char* p = static_cast<const char*>(sqlite3_column_blob(load_cp_, 0));
      out = std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(load_cp_, 0)));
    }
    sqlite3_reset(load_cp_);
    sqlite3_clear_bindings(load_cp_);
    return out;
#endif
  }

 private:
  void point(const char* name, int64_t call) {
    if (crash_point_ == name && call == crash_at_) crash(name);
  }
  // Parks the write until the test creates the file, after saying so.
  void wait_for_block_file() {
    if (block_file_.empty()) return;
    const std::string waiting = block_file_ + ".waiting";
    if (FILE* f = std::fopen(waiting.c_str(), "w")) std::fclose(f);
    while (!std::filesystem::exists(block_file_) && !host_.cancelled())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  ferry::Host host_;
  uint64_t seed_ = 1, retry_after_ms_ = 0;
  int64_t reject_mod_ = 0, poison_mod_ = 0, retry_mod_ = 0, row_retry_mod_ = 0, lost_reply_mod_ = 0,
          commit_retry_mod_ = 0, crash_at_ = 1, writes_ = 0, commits_ = 0, unreachable_after_lost_reply_ = 0,
          unreachable_checkpoints_ = 0;
  bool down_ = false;
  std::string crash_point_, block_file_, block_partition_, pipeline_, window_;
  std::set<int64_t> commit_retry_calls_, lost_reply_calls_, retry_write_calls_;
  std::vector<std::set<std::string>> reject_plan_;
  std::set<std::string> reject_keys_, retry_keys_;
  std::map<std::string, int> row_attempts_;
  std::unique_ptr<Db> db_;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* clear_output_ = nullptr;
  sqlite3_stmt* save_cp_ = nullptr;
  sqlite3_stmt* load_cp_ = nullptr;
  std::vector<StagedRow> staged_;
};

// A checkpoint hook that answers STOP once it sees a commit of one partition.
class StopHook : public ferry::CheckpointHook {
 public:
  explicit StopHook(const ferry::Context& ctx) { partition_ = str(config(ctx), "stop_on_partition"); }
  FerryStatus on_commit(const FerryCheckpointEvent& e) override {
    return ferry::view(e.partition) == partition_ ? FERRY_STOP : FERRY_OK;
  }

 private:
  std::string partition_;
};

const FerryOptionSpec kSourceOptions[] = {
    {"partitions", FERRY_OPTION_INT, 0, "1", "number of partitions p0..pN-1"},
    {"count", FERRY_OPTION_INT, 0, "100", "records per partition"},
    {"seed", FERRY_OPTION_INT, 0, "1", "decides which records fail"},
    {"errant_mod", FERRY_OPTION_INT, 0, "0", "about one in N records is unparseable (reported errant)"},
    {"retry_mod", FERRY_OPTION_INT, 0, "0", "about one in N reads answers RETRY once"},
    {"retry_after_errants", FERRY_OPTION_BOOL, 0, "false", "a read that reported errant records answers RETRY once"},
    {"same_position", FERRY_OPTION_BOOL, 0, "false", "every row of a batch carries the batch's end position"},
    {"errant_in_partitions", FERRY_OPTION_BOOL, 0, "false", "report an errant record while listing partitions"},
    {"crash_after_reads", FERRY_OPTION_INT, 0, "0", "die like kill -9 on read N+1"},
    {"touch_file", FERRY_OPTION_STRING, 0, "\"\"", "created when read touch_at_read begins"},
    {"touch_at_read", FERRY_OPTION_INT, 0, "0", "the read (1-based, per process) that creates touch_file"},
    {"wait_file", FERRY_OPTION_STRING, 0, "\"\"", "read wait_at_read creates <wait_file>.waiting, then waits for wait_file"},
    {"wait_at_read", FERRY_OPTION_INT, 0, "0", "the read (1-based, per process) that waits for wait_file"},
    {"days", FERRY_OPTION_INT, 0, "0", "records spread over this many days; a backfill window reads its day's"},
};
const FerryOptionSpec kTransformOptions[] = {
    {"seed", FERRY_OPTION_INT, 0, "1", "decides which rows are rejected"},
    {"reject_mod", FERRY_OPTION_INT, 0, "0", "about one in N rows is rejected"},
    {"rename", FERRY_OPTION_BOOL, 0, "true", "rename v to w (false: only reject)"},
    {"position_prefix", FERRY_OPTION_STRING, 0, "\"\"", "prefix every row's position (a transform that rewrites positions)"},
};
const FerryOptionSpec kSinkOptions[] = {
    {"dir", FERRY_OPTION_STRING, 0, "\".\"", "where <sink name>.db goes"},
    {"seed", FERRY_OPTION_INT, 0, "1", "decides which rows and calls fail"},
    {"reject_mod", FERRY_OPTION_INT, 0, "0", "about one in N rows is rejected (INVALID_DATA per row)"},
    {"poison_mod", FERRY_OPTION_INT, 0, "0", "about one in N rows fails its whole write (bisection)"},
    {"retry_mod", FERRY_OPTION_INT, 0, "0", "about one in N writes answers RETRY"},
    {"row_retry_mod", FERRY_OPTION_INT, 0, "0", "about one in N rows answers RETRY on its first two writes"},
    {"lost_reply_mod", FERRY_OPTION_INT, 0, "0", "about one in N commits lands but answers RETRY"},
    {"commit_retry_mod", FERRY_OPTION_INT, 0, "0", "about one in N commits answers RETRY without storing"},
    {"down", FERRY_OPTION_BOOL, 0, "false", "every write answers RETRY"},
    {"retry_after_ms", FERRY_OPTION_INT, 0, "0", "backoff hint sent with RETRY"},
    {"open_fail", FERRY_OPTION_STRING, 0, "\"\"", "retry or config: how opening fails"},
    {"open_fail_times", FERRY_OPTION_INT, 0, "1000000", "opens that fail, per process"},
    {"crash_point", FERRY_OPTION_STRING, 0, "\"\"", "before_write, after_write, before_commit, after_commit"},
    {"crash_at", FERRY_OPTION_INT, 0, "1", "the call (1-based, per process) at which to die"},
    {"block_file", FERRY_OPTION_STRING, 0, "\"\"", "writes wait until this file exists"},
    {"block_partition", FERRY_OPTION_STRING, 0, "\"\"", "only writes of this partition wait for block_file"},
    {"commit_retry_calls", FERRY_OPTION_ARRAY, 0, "[]", "commit calls (1-based) that answer RETRY without storing"},
    {"lost_reply_calls", FERRY_OPTION_ARRAY, 0, "[]", "commit calls (1-based) that land but answer RETRY"},
    {"retry_write_calls", FERRY_OPTION_ARRAY, 0, "[]", "write calls (1-based) that answer RETRY, staging nothing"},
    {"unreachable_after_lost_reply", FERRY_OPTION_INT, 0, "0",
     "after a lost reply, this many checkpoint() calls answer RETRY"},
    {"reject_plan", FERRY_OPTION_ARRAY, 0, "[]", "keys rejected per row on write call i (an array per call)"},
    {"reject_keys", FERRY_OPTION_ARRAY, 0, "[]", "keys that fail their whole write with INVALID_DATA"},
    {"retry_keys", FERRY_OPTION_ARRAY, 0, "[]", "keys answered RETRY, on their own, the first time they are written"},
};

}  // namespace

const FerryOptionSpec kHookOptions[] = {
    {"stop_on_partition", FERRY_OPTION_STRING, 0, "\"\"", "answer STOP after a commit of this partition"},
};

#if defined(SCENARIO_NAMED) && defined(SCENARIO_DEFERRED)
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT | FERRY_CAP_NAMED_BY_BATCH | FERRY_CAP_DEFERRED_COMMIT,
     "idempotent test sink, an output per batch, whose commits land later", kSinkOptions,
     FERRY_COUNT_OF(kSinkOptions)},
};
FERRY_PLUGIN_DESCRIPTOR("scenario-named-deferred", "1.0.0",
                        "fault-injecting test sink named by batch, with deferred commits", kKinds)
FERRY_PLUGIN(ScenarioSink)
#elif defined(SCENARIO_NAMED)
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT | FERRY_CAP_NAMED_BY_BATCH, "idempotent test sink, an output per batch",
     kSinkOptions, FERRY_COUNT_OF(kSinkOptions)},
};
FERRY_PLUGIN_DESCRIPTOR("scenario-named", "1.0.0", "fault-injecting test sink named by batch", kKinds)
FERRY_PLUGIN(ScenarioSink)
#elif defined(SCENARIO_DEFERRED)
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT | FERRY_CAP_DEFERRED_COMMIT,
     "idempotent test sink (upsert by key) whose commits land later", kSinkOptions, FERRY_COUNT_OF(kSinkOptions)},
};
FERRY_PLUGIN_DESCRIPTOR("scenario-deferred", "1.0.0", "fault-injecting idempotent sink with deferred commits for tests",
                        kKinds)
FERRY_PLUGIN(ScenarioSink)
#elif defined(SCENARIO_IDEMPOTENT)
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT, "idempotent test sink (upsert by key)", kSinkOptions,
     FERRY_COUNT_OF(kSinkOptions)},
};
FERRY_PLUGIN_DESCRIPTOR("scenario-idem", "1.0.0", "fault-injecting idempotent sink for tests", kKinds)
FERRY_PLUGIN(ScenarioSink)
#elif defined(SCENARIO_SINGLE_WRITER)
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL | FERRY_CAP_SINGLE_WRITER,
     "transactional test sink (append + checkpoint), one writer at a time", kSinkOptions,
     FERRY_COUNT_OF(kSinkOptions)},
};
FERRY_PLUGIN_DESCRIPTOR("scenario-single", "1.0.0", "fault-injecting single-writer transactional sink for tests",
                        kKinds)
FERRY_PLUGIN(ScenarioSink)
#else
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0, "deterministic test source", kSourceOptions, FERRY_COUNT_OF(kSourceOptions)},
    {FERRY_KIND_TRANSFORM, 0, "renames v to w, rejects some rows", kTransformOptions,
     FERRY_COUNT_OF(kTransformOptions)},
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL, "transactional test sink (append + checkpoint)", kSinkOptions,
     FERRY_COUNT_OF(kSinkOptions)},
    {FERRY_KIND_CHECKPOINT_HOOK, 0, "stops the pipeline on a partition's commit", kHookOptions,
     FERRY_COUNT_OF(kHookOptions)},
};
FERRY_PLUGIN_DESCRIPTOR("scenario", "1.0.0", "fault-injecting source, transform and transactional sink for tests",
                        kKinds)
FERRY_PLUGIN(ScenarioSource, ScenarioTransform, ScenarioSink, StopHook)
#endif
