// A damaged plugin file first on the plugin path breaks nothing: it is
// skipped with a warning that names it, and what it claimed sizes for is
// never allocated.
#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using ferry::test::TempDir;

std::string null_plugin() { return std::string(FERRY_TEST_PLUGIN_DIR) + "/ferry-null.so"; }

// A copy of the null sink with `damage` applied to its bytes.
std::string damaged_copy(const TempDir& dir, const std::function<void(std::string&)>& damage) {
  std::string bytes = ferry::test::read_file(null_plugin());
  damage(bytes);
  const std::string path = dir.file("ferry-null.so");
  ferry::test::write_file(path, bytes);
  return path;
}

Elf64_Ehdr header(const std::string& bytes) {
  Elf64_Ehdr h;
  std::memcpy(&h, bytes.data(), sizeof h);
  return h;
}

void expect_skipped(const TempDir& dir) {
  ferry::test::write_file(dir.file("p.json"), R"({"name": "d", "state": {"type": "memory"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "sinks": [{"name": "n", "plugin": "null"}]})");
  auto r = ferry::test::run_process({FERRY_TEST_BINARY, "--plugin-path", dir.path().string(), "run", "--no-progress",
                                     dir.file("p.json")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("skipping a plugin file: plugin " + dir.file("ferry-null.so") + ": damaged ELF file"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("written 10"), std::string::npos) << r.out;
}

TEST(DamagedPlugin, SectionHeadersPastTheEndOfTheFile) {
  TempDir dir;
  damaged_copy(dir, [](std::string& b) {
    Elf64_Ehdr h = header(b);
    h.e_shoff = 0x7fffffffffffull;
    std::memcpy(b.data(), &h, sizeof h);
  });
  expect_skipped(dir);
}

TEST(DamagedPlugin, ASectionClaimingAGigabyteIsNotAllocated) {
  TempDir dir;
  damaged_copy(dir, [](std::string& b) {
    const Elf64_Ehdr h = header(b);
    for (uint16_t i = 0; i < h.e_shnum; ++i) {
      Elf64_Shdr s;
      std::memcpy(&s, b.data() + h.e_shoff + i * sizeof s, sizeof s);
      if (s.sh_type != SHT_DYNSYM) continue;
      s.sh_size = uint64_t{1} << 30;
      std::memcpy(b.data() + h.e_shoff + i * sizeof s, &s, sizeof s);
    }
  });
  expect_skipped(dir);
}

TEST(DamagedPlugin, FlippedBitsInTheSectionHeadersNeverCrashTheHost) {
  std::mt19937 rng(20261204);
  for (int round = 0; round < 20; ++round) {
    TempDir dir;
    damaged_copy(dir, [&](std::string& b) {
      const Elf64_Ehdr h = header(b);
      const size_t table = h.e_shnum * sizeof(Elf64_Shdr);
      for (int k = 0; k < 8; ++k) {
        const size_t at = h.e_shoff + rng() % table;
        b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
      }
    });
    auto r = ferry::test::run_process(
        {FERRY_TEST_BINARY, "--plugin-path", dir.path().string(), "plugins", "--brief"});
    EXPECT_EQ(r.exit_code, 0) << "round " << round << ": " << r.err;
    EXPECT_NE(r.out.find("generator"), std::string::npos) << r.out;
  }
}

}  // namespace
