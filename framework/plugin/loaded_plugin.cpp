#include "plugin/loaded_plugin.h"

#include <dlfcn.h>

#include <cstring>

#include "common/error.h"
#include "plugin/elf_probe.h"

namespace ferry::core {
namespace {

// Smallest table sizes the host accepts: the 1.0 layouts.
constexpr size_t kMinSourceSize = FERRY_SOURCE_API_SIZE_1_0;
constexpr size_t kMinTransformSize = sizeof(FerryTransformApi);
constexpr size_t kMinSinkSize = FERRY_SINK_API_SIZE_1_5;  // 1.0 to 1.5; 1.6 appended `fence`
constexpr size_t kMinCheckpointHookSize = sizeof(FerryCheckpointHookApi);
constexpr size_t kMinBacklogHookSize = sizeof(FerryBacklogHookApi);
// The descriptor fields every 1.x host reads.
constexpr size_t kMinDescriptorSize = sizeof(FerryPluginDescriptor);

std::string where(const std::filesystem::path& file) { return "plugin " + file.string(); }

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& why) {
  throw Error(where(file) + ": " + why);
}

void refuse_version(const std::filesystem::path& file, uint32_t plugin_version) {
  refuse(file, "built for Ferry plugin ABI " + abi_version_string(plugin_version) +
                   ", but this host speaks ABI " +
                   abi_version_string(host_abi_versions().front()) + " (major version " +
                   std::to_string(FERRY_ABI_MAJOR(host_abi_versions().front())) +
                   "); rebuild the plugin against this Ferry SDK");
}

}  // namespace

const std::vector<uint32_t>& host_abi_versions() {
  static const std::vector<uint32_t> versions = {FERRY_ABI_VERSION_1_12, FERRY_ABI_VERSION_1_11, FERRY_ABI_VERSION_1_10, FERRY_ABI_VERSION_1_9, FERRY_ABI_VERSION_1_8, FERRY_ABI_VERSION_1_7, FERRY_ABI_VERSION_1_6, FERRY_ABI_VERSION_1_5,
                                                 FERRY_ABI_VERSION_1_4, FERRY_ABI_VERSION_1_3, FERRY_ABI_VERSION_1_2,
                                                 FERRY_ABI_VERSION_1_1, FERRY_ABI_VERSION_1_0};
  return versions;
}

std::string abi_version_string(uint32_t v) {
  return std::to_string(FERRY_ABI_MAJOR(v)) + "." + std::to_string(FERRY_ABI_MINOR(v));
}

namespace {

constexpr std::pair<FerryKind, const char*> kKindNames[] = {
      {FERRY_KIND_SOURCE, "source"},
      {FERRY_KIND_TRANSFORM, "transform"},
      {FERRY_KIND_SINK, "sink"},
      {FERRY_KIND_CHECKPOINT_HOOK, "checkpoint-hook"},
      {FERRY_KIND_BACKLOG_HOOK, "backlog-hook"},
      {FERRY_KIND_ORCHESTRATOR, "orchestrator"}};

}  // namespace

bool valid_plugin_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

std::optional<FerryKind> kind_from_name(std::string_view name) {
  for (const auto& [kind, text] : kKindNames)
    if (name == text) return kind;
  return std::nullopt;
}

std::string kinds_string(uint32_t kinds) {
  std::string out;
  for (const auto& [bit, name] : kKindNames) {
    if (!(kinds & bit)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out.empty() ? "nothing" : out;
}

std::unique_ptr<LoadedPlugin> LoadedPlugin::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) refuse(file, "no such file");

  ElfProbe probe = probe_elf(file);
  if (!probe.is_elf || !probe.problem.empty()) refuse(file, probe.problem);
  if (!probe.has_descriptor || !probe.has_init)
    refuse(file, std::string("is not a Ferry plugin: it does not export ") +
                     (!probe.has_descriptor ? FERRY_PLUGIN_DESCRIPTOR_SYMBOL
                                            : FERRY_PLUGIN_INIT_SYMBOL));
  if (probe.abi_version &&
      FERRY_ABI_MAJOR(*probe.abi_version) != FERRY_ABI_MAJOR(host_abi_versions().front()))
    refuse_version(file, *probe.abi_version);

  auto p = std::make_unique<LoadedPlugin>(Token{});
  p->file_ = file;
  boost::system::error_code load_error;
  p->library_.load(boost::dll::fs::path(file.string()), load_error,
                   boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (load_error) {
    // Boost reports only an error code; the loader's own text says which
    // symbol or library is missing, so ask it again.
    std::string detail = load_error.message();
    if (void* h = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      dlclose(h);
    } else if (const char* text = dlerror()) {
      detail = text;
    }
    refuse(file, "cannot be loaded: " + detail);
  }
  if (!p->library_.has(FERRY_PLUGIN_DESCRIPTOR_SYMBOL) || !p->library_.has(FERRY_PLUGIN_INIT_SYMBOL))
    refuse(file, "is not a Ferry plugin: missing entry point");
  p->descriptor_ = &p->library_.get<const FerryPluginDescriptor>(FERRY_PLUGIN_DESCRIPTOR_SYMBOL);
  const FerryPluginDescriptor& d = *p->descriptor_;
  if (FERRY_ABI_MAJOR(d.abi_version) != FERRY_ABI_MAJOR(host_abi_versions().front()))
    refuse_version(file, d.abi_version);
  if (d.struct_size < kMinDescriptorSize) refuse(file, "descriptor is truncated");
  if (!d.name || !*d.name) refuse(file, "descriptor has no plugin name");
  if (!d.version) refuse(file, "descriptor has no version");
  if (d.n_kinds > 0 && !d.kinds) refuse(file, "descriptor lists kinds but no kind table");
  p->negotiate();
  p->check_tables();
  if (!valid_plugin_name(d.name))
    p->warnings_.push_back(where(file) + ": its name '" + std::string(d.name) +
                           "' is not a valid plugin name (lowercase letters, digits, '-' and '_'); "
                           "a pipeline may not be able to name it");
  if (probe.other_export_count > 0)
    p->warnings_.push_back(where(file) + ": exports " + other_exports_text(probe) +
                           ", which can bind to the host's or another plugin's symbols of the same name; "
                           "build it with hidden visibility and the SDK's export map");
  return p;
}

void LoadedPlugin::negotiate() {
  const FerryPluginInitFn init = init_function();
  std::string tried;
  for (uint32_t offer : host_abi_versions()) {
    FerryPluginApi api{};
    FerryStatus st = init(offer, &api);
    if (st == FERRY_NOT_IMPLEMENTED) {
      tried += (tried.empty() ? "" : ", ") + abi_version_string(offer);
      continue;
    }
    if (st != FERRY_OK)
      refuse(file_, "initialisation failed with status " + std::to_string(st));
    if (api.struct_size < FERRY_PLUGIN_API_SIZE_1_1)
      refuse(file_, "returned a truncated plugin table");
    if (FERRY_ABI_MAJOR(api.abi_version) != FERRY_ABI_MAJOR(offer) || api.abi_version > offer)
      refuse(file_, "accepted ABI " + abi_version_string(api.abi_version) + " when offered " +
                        abi_version_string(offer));
    api_ = api;
    return;
  }
  refuse(file_, "speaks none of the ABI versions this host offers (" + tried +
                    "); its descriptor says " + abi_version_string(descriptor_->abi_version));
}

void LoadedPlugin::check_tables() const {
  auto check = [&](const void* table, size_t min, const char* kind, FerryKind bit) {
    bool declared = kind_spec(bit) != nullptr;
    if (!table) {
      if (declared) refuse(file_, std::string("declares kind ") + kind + " but provides no table");
      return;
    }
    uint32_t size = *static_cast<const uint32_t*>(table);
    if (size < min) refuse(file_, std::string(kind) + " table is truncated");
    if (!declared) refuse(file_, std::string("provides a ") + kind + " table its descriptor does not declare");
  };
  check(api_.source, kMinSourceSize, "source", FERRY_KIND_SOURCE);
  check(api_.transform, kMinTransformSize, "transform", FERRY_KIND_TRANSFORM);
  check(api_.sink, kMinSinkSize, "sink", FERRY_KIND_SINK);
  check(api_.checkpoint_hook, kMinCheckpointHookSize, "checkpoint-hook", FERRY_KIND_CHECKPOINT_HOOK);
  check(api_.backlog_hook, kMinBacklogHookSize, "backlog-hook", FERRY_KIND_BACKLOG_HOOK);
  check(orchestrator(), sizeof(FerryOrchestratorApi), "orchestrator", FERRY_KIND_ORCHESTRATOR);
}

const FerryOrchestratorApi* LoadedPlugin::orchestrator() const {
  // An older plugin's table ends before this slot: never read past it.
  if (api_.struct_size < offsetof(FerryPluginApi, orchestrator) + sizeof(void*)) return nullptr;
  return api_.orchestrator;
}

LoadedPlugin::CheckConfigFn LoadedPlugin::check_config() const {
  if (api_.struct_size < offsetof(FerryPluginApi, check_config) + sizeof(void*)) return nullptr;
  return api_.check_config;
}

FerryPluginInitFn LoadedPlugin::init_function() const {
  return library_.get<FerryStatus(uint32_t, FerryPluginApi*)>(FERRY_PLUGIN_INIT_SYMBOL);
}

uint32_t LoadedPlugin::kinds() const {
  uint32_t k = 0;
  for (size_t i = 0; i < descriptor_->n_kinds; ++i) k |= descriptor_->kinds[i].kind;
  return k;
}

const FerryKindSpec* LoadedPlugin::kind_spec(FerryKind kind) const {
  for (size_t i = 0; i < descriptor_->n_kinds; ++i)
    if (descriptor_->kinds[i].kind == kind) return &descriptor_->kinds[i];
  return nullptr;
}

bool LoadedPlugin::has_capability(FerryKind kind, uint32_t cap) const {
  const FerryKindSpec* k = kind_spec(kind);
  return k && (k->capabilities & cap) == cap;
}

bool LoadedPlugin::source_has_descriptors() const {
  return api_.source && api_.abi_version >= FERRY_ABI_VERSION_1_5 &&
         api_.source->struct_size >= offsetof(FerrySourceApi, start_described) + sizeof(void*) &&
         api_.source->describe != nullptr && api_.source->start_described != nullptr;
}

bool LoadedPlugin::source_takes_acknowledgements() const {
  return api_.source && api_.abi_version >= FERRY_ABI_VERSION_1_8 &&
         api_.source->struct_size >= offsetof(FerrySourceApi, acknowledged) + sizeof(void*) &&
         api_.source->acknowledged != nullptr;
}

bool LoadedPlugin::sink_can_fence() const {
  return api_.sink && api_.abi_version >= FERRY_ABI_VERSION_1_6 &&
         api_.sink->struct_size >= offsetof(FerrySinkApi, fence) + sizeof(void*) && api_.sink->fence != nullptr &&
         has_capability(FERRY_KIND_SINK, FERRY_CAP_FENCED);
}

bool LoadedPlugin::sink_defers_commits() const {
  // Only an idempotent sink: a pending commit the host never awaited (the
  // process died) may still land, and the batch then comes again.
  return api_.sink && api_.abi_version >= FERRY_ABI_VERSION_1_10 &&
         api_.sink->struct_size >= offsetof(FerrySinkApi, await_commit) + sizeof(void*) &&
         api_.sink->await_commit != nullptr && has_capability(FERRY_KIND_SINK, FERRY_CAP_DEFERRED_COMMIT) &&
         has_capability(FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT) &&
         !has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL);
}

bool LoadedPlugin::sink_named_by_batch() const {
  return api_.sink && api_.abi_version >= FERRY_ABI_VERSION_1_11 &&
         has_capability(FERRY_KIND_SINK, FERRY_CAP_NAMED_BY_BATCH);
}

bool LoadedPlugin::sink_single_writer() const {
  // A plugin that accepted an older version was built before the flag had a
  // meaning: a stray bit there is not a request.
  return api_.sink && api_.abi_version >= FERRY_ABI_VERSION_1_7 &&
         has_capability(FERRY_KIND_SINK, FERRY_CAP_SINGLE_WRITER);
}

bool LoadedPlugin::source_has_estimate() const {
  return api_.source && api_.abi_version >= FERRY_ABI_VERSION_1_1 &&
         api_.source->struct_size >= offsetof(FerrySourceApi, estimate) + sizeof(void*) &&
         api_.source->estimate != nullptr;
}

}  // namespace ferry::core
