// Reads a plugin's declared ABI version straight from its ELF file, so a
// plugin built for an ABI major version this host does not speak is refused
// before the dynamic loader runs any of its code (static constructors
// included).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ferry::core {

struct ElfProbe {
  bool is_elf = false;                   // false: not an ELF shared object
  bool has_descriptor = false;           // exports ferry_plugin_descriptor
  bool has_init = false;                 // exports ferry_plugin_init
  std::optional<uint32_t> abi_version;   // read from the descriptor, when possible
  // Other symbols the file exports (the first few names, and how many):
  // they can bind to the host's or another plugin's symbols of that name.
  std::vector<std::string> other_exports;
  uint64_t other_export_count = 0;
  std::string problem;                   // why the file could not be probed
};

ElfProbe probe_elf(const std::filesystem::path& file);

// "3 symbol(s) besides the two entry points (a, b, c)", for messages.
std::string other_exports_text(const ElfProbe& probe);

}  // namespace ferry::core
