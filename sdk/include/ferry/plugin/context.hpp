// Part of <ferry/plugin.hpp>: what an instance is opened with
// (ferry::Context, the typed options included) and the host services it
// may call (ferry::Host).
#ifndef FERRY_PLUGIN_CONTEXT_HPP_
#define FERRY_PLUGIN_CONTEXT_HPP_

#include <ferry/plugin/basics.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ferry {

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
  // Sets a gauge (ABI 1.9); a host older than that has none, and the call
  // does nothing.
  void gauge(std::string_view name, double value) const {
    if (host_->struct_size < offsetof(FerryHost, gauge_set) + sizeof host_->gauge_set || !host_->gauge_set) return;
    host_->gauge_set(host_->host_data, name.data(), name.size(), value);
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

}  // namespace ferry

#endif  // FERRY_PLUGIN_CONTEXT_HPP_
