// A host-less harness for testing one plugin .so through its C ABI.
//
// It does what the real host does at the boundary and nothing more: dlopen
// the library, read `ferry_plugin_descriptor`, call `ferry_plugin_init`, open
// instances with a FerryHost whose services record everything the plugin
// reports (logs, set_error messages, retry hints, errant records, counters),
// and release every batch it is handed. Tests then assert on statuses and on
// what was recorded, exactly as the host would see them.
//
//   ferry::testing::Plugin plugin("build/ferry-my-sink.so");
//   ferry::testing::SinkHandle sink(plugin, {R"({"path":"x.db","table":"t"})", dir});
//   assert(sink.open_status() == FERRY_OK);   // else sink.host().last_error()
//
// Part of the installed SDK (<ferry/testing/plugin_harness.hpp>); Ferry's
// own plugin tests use it too. Works with any test framework. Header-only,
// C++17, POSIX (link with -ldl where dlopen is not in libc). Not
// thread-safe: one test thread.
#ifndef FERRY_TESTING_PLUGIN_HARNESS_HPP_
#define FERRY_TESTING_PLUGIN_HARNESS_HPP_

#include <dlfcn.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <ferry/plugin.hpp>
#include <ferry/testing/option_values.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::testing {

// ---------------------------------------------------------------------------
// Values and rows: plain C++ copies of batch contents, comparable in tests.

struct Value {
  FerryType type = FERRY_TYPE_NULL;
  int64_t i = 0;  // BOOL (0/1), INT64, TIMESTAMP
  double d = 0;   // DOUBLE
  std::string s;  // STRING, BYTES, JSON, DECIMAL

  static Value null() { return Value{}; }
  static Value boolean(bool v) { return Value{FERRY_TYPE_BOOL, v ? 1 : 0, 0, {}}; }
  static Value int64(int64_t v) { return Value{FERRY_TYPE_INT64, v, 0, {}}; }
  static Value real(double v) { return Value{FERRY_TYPE_DOUBLE, 0, v, {}}; }
  static Value timestamp(int64_t micros) { return Value{FERRY_TYPE_TIMESTAMP, micros, 0, {}}; }
  static Value string(std::string v) { return Value{FERRY_TYPE_STRING, 0, 0, std::move(v)}; }
  static Value bytes(std::string v) { return Value{FERRY_TYPE_BYTES, 0, 0, std::move(v)}; }
  static Value json(std::string v) { return Value{FERRY_TYPE_JSON, 0, 0, std::move(v)}; }
  static Value decimal(std::string v) { return Value{FERRY_TYPE_DECIMAL, 0, 0, std::move(v)}; }

  static Value from(const FerryValue& v) {
    switch (v.type) {
      case FERRY_TYPE_BOOL:
        return boolean(v.as.boolean != 0);
      case FERRY_TYPE_INT64:
        return int64(v.as.i64);
      case FERRY_TYPE_TIMESTAMP:
        return timestamp(v.as.i64);
      case FERRY_TYPE_DOUBLE:
        return real(v.as.f64);
      case FERRY_TYPE_STRING:
      case FERRY_TYPE_BYTES:
      case FERRY_TYPE_JSON:
      case FERRY_TYPE_DECIMAL:
        return Value{v.type, 0, 0, std::string(ferry::view(v.as.bytes))};
      default:
        return Value{v.type, 0, 0, {}};
    }
  }

  bool operator==(const Value& o) const {
    if (type != o.type) return false;
    switch (type) {
      case FERRY_TYPE_BOOL:
      case FERRY_TYPE_INT64:
      case FERRY_TYPE_TIMESTAMP:
        return i == o.i;
      case FERRY_TYPE_DOUBLE:
        return d == o.d;
      case FERRY_TYPE_NULL:
        return true;
      default:
        return s == o.s;
    }
  }
  bool operator!=(const Value& o) const { return !(*this == o); }
};

inline std::ostream& operator<<(std::ostream& os, const Value& v) {
  switch (v.type) {
    case FERRY_TYPE_NULL:
      return os << "null";
    case FERRY_TYPE_BOOL:
      return os << (v.i ? "true" : "false");
    case FERRY_TYPE_INT64:
      return os << v.i;
    case FERRY_TYPE_TIMESTAMP:
      return os << "ts(" << v.i << ")";
    case FERRY_TYPE_DOUBLE:
      return os << v.d;
    default:
      return os << "type" << v.type << "\"" << v.s << "\"";
  }
}

struct Column {
  std::string name;
  FerryType type;
  uint32_t flags = FERRY_FIELD_NULLABLE;
};

struct Row {
  std::vector<Value> values;
  std::string key;
  std::string position;
  FerryOp op = FERRY_OP_INSERT;

  bool operator==(const Row& o) const {
    return values == o.values && key == o.key && position == o.position && op == o.op;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Row& r) {
  os << "{key=\"" << r.key << "\" pos=\"" << r.position << "\" op=" << r.op << " [";
  for (size_t i = 0; i < r.values.size(); ++i) os << (i ? ", " : "") << r.values[i];
  return os << "]}";
}

// ---------------------------------------------------------------------------
// Batches

// Owns a FerryBatch handed over by a producer and releases it exactly once.
class OwnedBatch {
 public:
  OwnedBatch() = default;
  OwnedBatch(const OwnedBatch&) = delete;
  OwnedBatch& operator=(const OwnedBatch&) = delete;
  // A move is a copy plus marking the source released (ABI rule).
  OwnedBatch(OwnedBatch&& o) noexcept : b_(o.b_) { o.b_.release = nullptr; }
  OwnedBatch& operator=(OwnedBatch&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = o.b_;
      o.b_.release = nullptr;
    }
    return *this;
  }
  ~OwnedBatch() { reset(); }

  // For a producer to fill; releases what was held first.
  FerryBatch* out() {
    reset();
    return &b_;
  }
  const FerryBatch& get() const { return b_; }
  const FerryBatch* operator->() const { return &b_; }
  void reset() {
    if (b_.release != nullptr) b_.release(&b_);
    b_ = FerryBatch{};
  }

 private:
  FerryBatch b_{};
};

inline std::vector<Row> rows_of(const FerryBatch& b) {
  std::vector<Row> rows;
  rows.reserve(b.n_rows);
  for (size_t r = 0; r < b.n_rows; ++r) {
    Row row;
    row.key = std::string(ferry::view(b.records[r].key));
    row.position = std::string(ferry::view(b.records[r].position));
    row.op = b.records[r].op;
    for (size_t f = 0; f < b.schema.n_fields; ++f)
      row.values.push_back(Value::from(b.values[r * b.schema.n_fields + f]));
    rows.push_back(std::move(row));
  }
  return rows;
}

inline std::vector<Column> columns_of(const FerryBatch& b) {
  std::vector<Column> cols;
  for (size_t f = 0; f < b.schema.n_fields; ++f)
    cols.push_back(Column{std::string(ferry::view(b.schema.fields[f].name)),
                          b.schema.fields[f].type, b.schema.fields[f].flags});
  return cols;
}

// Builds a batch for a sink from simple rows (missing trailing values are
// null). The batch owns its memory, as one from a real source would.
inline OwnedBatch make_batch(const std::vector<Column>& columns, const std::vector<Row>& rows,
                             std::string_view partition = "p0",
                             std::string_view end_position = {}) {
  ferry::BatchBuilder builder;
  for (const Column& c : columns) builder.add_field(c.name, c.type, c.flags);
  builder.reserve(rows.size());
  for (const Row& row : rows) {
    const size_t r = builder.add_row(row.key, row.position, row.op);
    for (size_t f = 0; f < row.values.size() && f < columns.size(); ++f) {
      const Value& v = row.values[f];
      switch (v.type) {
        case FERRY_TYPE_NULL:
          builder.set_null(r, f);
          break;
        case FERRY_TYPE_BOOL:
          builder.set_bool(r, f, v.i != 0);
          break;
        case FERRY_TYPE_INT64:
          builder.set_int(r, f, v.i);
          break;
        case FERRY_TYPE_TIMESTAMP:
          builder.set_timestamp(r, f, v.i);
          break;
        case FERRY_TYPE_DOUBLE:
          builder.set_double(r, f, v.d);
          break;
        default:
          builder.set_bytes(r, f, v.type, v.s);
          break;
      }
    }
  }
  OwnedBatch out;
  builder.finish(out.out(), partition, end_position);
  return out;
}

// ---------------------------------------------------------------------------
// Host services

class RecordingHost {
 public:
  struct Log {
    FerryLogLevel level;
    std::string message;
  };
  struct Errant {
    FerryStatus error_class;
    std::string partition, position, key, payload, message;
  };

  std::vector<Log> logs;
  std::vector<std::string> errors;  // every set_error, in order
  std::vector<uint64_t> retry_hints;
  std::vector<Errant> errant;
  std::map<std::string, int64_t, std::less<>> counters;
  std::atomic<int32_t> cancelled{0};
  // What report_errant_record answers (a test can make the DLQ "fail").
  FerryStatus errant_status = FERRY_OK;

  RecordingHost() {
    table_.struct_size = sizeof table_;
    table_.host_data = this;
    table_.log = [](void* h, FerryLogLevel level, const char* msg, size_t len) {
      self(h)->logs.push_back(Log{level, std::string(msg, len)});
    };
    table_.set_error = [](void* h, const char* msg, size_t len) {
      self(h)->errors.emplace_back(msg, len);
    };
    table_.set_retry_after = [](void* h, uint64_t ms) { self(h)->retry_hints.push_back(ms); };
    table_.report_errant_record = [](void* h, const FerryErrantRecord* r) {
      RecordingHost* host = self(h);
      host->errant.push_back(
          Errant{r->error_class, std::string(ferry::view(r->partition)),
                 std::string(ferry::view(r->position)), std::string(ferry::view(r->key)),
                 std::string(ferry::view(r->payload)), std::string(ferry::view(r->message))});
      return host->errant_status;
    };
    table_.is_cancelled = [](void* h) { return self(h)->cancelled.load(); };
    table_.counter_add = [](void* h, const char* name, size_t len, int64_t delta) {
      self(h)->counters[std::string(name, len)] += delta;
    };
  }
  RecordingHost(const RecordingHost&) = delete;
  RecordingHost& operator=(const RecordingHost&) = delete;

  const FerryHost* table() const { return &table_; }
  std::string last_error() const { return errors.empty() ? std::string() : errors.back(); }
  int64_t counter(std::string_view name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }

 private:
  static RecordingHost* self(void* h) { return static_cast<RecordingHost*>(h); }
  FerryHost table_{};
};

// ---------------------------------------------------------------------------
// Loading

class Plugin {
 public:
  // Throws std::runtime_error when the library, its symbols or its init fail.
  explicit Plugin(const std::string& path, uint32_t abi_version = FERRY_ABI_VERSION_CURRENT) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw std::runtime_error("dlopen " + path + ": " + dlerror());
    desc_ =
        static_cast<const FerryPluginDescriptor*>(dlsym(handle_, FERRY_PLUGIN_DESCRIPTOR_SYMBOL));
    auto init = reinterpret_cast<FerryPluginInitFn>(dlsym(handle_, FERRY_PLUGIN_INIT_SYMBOL));
    if (desc_ == nullptr || init == nullptr) fail(path + " lacks the Ferry entry points");
    if (FERRY_ABI_MAJOR(desc_->abi_version) != FERRY_ABI_MAJOR(abi_version))
      fail(path + " speaks ABI major " + std::to_string(FERRY_ABI_MAJOR(desc_->abi_version)));
    const FerryStatus st = init(abi_version, &api_);
    if (st != FERRY_OK) fail(path + ": ferry_plugin_init returned " + std::to_string(st));
  }
  ~Plugin() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const FerryPluginDescriptor& descriptor() const { return *desc_; }
  const FerryPluginApi& api() const { return api_; }
  // The kind spec for `kind`, or nullptr.
  const FerryKindSpec* kind(FerryKind kind) const {
    for (size_t i = 0; i < desc_->n_kinds; ++i)
      if (desc_->kinds[i].kind == kind) return &desc_->kinds[i];
    return nullptr;
  }
  const FerrySourceApi& source() const {
    if (api_.source == nullptr) throw std::runtime_error("plugin has no source");
    return *api_.source;
  }
  const FerrySinkApi& sink() const {
    if (api_.sink == nullptr) throw std::runtime_error("plugin has no sink");
    return *api_.sink;
  }

 private:
  [[noreturn]] void fail(const std::string& message) {
    dlclose(handle_);
    handle_ = nullptr;
    throw std::runtime_error(message);
  }

  void* handle_ = nullptr;
  const FerryPluginDescriptor* desc_ = nullptr;
  FerryPluginApi api_{};
};

// Everything an instance is opened with; the defaults suit most tests.
struct OpenParams {
  std::string config_json = "{}";
  std::string base_dir;
  std::string pipeline = "test-pipeline";
  std::string name = "under-test";
  std::string run_id = "run-1";
  uint64_t max_batch_records = 1000;
  uint64_t max_batch_bytes = 0;
  // Refuse, as the host does before opening, a configuration that does not
  // fit the declared options (open_status() FERRY_ERROR_CONFIG, the reason
  // in host().last_error()). False hands it to the plugin as it is, to test
  // the plugin's own answer.
  bool check_options = true;
};

namespace detail {

// Opens an instance of one kind table and closes it on destruction. The
// FerryOpenArgs point into `params_` only for the duration of open, as the
// ABI allows; the host table lives as long as the instance.
template <typename Api>
class Instance {
 public:
  // `spec`: the kind's declared options, checked and handed over typed (ABI
  // 1.4) as the host would; null for none. `plugin_name` starts the message
  // of a configuration the check refuses, as it names the plugin in a run.
  Instance(const Api& api, const FerryKindSpec* spec, OpenParams params, std::string_view plugin_name = {})
      : api_(api), params_(std::move(params)) {
    if (params_.check_options) {
      std::string problem = config_problem(spec, params_.config_json);
      if (!problem.empty()) {
        host_.errors.push_back(plugin_name.empty() ? problem : std::string(plugin_name) + ": " + problem);
        open_status_ = FERRY_ERROR_CONFIG;
        return;
      }
    }
    const OptionValueList options(spec, params_.config_json);
    FerryOpenArgs args{};
    args.struct_size = sizeof args;
    args.host = host_.table();
    args.config_json = ferry::bytes(params_.config_json);
    args.pipeline = ferry::bytes(params_.pipeline);
    args.name = ferry::bytes(params_.name);
    args.run_id = ferry::bytes(params_.run_id);
    args.base_dir = ferry::bytes(params_.base_dir);
    args.max_batch_records = params_.max_batch_records;
    args.max_batch_bytes = params_.max_batch_bytes;
    args.options = options.data();
    args.n_options = options.size();
    open_status_ = api_.open(&args, &self_);
    if (open_status_ != FERRY_OK) self_ = nullptr;
  }
  ~Instance() {
    if (self_ != nullptr) api_.close(self_);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  FerryStatus open_status() const { return open_status_; }
  bool ok() const { return self_ != nullptr; }
  RecordingHost& host() { return host_; }
  const OpenParams& params() const { return params_; }

 protected:
  FerryInstance require() const {
    if (self_ == nullptr) throw std::logic_error("instance failed to open");
    return self_;
  }

  const Api& api_;
  OpenParams params_;
  RecordingHost host_;
  FerryInstance self_ = nullptr;
  FerryStatus open_status_ = FERRY_ERROR_INTERNAL;
};

}  // namespace detail

// ---------------------------------------------------------------------------
// Sinks

class SinkHandle : public detail::Instance<FerrySinkApi> {
 public:
  SinkHandle(const Plugin& plugin, OpenParams params)
      : Instance(plugin.sink(), plugin.kind(FERRY_KIND_SINK), std::move(params), plugin.descriptor().name) {}

  // Outcomes are copied out (messages included) before the next call can
  // invalidate them; `rejected` gets (row, status, message) of non-OK rows.
  struct Rejected {
    size_t row;
    FerryStatus status;
    std::string message;
  };
  FerryStatus write(const FerryBatch& batch, std::vector<Rejected>* rejected = nullptr) {
    std::vector<FerryRecordOutcome> outcomes(batch.n_rows, FerryRecordOutcome{FERRY_OK, 0, {}});
    const FerryStatus st = api_.write(require(), &batch, outcomes.data());
    if (rejected != nullptr) {
      rejected->clear();
      for (size_t r = 0; r < outcomes.size(); ++r)
        if (outcomes[r].status != FERRY_OK)
          rejected->push_back(
              Rejected{r, outcomes[r].status, std::string(ferry::view(outcomes[r].message))});
    }
    return st;
  }
  FerryStatus write(const OwnedBatch& batch, std::vector<Rejected>* rejected = nullptr) {
    return write(batch.get(), rejected);
  }

  // Commits with a checkpoint for `partition` carrying this instance's
  // pipeline and run id, as the host does after a batch.
  FerryStatus commit(std::string_view partition, std::string_view position) {
    FerryCheckpoint cp{};
    cp.struct_size = sizeof cp;
    cp.pipeline = ferry::bytes(params_.pipeline);
    cp.partition = ferry::bytes(partition);
    cp.position = ferry::bytes(position);
    cp.run_id = ferry::bytes(params_.run_id);
    return api_.commit(require(), &cp);
  }
  FerryStatus commit_without_checkpoint() { return api_.commit(require(), nullptr); }
  FerryStatus abort() { return api_.abort(require()); }

  // The position the sink holds for `partition`, or nullopt; throws on error.
  std::optional<std::string> checkpoint(std::string_view partition) {
    FerryBytes position{};
    int32_t found = 0;
    const FerryStatus st = api_.checkpoint(require(), ferry::bytes(partition), &position, &found);
    if (st != FERRY_OK)
      throw std::runtime_error("checkpoint() returned " + std::to_string(st) + ": " +
                               host_.last_error());
    if (found == 0) return std::nullopt;
    return std::string(ferry::view(position));
  }
};

// ---------------------------------------------------------------------------
// Sources

struct Drained {
  FerryStatus status = FERRY_OK;  // END_OF_STREAM when the partition was read to its end
  std::vector<Column> columns;    // schema of the first batch
  std::vector<Row> rows;
  std::vector<size_t> batch_sizes;
  std::string end_position;  // of the last batch
};

class SourceHandle : public detail::Instance<FerrySourceApi> {
 public:
  SourceHandle(const Plugin& plugin, OpenParams params)
      : Instance(plugin.source(), plugin.kind(FERRY_KIND_SOURCE), std::move(params), plugin.descriptor().name) {}

  std::vector<std::string> partitions() {
    const FerryBytes* names = nullptr;
    size_t count = 0;
    const FerryStatus st = api_.partitions(require(), &names, &count);
    if (st != FERRY_OK)
      throw std::runtime_error("partitions() returned " + std::to_string(st) + ": " +
                               host_.last_error());
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) out.emplace_back(ferry::view(names[i]));
    return out;
  }
  FerryStatus start(std::string_view partition, const std::optional<std::string>& position = {}) {
    const FerryBytes pos = position ? ferry::bytes(*position) : FerryBytes{};
    return api_.start(require(), ferry::bytes(partition), position ? &pos : nullptr);
  }
  FerryStatus next(OwnedBatch* out) { return api_.next(require(), out->out()); }

  // Returns {records, bytes}; throws if the plugin has no estimate or fails.
  std::pair<uint64_t, uint64_t> estimate(std::string_view partition) {
    if (api_.struct_size <= offsetof(FerrySourceApi, estimate) || api_.estimate == nullptr)
      throw std::runtime_error("source has no estimate()");
    uint64_t records = 0, nbytes = 0;
    const FerryStatus st = api_.estimate(require(), ferry::bytes(partition), &records, &nbytes);
    if (st != FERRY_OK) throw std::runtime_error("estimate() returned " + std::to_string(st));
    return {records, nbytes};
  }

  // Starts `partition` and reads it to the end (or `max_batches` batches),
  // releasing each batch after copying it out.
  Drained drain(std::string_view partition, const std::optional<std::string>& position = {},
                size_t max_batches = SIZE_MAX) {
    Drained d;
    d.status = start(partition, position);
    if (d.status != FERRY_OK) return d;
    for (size_t n = 0; n < max_batches; ++n) {
      OwnedBatch batch;
      d.status = next(&batch);
      if (d.status != FERRY_OK) return d;
      if (d.columns.empty()) d.columns = columns_of(batch.get());
      std::vector<Row> rows = rows_of(batch.get());
      d.batch_sizes.push_back(rows.size());
      d.end_position = std::string(ferry::view(batch->end_position));
      for (Row& r : rows) d.rows.push_back(std::move(r));
    }
    return d;
  }
};

// ---------------------------------------------------------------------------
// Files

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ferry-test-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------
// Hooks

inline const FerryCheckpointHookApi& checkpoint_hook_api(const Plugin& plugin) {
  if (plugin.api().checkpoint_hook == nullptr)
    throw std::runtime_error("plugin has no checkpoint hook");
  return *plugin.api().checkpoint_hook;
}

inline const FerryBacklogHookApi& backlog_hook_api(const Plugin& plugin) {
  if (plugin.api().backlog_hook == nullptr) throw std::runtime_error("plugin has no backlog hook");
  return *plugin.api().backlog_hook;
}

class CheckpointHookHandle : public detail::Instance<FerryCheckpointHookApi> {
 public:
  CheckpointHookHandle(const Plugin& plugin, OpenParams params)
      : Instance(checkpoint_hook_api(plugin), plugin.kind(FERRY_KIND_CHECKPOINT_HOOK), std::move(params), plugin.descriptor().name) {}

  // Fires on_commit as the host does after `sink` acknowledged `batch`: this
  // instance's pipeline and run id, the batch's partition, and `position`
  // (the batch's end_position when not given) as the stored checkpoint.
  FerryStatus on_commit(const FerryBatch& batch, std::string_view sink,
                        std::optional<std::string_view> position = std::nullopt) {
    FerryCheckpointEvent ev{};
    ev.struct_size = sizeof ev;
    ev.pipeline = ferry::bytes(params_.pipeline);
    ev.run_id = ferry::bytes(params_.run_id);
    ev.sink = ferry::bytes(sink);
    ev.partition = batch.partition;
    ev.position = position ? ferry::bytes(*position) : batch.end_position;
    ev.batch = &batch;
    return api_.on_commit(require(), &ev);
  }
  FerryStatus on_commit(const OwnedBatch& batch, std::string_view sink,
                        std::optional<std::string_view> position = std::nullopt) {
    return on_commit(batch.get(), sink, position);
  }
};

// One failed row of a backlog event: its class and why.
struct RowFailure {
  FerryStatus status = FERRY_INVALID_DATA;
  std::string message;
};

class BacklogHookHandle : public detail::Instance<FerryBacklogHookApi> {
 public:
  BacklogHookHandle(const Plugin& plugin, OpenParams params)
      : Instance(backlog_hook_api(plugin), plugin.kind(FERRY_KIND_BACKLOG_HOOK), std::move(params), plugin.descriptor().name) {}

  // Fires on_failure as the host does after a failed write of `batch` (the
  // failed rows) by `sink`. Rows without an entry in `failures` get
  // `error_class` and `message`; the event's class, message and attempts are
  // the given ones.
  FerryStatus on_failure(const FerryBatch& batch, std::string_view sink,
                         const std::vector<RowFailure>& failures,
                         FerryStatus error_class = FERRY_INVALID_DATA,
                         std::string_view message = "rejected", uint32_t attempts = 1) {
    std::vector<FerryRecordOutcome> outcomes(batch.n_rows);
    for (size_t r = 0; r < batch.n_rows; ++r) {
      const bool own = r < failures.size();
      outcomes[r].status = own ? failures[r].status : error_class;
      outcomes[r].message = own ? ferry::bytes(failures[r].message) : ferry::bytes(message);
    }
    FerryBacklogEvent ev{};
    ev.struct_size = sizeof ev;
    ev.pipeline = ferry::bytes(params_.pipeline);
    ev.run_id = ferry::bytes(params_.run_id);
    ev.sink = ferry::bytes(sink);
    ev.partition = batch.partition;
    ev.batch = &batch;
    ev.outcomes = outcomes.data();
    ev.error_class = error_class;
    ev.message = ferry::bytes(message);
    ev.attempts = attempts;
    return api_.on_failure(require(), &ev);
  }
  FerryStatus on_failure(const OwnedBatch& batch, std::string_view sink,
                         const std::vector<RowFailure>& failures,
                         FerryStatus error_class = FERRY_INVALID_DATA,
                         std::string_view message = "rejected", uint32_t attempts = 1) {
    return on_failure(batch.get(), sink, failures, error_class, message, attempts);
  }
};

// ---------------------------------------------------------------------------
// Transforms

// The transform table of `plugin`; throws if it provides none.
inline const FerryTransformApi& transform_api(const Plugin& plugin) {
  if (plugin.api().transform == nullptr) throw std::runtime_error("plugin has no transform");
  return *plugin.api().transform;
}

// What one apply() produced, copied out so the batches can be released.
struct Applied {
  FerryStatus status = FERRY_OK;
  std::vector<Column> columns;
  std::vector<Row> rows;
  std::string partition;
  std::string end_position;
  std::vector<SinkHandle::Rejected> rejected;  // (input row, status, message)
};

class TransformHandle : public detail::Instance<FerryTransformApi> {
 public:
  TransformHandle(const Plugin& plugin, OpenParams params)
      : Instance(transform_api(plugin), plugin.kind(FERRY_KIND_TRANSFORM), std::move(params), plugin.descriptor().name) {}

  // Calls apply as the host does: one OK outcome per input row; `out` may
  // point into `in`, so the caller keeps `in` alive until `out` is released.
  FerryStatus apply(const FerryBatch& in, OwnedBatch* out,
                    std::vector<SinkHandle::Rejected>* rejected = nullptr) {
    std::vector<FerryRecordOutcome> outcomes(in.n_rows, FerryRecordOutcome{FERRY_OK, 0, {}});
    const FerryStatus st = api_.apply(require(), &in, out->out(), outcomes.data());
    if (rejected != nullptr) {
      rejected->clear();
      for (size_t r = 0; r < outcomes.size(); ++r)
        if (outcomes[r].status != FERRY_OK)
          rejected->push_back(SinkHandle::Rejected{r, outcomes[r].status,
                                                   std::string(ferry::view(outcomes[r].message))});
    }
    return st;
  }

  // Applies to `in` and copies out everything, releasing the output.
  Applied run(const OwnedBatch& in) {
    Applied a;
    OwnedBatch out;
    a.status = apply(in.get(), &out, &a.rejected);
    if (a.status != FERRY_OK) return a;
    a.columns = columns_of(out.get());
    a.rows = rows_of(out.get());
    a.partition = std::string(ferry::view(out->partition));
    a.end_position = std::string(ferry::view(out->end_position));
    return a;
  }
};

}  // namespace ferry::testing

#endif  // FERRY_TESTING_PLUGIN_HARNESS_HPP_
