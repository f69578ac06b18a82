#include "plugin/elf_probe.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {
namespace {

template <typename T>
bool read_at(std::ifstream& in, uint64_t offset, T* out, size_t count = 1) {
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(sizeof(T) * count));
  return static_cast<size_t>(in.gcount()) == sizeof(T) * count;
}

}  // namespace

ElfProbe probe_elf(const std::filesystem::path& file) {
  ElfProbe probe;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    probe.problem = "cannot open file";
    return probe;
  }
  Elf64_Ehdr eh{};
  if (!read_at(in, 0, &eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    probe.problem = "not an ELF file";
    return probe;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN) {
    probe.problem = "not a 64-bit ELF shared object";
    return probe;
  }
  probe.is_elf = true;
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0) return probe;
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  if (!read_at(in, eh.e_shoff, sections.data(), sections.size())) return probe;

  for (const Elf64_Shdr& sh : sections) {
    if (sh.sh_type != SHT_DYNSYM || sh.sh_link >= sections.size()) continue;
    const Elf64_Shdr& strtab = sections[sh.sh_link];
    std::vector<char> names(strtab.sh_size + 1, '\0');
    if (!read_at(in, strtab.sh_offset, names.data(), strtab.sh_size)) return probe;
    size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
    std::vector<Elf64_Sym> syms(count);
    if (count && !read_at(in, sh.sh_offset, syms.data(), count)) return probe;
    for (const Elf64_Sym& s : syms) {
      if (s.st_shndx == SHN_UNDEF || s.st_name >= strtab.sh_size) continue;
      const char* name = names.data() + s.st_name;
      if (std::strcmp(name, FERRY_PLUGIN_INIT_SYMBOL) == 0) probe.has_init = true;
      if (std::strcmp(name, FERRY_PLUGIN_DESCRIPTOR_SYMBOL) != 0) continue;
      probe.has_descriptor = true;
      // The first two fields are plain integers, stored in the file as is
      // (only the pointer fields need relocation).
      if (s.st_shndx >= sections.size()) continue;
      const Elf64_Shdr& holder = sections[s.st_shndx];
      if (holder.sh_type == SHT_NOBITS) continue;
      uint64_t file_offset = holder.sh_offset + (s.st_value - holder.sh_addr);
      uint32_t head[2] = {0, 0};
      if (read_at(in, file_offset, head, 2)) probe.abi_version = head[1];
    }
  }
  return probe;
}

}  // namespace ferry::core
