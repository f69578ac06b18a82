// Calls a plugin's ferry_plugin_init the way a host of each 1.x version
// would, with a canary right after the table that version defines: a
// plugin that fills more than the offered version's table (an older host's
// is shorter) overwrites the canary. Test-only; the library stays loaded.
#pragma once

#include <dlfcn.h>

#include <cstring>
#include <string>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::test {

// What went wrong, one line per offer; empty when every offer was handled
// within its table.
inline std::vector<std::string> negotiation_problems(const std::string& library) {
  std::vector<std::string> problems;
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return {std::string("cannot load: ") + dlerror()};
  auto init = reinterpret_cast<FerryPluginInitFn>(dlsym(handle, FERRY_PLUGIN_INIT_SYMBOL));
  if (!init) return {"does not export " FERRY_PLUGIN_INIT_SYMBOL};
  constexpr unsigned char kCanary = 0xA5;
  for (uint32_t offered : {FERRY_ABI_VERSION_1_3, FERRY_ABI_VERSION_1_2, FERRY_ABI_VERSION_1_1,
                           FERRY_ABI_VERSION_1_0}) {
    const std::string at = "offered " + std::to_string(FERRY_ABI_MAJOR(offered)) + "." +
                           std::to_string(FERRY_ABI_MINOR(offered)) + ": ";
    const size_t table = FERRY_PLUGIN_API_SIZE(offered);
    std::vector<unsigned char> memory(sizeof(FerryPluginApi) + 64, kCanary);
    FerryPluginApi api{};
    // The host's table is `table` bytes; everything after it is not the
    // plugin's to write.
    auto* raw = reinterpret_cast<FerryPluginApi*>(memory.data());
    const FerryStatus status = init(offered, raw);
    if (status == FERRY_NOT_IMPLEMENTED) continue;
    if (status != FERRY_OK) {
      problems.push_back(at + "init returned status " + std::to_string(status));
      continue;
    }
    for (size_t i = table; i < memory.size(); ++i)
      if (memory[i] != kCanary) {
        problems.push_back(at + "wrote byte " + std::to_string(i) + ", past the " + std::to_string(table) +
                           "-byte table of that version");
        break;
      }
    std::memcpy(&api, memory.data(), table);
    if (api.struct_size > table)
      problems.push_back(at + "struct_size " + std::to_string(api.struct_size) + " is larger than the " +
                         std::to_string(table) + "-byte table of that version");
    if (FERRY_ABI_MAJOR(api.abi_version) != FERRY_ABI_MAJOR(offered) || api.abi_version > offered)
      problems.push_back(at + "accepted version " + std::to_string(api.abi_version) + ", newer than the offer");
  }
  return problems;
}

}  // namespace ferry::test
