// Every plugin built here negotiates within the table of the version it is
// offered: an older host's FerryPluginApi is shorter, and a plugin that
// fills the newest layout regardless writes into that host's memory.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/negotiation_probe.h"

namespace {

// Fixtures that are broken on purpose, for the loader to refuse before it
// calls their init: built for ABI 2.0, and without an entry point.
bool refused_before_init(const std::filesystem::path& file) {
  return file.filename() == "abi_v2_plugin.so" || file.filename() == "no_entry_plugin.so";
}

void expect_clean(const std::filesystem::path& dir) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".so" || refused_before_init(entry.path())) continue;
    ++checked;
    for (const std::string& problem : ferry::test::negotiation_problems(entry.path().string()))
      ADD_FAILURE() << entry.path().filename().string() << ": " << problem;
  }
  EXPECT_GT(checked, 0) << "no plugin in " << dir;
}

TEST(AbiNegotiation, BundledPluginsFillOnlyTheOfferedVersionsTable) { expect_clean(FERRY_TEST_PLUGIN_DIR); }

TEST(AbiNegotiation, FixturePluginsFillOnlyTheOfferedVersionsTable) { expect_clean(FERRY_TEST_FIXTURE_DIR); }

}  // namespace
