#include "plugin/registry.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "common/error.h"

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
        std::string name = p->name();
        if (plugins_.count(name)) continue;  // shadowed by an earlier directory
        plugins_.emplace(name, std::move(p));
      } catch (const Error& e) {
        failures_.push_back({file, e.what()});
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
