// Offers ferry_plugin_init every 1.x version the way a host of that version
// would, with a canary right after the table that version defines: an older
// host's FerryPluginApi is shorter, and a plugin that fills the newest
// layout regardless writes into that host's memory.
#pragma once

#include <string>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {

// One line per offer that went wrong; empty when every offer was answered
// within its table.
std::vector<std::string> negotiation_problems(FerryPluginInitFn init);

}  // namespace ferry::core
