// Offers a plugin file's ferry_plugin_init every 1.x version, with a canary
// after each table (conformance/negotiation_check.h, the check `ferry
// plugin check` runs). The library stays loaded.
#pragma once

#include <dlfcn.h>

#include <string>
#include <vector>

#include "conformance/negotiation_check.h"

namespace ferry::test {

inline std::vector<std::string> negotiation_problems(const std::string& library) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return {std::string("cannot load: ") + dlerror()};
  auto init = reinterpret_cast<FerryPluginInitFn>(dlsym(handle, FERRY_PLUGIN_INIT_SYMBOL));
  if (!init) return {"does not export " FERRY_PLUGIN_INIT_SYMBOL};
  return ferry::core::negotiation_problems(init);
}

}  // namespace ferry::test
