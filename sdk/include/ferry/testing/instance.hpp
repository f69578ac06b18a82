// Part of <ferry/testing/plugin_harness.hpp>: loading a plugin .so (Plugin), what an instance is
// opened with (OpenParams), and opening one as the host would.
#ifndef FERRY_TESTING_INSTANCE_HPP_
#define FERRY_TESTING_INSTANCE_HPP_

#include <dlfcn.h>

#include <ferry/plugin.hpp>
#include <ferry/testing/option_values.hpp>
#include <ferry/testing/recording_host.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ferry::testing {

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
      params_.config_json = with_declared_defaults(spec, params_.config_json);
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

}  // namespace ferry::testing

#endif  // FERRY_TESTING_INSTANCE_HPP_
