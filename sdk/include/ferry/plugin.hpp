// Ferry plugin SDK, C++ layer (header-only, C++17).
//
// Write a class per plugin kind, deriving from ferry::Source, ferry::Transform,
// ferry::Sink, ferry::CheckpointHook or ferry::BacklogHook, with a constructor
// taking `const ferry::Context&`. Then, in one .cpp file:
//
//   static const FerryOptionSpec kOptions[] = {...};
//   static const FerryKindSpec kKinds[] = {
//       {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL, "what it does", kOptions,
//        FERRY_COUNT_OF(kOptions)}};
//   FERRY_PLUGIN_DESCRIPTOR("my-sink", "1.0.0", "what it is", kKinds)
//   FERRY_PLUGIN(MySink)
//
// The layer writes the C trampolines, turns exceptions into status codes
// (throw ferry::Error(FERRY_RETRY, "...") to classify), and owns batch memory.
//
// A kind class may also declare
//
//   static void check_config(const ferry::Context& ctx);
//
// which parses ctx.config_json() as the constructor would, without
// connecting anywhere, and throws ferry::Error(FERRY_ERROR_CONFIG, "...")
// for what the option specs cannot catch (ABI 1.3; `ferry validate` and the
// start of every run call it).
#ifndef FERRY_PLUGIN_HPP_
#define FERRY_PLUGIN_HPP_

#include <ferry/plugin.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#define FERRY_COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

namespace ferry {

inline std::string_view view(FerryBytes b) {
  return b.size == 0 ? std::string_view() : std::string_view(b.data, b.size);
}
inline FerryBytes bytes(std::string_view s) { return FerryBytes{s.data(), s.size()}; }

// A status class as the DLQ, logs and metrics name it ("retry",
// "invalid_data", "config_error", ...); null for a code this SDK does not
// define (say how you show it: the host takes it as internal_error).
inline const char* status_name(FerryStatus s) {
  switch (s) {
    case FERRY_OK: return "ok";
    case FERRY_END_OF_STREAM: return "end_of_stream";
    case FERRY_RETRY: return "retry";
    case FERRY_INVALID_DATA: return "invalid_data";
    case FERRY_NOT_IMPLEMENTED: return "not_implemented";
    case FERRY_STOP: return "stop";
    case FERRY_ERROR_CONFIG: return "config_error";
    case FERRY_ERROR_IO: return "io_error";
    case FERRY_ERROR_AUTH: return "auth_error";
    case FERRY_ERROR_INTERNAL: return "internal_error";
    case FERRY_ERROR_CANCELLED: return "cancelled";
    default: return nullptr;
  }
}

// A value type's name as pipeline files and DLQ records spell it ("int64",
// "timestamp", ...); "unknown" for a code this SDK does not know.
inline const char* type_name(FerryType t) {
  switch (t) {
    case FERRY_TYPE_NULL: return "null";
    case FERRY_TYPE_BOOL: return "bool";
    case FERRY_TYPE_INT64: return "int64";
    case FERRY_TYPE_DOUBLE: return "double";
    case FERRY_TYPE_STRING: return "string";
    case FERRY_TYPE_BYTES: return "bytes";
    case FERRY_TYPE_TIMESTAMP: return "timestamp";
    case FERRY_TYPE_JSON: return "json";
    case FERRY_TYPE_DECIMAL: return "decimal";
    default: return "unknown";
  }
}

// Throw to end a call with a status other than FERRY_OK.
class Error : public std::runtime_error {
 public:
  Error(FerryStatus status, const std::string& message, uint64_t retry_after_ms = 0)
      : std::runtime_error(message), status_(status), retry_after_ms_(retry_after_ms) {}
  FerryStatus status() const { return status_; }
  uint64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  FerryStatus status_;
  uint64_t retry_after_ms_;
};

// The host services of one instance.
class Host {
 public:
  explicit Host(const FerryHost* host) : host_(host) {}
  void log(FerryLogLevel level, std::string_view msg) const {
    host_->log(host_->host_data, level, msg.data(), msg.size());
  }
  void info(std::string_view msg) const { log(FERRY_LOG_INFO, msg); }
  void warn(std::string_view msg) const { log(FERRY_LOG_WARN, msg); }
  bool cancelled() const { return host_->is_cancelled(host_->host_data) != 0; }
  void count(std::string_view name, int64_t delta) const {
    host_->counter_add(host_->host_data, name.data(), name.size(), delta);
  }
  // Sends a record to the dead-letter queue; throws if the host could not.
  void reject(std::string_view partition, std::string_view position, std::string_view key,
              std::string_view payload, std::string_view message,
              FerryStatus error_class = FERRY_INVALID_DATA) const {
    FerryErrantRecord r{};
    r.struct_size = sizeof r;
    r.error_class = error_class;
    r.partition = bytes(partition);
    r.position = bytes(position);
    r.key = bytes(key);
    r.payload = bytes(payload);
    r.message = bytes(message);
    FerryStatus st = host_->report_errant_record(host_->host_data, &r);
    if (st != FERRY_OK) throw Error(st, "the host could not store a rejected record");
  }
  const FerryHost* raw() const { return host_; }

 private:
  const FerryHost* host_;
};

// What an instance is opened with. Valid only during the constructor of the
// instance: copy what you need (config, names, base_dir); keep a copy of
// host() (a Host is a pointer that stays valid until close).
class Context {
 public:
  explicit Context(const FerryOpenArgs* args) : args_(args), host_(args->host) {}
  std::string_view config_json() const { return view(args_->config_json); }
  std::string_view pipeline() const { return view(args_->pipeline); }
  std::string_view name() const { return view(args_->name); }
  std::string_view run_id() const { return view(args_->run_id); }
  std::string_view base_dir() const { return view(args_->base_dir); }
  uint64_t max_batch_records() const { return args_->max_batch_records; }
  uint64_t max_batch_bytes() const { return args_->max_batch_bytes; }
  std::string_view data_date() const { return view(args_->data_date); }
  std::string_view window_start() const { return view(args_->window_start); }
  std::string_view window_end() const { return view(args_->window_end); }
  // `path` made absolute against the pipeline file's directory.
  std::string resolve_path(std::string_view path) const {
    if (path.empty() || path.front() == '/' || base_dir().empty()) return std::string(path);
    std::string out(base_dir());
    if (out.back() != '/') out += '/';
    out += path;
    return out;
  }
  const Host& host() const { return host_; }
  const FerryOpenArgs* raw() const { return args_; }

  // Typed options (ABI 1.4): the declared option `name` as the host checked
  // it, defaults filled in; null for a name the kind does not declare, or
  // from a host older than 1.4 (read config_json then).
  const FerryOptionValue* option(std::string_view name) const {
    if (args_->struct_size < offsetof(FerryOpenArgs, n_options) + sizeof(size_t)) return nullptr;
    for (size_t i = 0; i < args_->n_options; ++i)
      if (view(args_->options[i].name) == name) return &args_->options[i];
    return nullptr;
  }
  // For a plugin that reads its options only typed: a host older than 1.4
  // hands over none, and every read would silently give its fallback, so
  // refuse to open (FERRY_ERROR_CONFIG) instead.
  void require_typed_options() const {
    if (args_->struct_size >= offsetof(FerryOpenArgs, n_options) + sizeof(size_t)) return;
    throw Error(FERRY_ERROR_CONFIG, "this plugin reads its options typed (ABI 1.4); this host is older");
  }
  // The value, or `fallback` when the option is absent. A value of another
  // JSON type than asked for (which the host refuses before opening, but a
  // test may hand over) throws Error(FERRY_ERROR_CONFIG).
  std::string option_string(std::string_view name, std::string fallback = {}) const {
    const FerryOptionValue* v = present(name, '"', "a string");
    return v ? std::string(view(v->as.text)) : fallback;
  }
  int64_t option_int(std::string_view name, int64_t fallback) const {
    const FerryOptionValue* v = present(name, '0', "an integer");
    if (v == nullptr) return fallback;
    const std::string text(view(v->json));
    if (text.find_first_of(".eE") != std::string::npos)
      throw Error(FERRY_ERROR_CONFIG, "option '" + std::string(name) + "' must be an integer");
    // The host accepts integers beyond int64 (their JSON text is exact);
    // as.i64 cannot hold one.
    errno = 0;
    const long long parsed = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE || parsed != v->as.i64)
      throw Error(FERRY_ERROR_CONFIG, "option '" + std::string(name) + "' is out of the int64 range: " + text);
    return v->as.i64;
  }
  double option_number(std::string_view name, double fallback) const {
    const FerryOptionValue* v = present(name, '0', "a number");
    return v ? v->as.f64 : fallback;
  }
  bool option_bool(std::string_view name, bool fallback) const {
    const FerryOptionValue* v = present(name, 't', "true or false");
    return v ? v->as.boolean != 0 : fallback;
  }
  // An array, object or any-typed option as its JSON text.
  std::string option_json(std::string_view name, std::string fallback = {}) const {
    const FerryOptionValue* v = option(name);
    return v && v->present ? std::string(view(v->json)) : fallback;
  }

 private:
  // The option when present, its JSON text starting as `kind` says: '"' a
  // string, '0' a number (a digit or '-'), 't' a boolean.
  const FerryOptionValue* present(std::string_view name, char kind, const char* wanted) const {
    const FerryOptionValue* v = option(name);
    if (v == nullptr || !v->present) return nullptr;
    const std::string_view json = view(v->json);
    const char c = json.empty() ? '\0' : json.front();
    const bool ok = kind == '"' ? c == '"' : kind == 't' ? (c == 't' || c == 'f') : (c == '-' || (c >= '0' && c <= '9'));
    if (!ok) throw Error(FERRY_ERROR_CONFIG, "option '" + std::string(name) + "' must be " + wanted);
    return v;
  }

  const FerryOpenArgs* args_;
  Host host_;
};

// Read-only view of a batch handed to a plugin.
class BatchView {
 public:
  explicit BatchView(const FerryBatch* b) : b_(b) {}
  size_t rows() const { return b_->n_rows; }
  size_t fields() const { return b_->schema.n_fields; }
  const FerryField& field(size_t f) const { return b_->schema.fields[f]; }
  std::string_view field_name(size_t f) const { return view(field(f).name); }
  const FerryValue& value(size_t row, size_t f) const {
    return b_->values[row * b_->schema.n_fields + f];
  }
  const FerryRecordMeta& meta(size_t row) const { return b_->records[row]; }
  std::string_view key(size_t row) const { return view(b_->records[row].key); }
  std::string_view position(size_t row) const { return view(b_->records[row].position); }
  std::string_view partition() const { return view(b_->partition); }
  std::string_view end_position() const { return view(b_->end_position); }
  const FerryBatch* raw() const { return b_; }

 private:
  const FerryBatch* b_;
};

// Per-row outcomes of a sink write or transform.
class Outcomes {
 public:
  Outcomes(FerryRecordOutcome* o, size_t n) : o_(o), n_(n) {}
  // Rejects `row`; the message is copied and kept until the next call. A
  // row outside the batch is a bug in the plugin, and ends the call.
  void reject(size_t row, std::string message, FerryStatus status = FERRY_INVALID_DATA) {
    if (row >= n_)
      throw Error(FERRY_ERROR_INTERNAL, "rejected row " + std::to_string(row) + " of a batch of " + std::to_string(n_) +
                                            " rows");
    messages_.push_back(std::make_unique<std::string>(std::move(message)));
    o_[row].status = status;
    o_[row].message = bytes(*messages_.back());
  }
  bool ok(size_t row) const { return o_[row].status == FERRY_OK; }
  size_t size() const { return n_; }

 private:
  FerryRecordOutcome* o_;
  size_t n_;
  std::vector<std::unique_ptr<std::string>> messages_;
};

// Builds a batch whose memory it owns; hand it over with finish().
class BatchBuilder {
 public:
  BatchBuilder() = default;
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // Schema: add all fields before the first row.
  size_t add_field(std::string_view name, FerryType type, uint32_t flags = FERRY_FIELD_NULLABLE) {
    d_->fields.push_back(FerryField{copy_bytes(name), type, flags});
    return d_->fields.size() - 1;
  }
  size_t field_count() const { return d_->fields.size(); }
  FerryField& field(size_t f) { return d_->fields[f]; }
  void reserve(size_t rows) {
    d_->values.reserve(rows * d_->fields.size());
    d_->records.reserve(rows);
  }

  // Starts a row: its values are null until set.
  size_t add_row(std::string_view key = {}, std::string_view position = {},
                 FerryOp op = FERRY_OP_INSERT) {
    d_->values.resize(d_->values.size() + d_->fields.size(), FerryValue{});
    d_->records.push_back(FerryRecordMeta{copy_bytes(key), copy_bytes(position), op, 0});
    return d_->records.size() - 1;
  }
  size_t rows() const { return d_->records.size(); }
  void set_key(size_t row, std::string_view key) { d_->records[row].key = copy_bytes(key); }
  void set_null(size_t row, size_t f) { slot(row, f) = FerryValue{}; }
  void set_bool(size_t row, size_t f, bool v) {
    FerryValue& x = slot(row, f);
    x.type = FERRY_TYPE_BOOL;
    x.as.boolean = v ? 1 : 0;
  }
  void set_int(size_t row, size_t f, int64_t v) { set_i64(row, f, FERRY_TYPE_INT64, v); }
  void set_timestamp(size_t row, size_t f, int64_t micros) {
    set_i64(row, f, FERRY_TYPE_TIMESTAMP, micros);
  }
  void set_double(size_t row, size_t f, double v) {
    FerryValue& x = slot(row, f);
    x.type = FERRY_TYPE_DOUBLE;
    x.as.f64 = v;
  }
  // STRING, BYTES, JSON or DECIMAL; the bytes are copied.
  void set_bytes(size_t row, size_t f, FerryType type, std::string_view v) {
    FerryValue& x = slot(row, f);
    x.type = type;
    x.as.bytes = copy_bytes(v);
  }
  void set_string(size_t row, size_t f, std::string_view v) { set_bytes(row, f, FERRY_TYPE_STRING, v); }
  // Copies a value from another batch (bytes are copied).
  void set_value(size_t row, size_t f, const FerryValue& v) {
    FerryValue& x = slot(row, f);
    x = v;
    if (v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_BYTES || v.type == FERRY_TYPE_JSON ||
        v.type == FERRY_TYPE_DECIMAL)
      x.as.bytes = copy_bytes(view(v.as.bytes));
  }
  // Reserves `n` bytes that stay valid as long as the batch: for values a
  // plugin formats in place.
  char* allocate(size_t n) { return d_->arena.allocate(n); }
  FerryValue& slot(size_t row, size_t f) { return d_->values[row * d_->fields.size() + f]; }
  size_t approx_bytes() const {
    return d_->values.size() * sizeof(FerryValue) + d_->records.size() * sizeof(FerryRecordMeta) +
           d_->arena.used();
  }

  // Hands the batch over; the builder starts empty with the same schema.
  void finish(FerryBatch* out, std::string_view partition, std::string_view end_position) {
    std::unique_ptr<Data> next = std::make_unique<Data>();
    for (const FerryField& f : d_->fields)
      next->fields.push_back(FerryField{next->arena.copy(view(f.name)), f.type, f.flags});
    // The next batch is most likely as long as this one: growing to it
    // row by row would copy every value log2(rows) times.
    next->values.reserve(d_->values.size());
    next->records.reserve(d_->records.size());
    Data* d = d_.release();
    d_ = std::move(next);
    std::memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->schema.n_fields = d->fields.size();
    out->schema.fields = d->fields.data();
    out->n_rows = d->records.size();
    out->values = d->values.data();
    out->records = d->records.data();
    out->partition = d->arena.copy(partition);
    out->end_position = d->arena.copy(end_position);
    out->private_data = d;
    out->release = &release;
  }

 private:
  class Arena {
   public:
    char* allocate(size_t n) {
      if (n > kBlock / 4) {
        large_.push_back(std::make_unique<char[]>(n));
        used_ += n;
        return large_.back().get();
      }
      if (left_ < n) {
        chunks_.push_back(std::make_unique<char[]>(kBlock));
        cur_ = chunks_.back().get();
        left_ = kBlock;
      }
      char* p = cur_;
      cur_ += n;
      left_ -= n;
      used_ += n;
      return p;
    }
    FerryBytes copy(std::string_view s) {
      if (s.empty()) return FerryBytes{nullptr, 0};
      char* p = allocate(s.size());
      std::memcpy(p, s.data(), s.size());
      return FerryBytes{p, s.size()};
    }
    size_t used() const { return used_; }

   private:
    static constexpr size_t kBlock = 64 * 1024;
    std::vector<std::unique_ptr<char[]>> chunks_;
    std::vector<std::unique_ptr<char[]>> large_;
    char* cur_ = nullptr;
    size_t left_ = 0;
    size_t used_ = 0;
  };
  struct Data {
    std::vector<FerryField> fields;
    std::vector<FerryValue> values;
    std::vector<FerryRecordMeta> records;
    Arena arena;
  };
  FerryBytes copy_bytes(std::string_view s) { return d_->arena.copy(s); }
  void set_i64(size_t row, size_t f, FerryType t, int64_t v) {
    FerryValue& x = slot(row, f);
    x.type = t;
    x.as.i64 = v;
  }
  static void release(FerryBatch* b) {
    std::unique_ptr<Data> owned(static_cast<Data*>(b->private_data));
    b->release = nullptr;
    b->private_data = nullptr;
  }

  std::unique_ptr<Data> d_ = std::make_unique<Data>();
};

// ---------------------------------------------------------------------------
// Kinds. Each class is constructed with `const Context&`; throw ferry::Error
// from any member to return a status.

class Source {
 public:
  virtual ~Source() = default;
  virtual std::vector<std::string> partitions() = 0;
  // `position` is null to read from the beginning.
  virtual void start(std::string_view partition, const std::string_view* position) = 0;
  // Fills `out` and returns true, or returns false at the end of the partition.
  virtual bool next(FerryBatch* out) = 0;
  struct Estimate {
    uint64_t records = UINT64_MAX;
    uint64_t bytes = UINT64_MAX;
  };
  virtual Estimate estimate(std::string_view /*partition*/) { return Estimate{}; }
};

class Transform {
 public:
  virtual ~Transform() = default;
  virtual void apply(const BatchView& in, FerryBatch* out, Outcomes& outcomes) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const BatchView& batch, Outcomes& outcomes) = 0;
  virtual void commit(const FerryCheckpoint* checkpoint) = 0;
  virtual void abort() {}
  // The checkpoint a transactional sink holds for `partition`.
  virtual std::optional<std::string> checkpoint(std::string_view /*partition*/) {
    return std::nullopt;
  }
};

// Hooks return FERRY_OK to continue or FERRY_STOP to stop the pipeline.
class CheckpointHook {
 public:
  virtual ~CheckpointHook() = default;
  virtual FerryStatus on_commit(const FerryCheckpointEvent& event) = 0;
};

class BacklogHook {
 public:
  virtual ~BacklogHook() = default;
  virtual FerryStatus on_failure(const FerryBacklogEvent& event) = 0;
};

// Plans workers for a run's partitions (ABI 1.2). Return workers = 0 to let
// the host decide; groups (one per partition, or empty) keep partitions
// together on one worker.
class Orchestrator {
 public:
  virtual ~Orchestrator() = default;
  struct Plan {
    uint32_t workers = 0;
    std::vector<uint32_t> groups;
  };
  virtual Plan plan(const FerryMachineFacts& machine, const FerryPartitionInfo* partitions, size_t count) = 0;
};

namespace detail {

// Runs `f` and turns every exception into a status plus set_error.
template <typename F>
FerryStatus guard(const FerryHost* host, F&& f) noexcept {
  try {
    return f();
  } catch (const Error& e) {
    if (host) {
      host->set_error(host->host_data, e.what(), std::strlen(e.what()));
      if (e.retry_after_ms() > 0) host->set_retry_after(host->host_data, e.retry_after_ms());
    }
    return e.status() == FERRY_OK ? FERRY_ERROR_INTERNAL : e.status();
  } catch (const std::bad_alloc&) {
    if (host) host->set_error(host->host_data, "out of memory", 13);
    return FERRY_ERROR_INTERNAL;
  } catch (const std::exception& e) {
    if (host) host->set_error(host->host_data, e.what(), std::strlen(e.what()));
    return FERRY_ERROR_INTERNAL;
  } catch (...) {
    if (host) host->set_error(host->host_data, "unknown exception", 17);
    return FERRY_ERROR_INTERNAL;
  }
}

template <typename T>
struct Instance {
  std::unique_ptr<T> object;
  const FerryHost* host;
  std::string held;                   // memory returned by checkpoint()
  std::unique_ptr<Outcomes> outcomes;  // rejection messages, kept until the next call
  std::vector<FerryBytes> partition_views;
  std::vector<std::string> partition_names;
};

template <typename T>
FerryStatus open(const FerryOpenArgs* args, FerryInstance* out) {
  return guard(args->host, [&] {
    auto inst = std::make_unique<Instance<T>>();
    inst->host = args->host;
    Context ctx(args);
    inst->object = std::make_unique<T>(ctx);
    *out = inst.release();
    return FERRY_OK;
  });
}
template <typename T>
Instance<T>* self(FerryInstance p) {
  return static_cast<Instance<T>*>(p);
}
template <typename T>
void close(FerryInstance p) {
  std::unique_ptr<Instance<T>> owned(self<T>(p));
  try {
    owned->object.reset();
  } catch (...) {
  }
}

template <typename T>
struct SourceTable {
  static FerryStatus partitions(FerryInstance p, const FerryBytes** names, size_t* count) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->partition_names = s->object->partitions();
      s->partition_views.clear();
      for (const std::string& n : s->partition_names) s->partition_views.push_back(bytes(n));
      *names = s->partition_views.data();
      *count = s->partition_views.size();
      return FERRY_OK;
    });
  }
  static FerryStatus start(FerryInstance p, FerryBytes partition, const FerryBytes* position) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      std::string_view pos = position ? view(*position) : std::string_view();
      s->object->start(view(partition), position ? &pos : nullptr);
      return FERRY_OK;
    });
  }
  static FerryStatus next(FerryInstance p, FerryBatch* out) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] { return s->object->next(out) ? FERRY_OK : FERRY_END_OF_STREAM; });
  }
  static FerryStatus estimate(FerryInstance p, FerryBytes partition, uint64_t* records,
                              uint64_t* nbytes) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      Source::Estimate e = s->object->estimate(view(partition));
      *records = e.records;
      *nbytes = e.bytes;
      return FERRY_OK;
    });
  }
  static constexpr FerrySourceApi table = {sizeof(FerrySourceApi), 0,      &open<T>, &partitions,
                                           &start,                 &next, &close<T>, &estimate};
};

template <typename T>
struct TransformTable {
  static FerryStatus apply(FerryInstance p, const FerryBatch* in, FerryBatch* out,
                           FerryRecordOutcome* outcomes) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->outcomes = std::make_unique<Outcomes>(outcomes, in->n_rows);
      s->object->apply(BatchView(in), out, *s->outcomes);
      return FERRY_OK;
    });
  }
  static constexpr FerryTransformApi table = {sizeof(FerryTransformApi), 0, &open<T>, &apply,
                                              &close<T>};
};

template <typename T>
struct SinkTable {
  static FerryStatus write(FerryInstance p, const FerryBatch* batch, FerryRecordOutcome* outcomes) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->outcomes = std::make_unique<Outcomes>(outcomes, batch->n_rows);
      s->object->write(BatchView(batch), *s->outcomes);
      return FERRY_OK;
    });
  }
  static FerryStatus commit(FerryInstance p, const FerryCheckpoint* cp) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->object->commit(cp);
      return FERRY_OK;
    });
  }
  static FerryStatus abort(FerryInstance p) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->object->abort();
      return FERRY_OK;
    });
  }
  static FerryStatus checkpoint(FerryInstance p, FerryBytes partition, FerryBytes* position,
                                int32_t* found) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      std::optional<std::string> held = s->object->checkpoint(view(partition));
      *found = held ? 1 : 0;
      s->held = held ? *held : std::string();
      *position = bytes(s->held);
      return FERRY_OK;
    });
  }
  static constexpr FerrySinkApi table = {sizeof(FerrySinkApi), 0,           &open<T>, &write,
                                         &commit,              &abort,      &checkpoint, &close<T>};
};

template <typename T>
struct CheckpointHookTable {
  static FerryStatus on_commit(FerryInstance p, const FerryCheckpointEvent* e) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] { return s->object->on_commit(*e); });
  }
  static constexpr FerryCheckpointHookApi table = {sizeof(FerryCheckpointHookApi), 0, &open<T>,
                                                   &on_commit, &close<T>};
};

template <typename T>
struct BacklogHookTable {
  static FerryStatus on_failure(FerryInstance p, const FerryBacklogEvent* e) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] { return s->object->on_failure(*e); });
  }
  static constexpr FerryBacklogHookApi table = {sizeof(FerryBacklogHookApi), 0, &open<T>,
                                                &on_failure, &close<T>};
};

template <typename T>
struct OrchestratorTable {
  static FerryStatus plan(FerryInstance p, const FerryMachineFacts* machine, const FerryPartitionInfo* parts,
                          size_t count, FerryPlan* out) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      thread_local Orchestrator::Plan keep;  // valid until the next call on this thread
      keep = s->object->plan(*machine, parts, count);
      if (!keep.groups.empty() && keep.groups.size() != count)
        throw Error(FERRY_ERROR_INTERNAL, "orchestrator returned groups for a different number of partitions");
      out->struct_size = sizeof *out;
      out->workers = keep.workers;
      out->groups = keep.groups.empty() ? nullptr : keep.groups.data();
      return FERRY_OK;
    });
  }
  static constexpr FerryOrchestratorApi table = {sizeof(FerryOrchestratorApi), 0, &open<T>, &plan, &close<T>};
};

// A kind class may declare `static void check_config(const Context&)`,
// which throws ferry::Error(FERRY_ERROR_CONFIG) for a bad configuration.
template <typename T, typename = void>
struct HasCheckConfig : std::false_type {};
template <typename T>
struct HasCheckConfig<T, std::void_t<decltype(T::check_config(std::declval<const Context&>()))>>
    : std::true_type {};

template <typename T>
constexpr uint32_t kinds_of() {
  return (std::is_base_of_v<Source, T> ? FERRY_KIND_SOURCE : 0u) |
         (std::is_base_of_v<Transform, T> ? FERRY_KIND_TRANSFORM : 0u) |
         (std::is_base_of_v<Sink, T> ? FERRY_KIND_SINK : 0u) |
         (std::is_base_of_v<CheckpointHook, T> ? FERRY_KIND_CHECKPOINT_HOOK : 0u) |
         (std::is_base_of_v<BacklogHook, T> ? FERRY_KIND_BACKLOG_HOOK : 0u) |
         (std::is_base_of_v<Orchestrator, T> ? FERRY_KIND_ORCHESTRATOR : 0u);
}

template <typename T>
FerryStatus check_one(uint32_t kind, const FerryOpenArgs* args) {
  if constexpr (HasCheckConfig<T>::value) {
    if (kinds_of<T>() & kind)
      return guard(args->host, [&] {
        T::check_config(Context(args));
        return FERRY_OK;
      });
  }
  return FERRY_OK;
}

template <typename... Ts>
FerryStatus check_config(uint32_t kind, const FerryOpenArgs* args) noexcept {
  FerryStatus st = FERRY_OK;
  ((st = st == FERRY_OK ? check_one<Ts>(kind, args) : st), ...);
  return st;
}

template <typename T>
void fill(FerryPluginApi* api, uint32_t version) {
  if constexpr (std::is_base_of_v<Source, T>) api->source = &SourceTable<T>::table;
  if constexpr (std::is_base_of_v<Transform, T>) api->transform = &TransformTable<T>::table;
  if constexpr (std::is_base_of_v<Sink, T>) api->sink = &SinkTable<T>::table;
  if constexpr (std::is_base_of_v<CheckpointHook, T>)
    api->checkpoint_hook = &CheckpointHookTable<T>::table;
  if constexpr (std::is_base_of_v<BacklogHook, T>) api->backlog_hook = &BacklogHookTable<T>::table;
  if constexpr (std::is_base_of_v<Orchestrator, T>)
    if (version >= FERRY_ABI_VERSION_1_2) api->orchestrator = &OrchestratorTable<T>::table;
}

template <typename... Ts>
FerryStatus init(uint32_t abi_version, FerryPluginApi* api) noexcept {
  const uint32_t version = ferry_plugin_api_accept(abi_version, api);
  if (version == 0) return FERRY_NOT_IMPLEMENTED;
  (fill<Ts>(api, version), ...);
  if constexpr ((HasCheckConfig<Ts>::value || ...))
    if (FERRY_PLUGIN_API_HAS(api, check_config)) api->check_config = &check_config<Ts...>;
  return FERRY_OK;
}

}  // namespace detail
}  // namespace ferry

// Defines the exported descriptor from static option and kind arrays.
#define FERRY_PLUGIN_DESCRIPTOR(name, version, description, kinds)                    \
  extern "C" FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {      \
      sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, name, version,         \
      description, kinds, FERRY_COUNT_OF(kinds)};

// Defines the entry point for the given kind classes.
#define FERRY_PLUGIN(...)                                                               \
  extern "C" FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version,          \
                                                         FerryPluginApi* api) {        \
    return ::ferry::detail::init<__VA_ARGS__>(abi_version, api);                       \
  }

#endif  // FERRY_PLUGIN_HPP_
