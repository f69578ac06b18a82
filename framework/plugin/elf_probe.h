// Reads a plugin's declared ABI version straight from its ELF file, so a
// plugin built for an ABI major version this host does not speak is refused
// before the dynamic loader runs any of its code (static constructors
// included).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ferry::core {

struct ElfProbe {
  bool is_elf = false;                   // false: not an ELF shared object
  bool has_descriptor = false;           // exports ferry_plugin_descriptor
  bool has_init = false;                 // exports ferry_plugin_init
  std::optional<uint32_t> abi_version;   // read from the descriptor, when possible
  std::string problem;                   // why the file could not be probed
};

ElfProbe probe_elf(const std::filesystem::path& file);

}  // namespace ferry::core
