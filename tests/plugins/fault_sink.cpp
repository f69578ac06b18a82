// A sink and hooks that log every call and fail on command, for engine tests.
// Written with the SDK's C++ layer only.
//
// sink "fault": stages rows in memory, appends them to DIR/rows.txt on commit
// ("partition<TAB>position<TAB>key" per row) and logs calls to DIR/events.txt.
// It crashes (_exit(86), like a kill) or fails at a named point of batch N,
// answers RETRY on every k-th write, or fails whole writes that contain a
// listed key with INVALID_DATA (as a SQL constraint aborts a statement).
#include <ferry/plugin.hpp>

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace {

void append(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw ferry::Error(FERRY_ERROR_IO, "cannot open " + path);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fflush(f);
  fsync(fileno(f));
  std::fclose(f);
}

boost::json::object parse_config(const ferry::Context& ctx) {
  return boost::json::parse(ctx.config_json()).as_object();
}

std::string str(const boost::json::object& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}
int64_t num(const boost::json::object& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_int64() ? it->value().as_int64() : 0;
}

class FaultSink : public ferry::Sink {
 public:
  explicit FaultSink(const ferry::Context& ctx) : host_(ctx.host()) {
    auto c = parse_config(ctx);
    dir_ = ctx.resolve_path(str(c, "dir"));
    crash_point_ = str(c, "crash_point");
    error_point_ = str(c, "error_point");
    fault_batch_ = num(c, "fault_batch");
    retry_every_ = num(c, "retry_every");
    always_retry_ = c.contains("always_retry") && c.at("always_retry").as_bool();
    retry_after_ms_ = static_cast<uint64_t>(num(c, "retry_after_ms"));
    if (auto it = c.find("reject_keys"); it != c.end())
      for (const auto& k : it->value().as_array()) reject_.insert(std::string(k.as_string()));
    event("open");
  }

  void write(const ferry::BatchView& b, ferry::Outcomes&) override {
    if (!in_batch_) {
      in_batch_ = true;
      ++batch_;
    }
    fault("before_write");
    ++writes_;
    if (always_retry_) throw ferry::Error(FERRY_RETRY, "fault sink is down", retry_after_ms_);
    if (retry_every_ > 0 && writes_ % retry_every_ == 0)
      throw ferry::Error(FERRY_RETRY, "fault sink asks to retry (write " + std::to_string(writes_) + ")");
    for (size_t r = 0; r < b.rows(); ++r)
      if (reject_.count(std::string(b.key(r))))
        throw ferry::Error(FERRY_INVALID_DATA, "constraint violated by key " + std::string(b.key(r)));
    for (size_t r = 0; r < b.rows(); ++r)
      staged_ += std::string(b.partition()) + "\t" + std::string(b.position(r)) + "\t" +
                 std::string(b.key(r)) + "\n";
    event("write " + std::to_string(b.rows()));
    fault("after_write");
  }

  void commit(const FerryCheckpoint* cp) override {
    if (!in_batch_) ++batch_;  // an empty batch still commits
    fault("before_commit");
    append(dir_ + "/rows.txt", staged_);
    staged_.clear();
    host_.count("fault_commits", 1);
    event("commit " + std::string(ferry::view(cp->partition)) + " " + std::string(ferry::view(cp->position)));
    in_batch_ = false;
    fault("after_commit");
  }

  void abort() override {
    staged_.clear();
    in_batch_ = false;
    event("abort");
  }

 private:
  void event(const std::string& e) { append(dir_ + "/events.txt", e + "\n"); }
  void fault(const char* point) {
    if (batch_ != fault_batch_) return;
    if (crash_point_ == point) {
      event(std::string("crash ") + point);
      _exit(86);
    }
    if (error_point_ == point) throw ferry::Error(FERRY_ERROR_IO, std::string("injected failure ") + point);
  }

  ferry::Host host_;
  std::string dir_, crash_point_, error_point_, staged_;
  int64_t fault_batch_ = 0, retry_every_ = 0, writes_ = 0, batch_ = 0;
  bool always_retry_ = false, in_batch_ = false;
  uint64_t retry_after_ms_ = 0;
  std::set<std::string> reject_;
};

// Logs every committed row to DIR/hook_rows.txt; can stop or crash after N.
class RecordingCheckpointHook : public ferry::CheckpointHook {
 public:
  explicit RecordingCheckpointHook(const ferry::Context& ctx) {
    auto c = parse_config(ctx);
    dir_ = ctx.resolve_path(str(c, "dir"));
    stop_after_ = num(c, "stop_after");
    crash_after_ = num(c, "crash_after");
    fail_ = c.contains("fail") && c.at("fail").as_bool();
  }
  FerryStatus on_commit(const FerryCheckpointEvent& e) override {
    if (fail_) throw ferry::Error(FERRY_ERROR_IO, "audit store unavailable");
    ferry::BatchView b(e.batch);
    std::string lines;
    for (size_t r = 0; r < b.rows(); ++r)
      lines += std::string(ferry::view(e.sink)) + "\t" + std::string(b.position(r)) + "\n";
    append(dir_ + "/hook_rows.txt", lines);
    ++commits_;
    if (crash_after_ && commits_ == crash_after_) _exit(86);
    return stop_after_ && commits_ >= stop_after_ ? FERRY_STOP : FERRY_OK;
  }

 private:
  std::string dir_;
  int64_t stop_after_ = 0, crash_after_ = 0, commits_ = 0;
  bool fail_ = false;
};

// Logs every failed row to DIR/backlog.txt.
class RecordingBacklogHook : public ferry::BacklogHook {
 public:
  explicit RecordingBacklogHook(const ferry::Context& ctx) {
    dir_ = ctx.resolve_path(str(parse_config(ctx), "dir"));
  }
  FerryStatus on_failure(const FerryBacklogEvent& e) override {
    ferry::BatchView b(e.batch);
    std::string lines;
    for (size_t r = 0; r < b.rows(); ++r)
      lines += std::string(ferry::view(e.sink)) + "\t" + std::string(b.position(r)) + "\t" +
               std::string(ferry::view(e.outcomes[r].message)) + "\n";
    append(dir_ + "/backlog.txt", lines);
    return FERRY_OK;
  }

 private:
  std::string dir_;
};

const FerryOptionSpec kSinkOptions[] = {
    {"dir", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "where rows.txt and events.txt go"},
    {"crash_point", FERRY_OPTION_STRING, 0, "\"\"", "before_write, after_write, before_commit, after_commit"},
    {"error_point", FERRY_OPTION_STRING, 0, "\"\"", "same points, failing with an I/O error instead"},
    {"fault_batch", FERRY_OPTION_INT, 0, "0", "1-based batch at which to crash or fail"},
    {"retry_every", FERRY_OPTION_INT, 0, "0", "answer RETRY on every k-th write"},
    {"always_retry", FERRY_OPTION_BOOL, 0, "false", "answer RETRY on every write (a sink that is down)"},
    {"retry_after_ms", FERRY_OPTION_INT, 0, "0", "with always_retry: the wait the sink asks for (Retry-After)"},
    {"reject_keys", FERRY_OPTION_ARRAY, 0, "[]", "keys that fail their whole write with INVALID_DATA"},
};
const FerryOptionSpec kHookOptions[] = {
    {"dir", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "where the log goes"},
    {"stop_after", FERRY_OPTION_INT, 0, "0", "answer stop after this many commits"},
    {"crash_after", FERRY_OPTION_INT, 0, "0", "crash after logging this many commits"},
    {"fail", FERRY_OPTION_BOOL, 0, "false", "fail every call with an I/O error"},
};
const FerryOptionSpec kBacklogOptions[] = {
    {"dir", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "where the log goes"},
};
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT, "fault-injecting test sink", kSinkOptions, FERRY_COUNT_OF(kSinkOptions)},
    {FERRY_KIND_CHECKPOINT_HOOK, 0, "records committed rows", kHookOptions, FERRY_COUNT_OF(kHookOptions)},
    {FERRY_KIND_BACKLOG_HOOK, 0, "records failed rows", kBacklogOptions, FERRY_COUNT_OF(kBacklogOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("fault", "1.0.0", "fault-injecting sink and recording hooks for tests", kKinds)
FERRY_PLUGIN(FaultSink, RecordingCheckpointHook, RecordingBacklogHook)
