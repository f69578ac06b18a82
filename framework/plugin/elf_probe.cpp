#include "plugin/elf_probe.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {
namespace {

// Every offset and size comes from the file, which may be damaged or
// crafted: nothing is read or allocated that the file does not hold.
class Reader {
 public:
  Reader(std::ifstream& in, uint64_t size) : in_(in), size_(size) {}
  uint64_t size() const { return size_; }
  bool holds(uint64_t offset, uint64_t bytes) const { return offset <= size_ && bytes <= size_ - offset; }
  template <typename T>
  bool read(uint64_t offset, T* out, uint64_t count = 1) {
    if (count > size_ / sizeof(T) || !holds(offset, sizeof(T) * count)) return false;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(sizeof(T) * count));
    return static_cast<uint64_t>(in_.gcount()) == sizeof(T) * count;
  }

 private:
  std::ifstream& in_;
  uint64_t size_;
};

ElfProbe probe_file(std::ifstream& in, uint64_t size);

constexpr size_t kExportsNamed = 5;

// A defined symbol other objects can bind to (not a version node's name).
bool exported(const Elf64_Sym& s) {
  const unsigned bind = ELF64_ST_BIND(s.st_info);
  const unsigned visibility = ELF64_ST_VISIBILITY(s.st_other);
  return (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) && s.st_shndx != SHN_ABS &&
         (visibility == STV_DEFAULT || visibility == STV_PROTECTED);
}

}  // namespace

ElfProbe probe_elf(const std::filesystem::path& file) {
  ElfProbe probe;
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (!in || ec) {
    probe.problem = "cannot open file";
    return probe;
  }
  try {
    return probe_file(in, size);
  } catch (const std::exception& e) {
    probe.problem = std::string("cannot read it as an ELF file: ") + e.what();
    return probe;
  }
}

std::string other_exports_text(const ElfProbe& probe) {
  std::string names;
  for (const std::string& n : probe.other_exports) names += (names.empty() ? "" : ", ") + n;
  if (probe.other_export_count > probe.other_exports.size()) names += ", ...";
  return std::to_string(probe.other_export_count) + " symbol(s) besides the two entry points (" + names + ")";
}

namespace {

ElfProbe probe_file(std::ifstream& stream, uint64_t size) {
  ElfProbe probe;
  Reader in(stream, size);
  Elf64_Ehdr eh{};
  if (!in.read(0, &eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    probe.problem = "not an ELF file";
    return probe;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN) {
    probe.problem = "not a 64-bit ELF shared object";
    return probe;
  }
  probe.is_elf = true;
  auto damaged = [&](const char* what) {
    probe.problem = std::string("damaged ELF file: ") + what;
    return probe;
  };
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0) return damaged("no section headers");
  if (!in.holds(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr)))
    return damaged("section headers beyond the end of the file");
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  if (!in.read(eh.e_shoff, sections.data(), sections.size())) return damaged("unreadable section headers");

  for (const Elf64_Shdr& sh : sections) {
    if (sh.sh_type != SHT_DYNSYM || sh.sh_link >= sections.size()) continue;
    const Elf64_Shdr& strtab = sections[sh.sh_link];
    if (!in.holds(strtab.sh_offset, strtab.sh_size)) return damaged("symbol names beyond the end of the file");
    if (sh.sh_entsize != sizeof(Elf64_Sym) || !in.holds(sh.sh_offset, sh.sh_size))
      return damaged("symbol table beyond the end of the file");
    std::vector<char> names(strtab.sh_size + 1, '\0');
    if (!in.read(strtab.sh_offset, names.data(), strtab.sh_size)) return damaged("unreadable symbol names");
    const uint64_t count = sh.sh_size / sizeof(Elf64_Sym);
    std::vector<Elf64_Sym> syms(count);
    if (count && !in.read(sh.sh_offset, syms.data(), count)) return damaged("unreadable symbol table");
    for (const Elf64_Sym& s : syms) {
      if (s.st_shndx == SHN_UNDEF || s.st_name >= strtab.sh_size) continue;
      const char* name = names.data() + s.st_name;  // names ends in '\0' whatever the file says
      if (std::strcmp(name, FERRY_PLUGIN_INIT_SYMBOL) == 0) probe.has_init = true;
      if (std::strcmp(name, FERRY_PLUGIN_DESCRIPTOR_SYMBOL) != 0) {
        if (exported(s) && std::strcmp(name, FERRY_PLUGIN_INIT_SYMBOL) != 0) {
          if (probe.other_exports.size() < kExportsNamed) probe.other_exports.emplace_back(name);
          ++probe.other_export_count;
        }
        continue;
      }
      probe.has_descriptor = true;
      // The first two fields are plain integers, stored in the file as is
      // (only the pointer fields need relocation).
      if (s.st_shndx >= sections.size()) continue;
      const Elf64_Shdr& holder = sections[s.st_shndx];
      if (holder.sh_type == SHT_NOBITS) continue;
      if (s.st_value < holder.sh_addr || s.st_value - holder.sh_addr > holder.sh_size) continue;
      const uint64_t file_offset = holder.sh_offset + (s.st_value - holder.sh_addr);
      uint32_t head[2] = {0, 0};
      if (in.read(file_offset, head, 2)) probe.abi_version = head[1];
    }
  }
  return probe;
}

}  // namespace

}  // namespace ferry::core
