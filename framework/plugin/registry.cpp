#include "plugin/registry.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/log.h"
#include "plugin/option_values.h"

namespace ferry::core {
namespace {

std::filesystem::path executable_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

void split_into(const std::string& list, std::vector<std::filesystem::path>& out) {
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ':'))
    if (!item.empty()) out.emplace_back(item);
}

}  // namespace

std::vector<std::filesystem::path> PluginRegistry::default_search_dirs(
    const std::vector<std::string>& from_command_line) {
  std::vector<std::filesystem::path> dirs;
  for (const std::string& s : from_command_line) split_into(s, dirs);
  if (const char* env = std::getenv("FERRY_PLUGIN_PATH")) split_into(env, dirs);
  // Build and install trees share the layout bin/ferry + lib/ferry/plugins.
  std::filesystem::path exe_dir = executable_dir();
  if (!exe_dir.empty()) dirs.push_back(exe_dir.parent_path() / FERRY_PLUGIN_INSTALL_DIR);
  std::vector<std::filesystem::path> unique;
  std::set<std::string> seen;
  for (const auto& d : dirs) {
    std::error_code ec;
    std::filesystem::path canon = std::filesystem::weakly_canonical(d, ec);
    std::string key = ec ? d.string() : canon.string();
    if (seen.insert(key).second) unique.push_back(ec ? d : canon);
  }
  return unique;
}

PluginRegistry::PluginRegistry(std::vector<std::filesystem::path> search_dirs)
    : dirs_(std::move(search_dirs)) {
  for (const auto& dir : dirs_) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    std::sort(files.begin(), files.end());  // deterministic: the same plugin wins every time
    for (const auto& file : files) {
      try {
        std::unique_ptr<LoadedPlugin> p = LoadedPlugin::load(file);
        const std::string name = p->name();
        if (auto first = plugins_.find(name); first != plugins_.end()) {
          // The search order decides, and says so: a stale copy earlier on
          // the path must not silently stand in for the one meant.
          log_warn("plugin '" + name + "' in " + file.string() + " is shadowed by " +
                   first->second->file().string() + ", found first on the plugin path; using that one");
          continue;
        }
        for (const std::string& w : p->warnings()) log_warn(w);
        plugins_.emplace(name, std::move(p));
      } catch (const std::exception& e) {
        // A damaged file (or one the loader refuses) must not break every
        // command: it is skipped, and said so, naming it. Files that are
        // simply not Ferry plugins of this ABI are only listed when a
        // plugin name is not found.
        const std::string why = e.what();
        if (why.find("damaged") != std::string::npos || why.find("cannot be loaded") != std::string::npos ||
            why.find("cannot read it") != std::string::npos)
          log_warn("skipping a plugin file: " + why);
        failures_.push_back({file, why});
      }
    }
  }
}

const LoadedPlugin* PluginRegistry::get(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second.get();
}

const FerryPluginDescriptor* PluginRegistry::find(const std::string& name) const {
  const LoadedPlugin* p = get(name);
  return p ? &p->descriptor() : nullptr;
}

namespace {

// The host services a configuration check gets: its error message and its
// log lines; nothing else applies before an instance exists.
struct CheckHost {
  FerryHost host{};
  std::string error;
  LogFields fields;

  CheckHost(const std::string& pipeline, const std::string& stage) {
    fields.pipeline = pipeline;
    fields.stage = stage;
    host.struct_size = sizeof host;
    host.host_data = this;
    host.log = [](void* self, FerryLogLevel level, const char* msg, size_t len) {
      const LogLevel l = level <= FERRY_LOG_DEBUG  ? LogLevel::Debug
                         : level == FERRY_LOG_INFO ? LogLevel::Info
                         : level == FERRY_LOG_WARN ? LogLevel::Warn
                                                   : LogLevel::Error;
      Logger::instance().log(l, std::string_view(msg ? msg : "", msg ? len : 0),
                             static_cast<CheckHost*>(self)->fields);
    };
    host.set_error = [](void* self, const char* msg, size_t len) {
      static_cast<CheckHost*>(self)->error.assign(msg ? msg : "", msg ? len : 0);
    };
    host.set_retry_after = [](void*, uint64_t) {};
    host.report_errant_record = [](void*, const FerryErrantRecord*) { return FERRY_ERROR_INTERNAL; };
    host.is_cancelled = [](void*) { return int32_t{0}; };
    host.counter_add = [](void*, const char*, size_t, int64_t) {};
    host.gauge_set = [](void*, const char*, size_t, double) {};
  }
};

FerryBytes bytes(const std::string& s) { return FerryBytes{s.data(), s.size()}; }

}  // namespace

std::optional<std::string> PluginRegistry::check_config(const std::string& plugin, const ConfigCheck& c) const {
  const LoadedPlugin* p = get(plugin);
  if (p == nullptr) return std::nullopt;
  return run_check_config(*p, c);
}

std::optional<std::string> run_check_config(const LoadedPlugin& p, const DescriptorLookup::ConfigCheck& c) {
  const std::string plugin = p.name();
  const LoadedPlugin::CheckConfigFn fn = p.check_config();
  if (fn == nullptr) return std::nullopt;
  CheckHost check_host(c.pipeline, c.name);
  FerryOpenArgs args{};
  args.struct_size = sizeof args;
  args.host = &check_host.host;
  args.config_json = bytes(c.config_json);
  args.pipeline = bytes(c.pipeline);
  args.name = bytes(c.name);
  args.base_dir = bytes(c.base_dir);
  args.max_batch_records = c.max_batch_records;
  args.max_batch_bytes = c.max_batch_bytes;
  args.data_date = bytes(c.data_date);
  args.window_start = bytes(c.window_start);
  args.window_end = bytes(c.window_end);
  const OptionValues options(p.kind_spec(c.kind), c.config_json);
  options.fill(args);
  const FerryStatus st = fn(c.kind, &args);
  if (st == FERRY_OK) return std::nullopt;
  if (!check_host.error.empty()) return check_host.error;
  return "plugin '" + plugin + "' refused this configuration (status " + std::to_string(st) + ")";
}

const LoadedPlugin& PluginRegistry::require(const std::string& name) const {
  if (const LoadedPlugin* p = get(name)) return *p;
  throw Error("unknown plugin '" + name + "'; " + why_missing(name));
}

std::string PluginRegistry::why_missing(const std::string&) const {
  std::string msg;
  std::string known;
  for (const auto& [n, _] : plugins_) known += (known.empty() ? "" : ", ") + n;
  msg += known.empty() ? "no plugins were found" : "known plugins: " + known;
  std::string dirs;
  for (const auto& d : dirs_) dirs += (dirs.empty() ? "" : ":") + d.string();
  msg += " (searched " + (dirs.empty() ? std::string("nothing") : dirs) + ")";
  for (const auto& f : failures_) msg += "; " + f.message;
  return msg;
}

std::vector<const LoadedPlugin*> PluginRegistry::all() const {
  std::vector<const LoadedPlugin*> out;
  for (const auto& [_, p] : plugins_) out.push_back(p.get());
  return out;
}

}  // namespace ferry::core
