#include "conformance/negotiation_check.h"

#include <cstring>

#include "plugin/loaded_plugin.h"

namespace ferry::core {

std::vector<std::string> negotiation_problems(FerryPluginInitFn init) {
  std::vector<std::string> problems;
  constexpr unsigned char kCanary = 0xA5;
  for (uint32_t offered : host_abi_versions()) {
    const std::string at = "offered " + std::to_string(FERRY_ABI_MAJOR(offered)) + "." +
                           std::to_string(FERRY_ABI_MINOR(offered)) + ": ";
    const size_t table = FERRY_PLUGIN_API_SIZE(offered);
    // The host's table is `table` bytes; what follows is not the plugin's.
    std::vector<unsigned char> memory(sizeof(FerryPluginApi) + 64, kCanary);
    const FerryStatus status = init(offered, reinterpret_cast<FerryPluginApi*>(memory.data()));
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
    FerryPluginApi api{};
    std::memcpy(&api, memory.data(), table);
    if (api.struct_size > table)
      problems.push_back(at + "struct_size " + std::to_string(api.struct_size) + " is larger than the " +
                         std::to_string(table) + "-byte table of that version");
    if (FERRY_ABI_MAJOR(api.abi_version) != FERRY_ABI_MAJOR(offered) || api.abi_version > offered)
      problems.push_back(at + "accepted version " + std::to_string(api.abi_version) + ", newer than the offer");
  }
  return problems;
}

}  // namespace ferry::core
