// A plugin that reads its options typed (ferry_option, ABI 1.4) is tested
// through the SDK's harness as it runs under ferry: the harness hands over
// the declared options with their values and defaults, as the host does.
// The plugin: tests/plugins/c_builder_source.c ("rows", default 25).
#include <gtest/gtest.h>

#include <string>

#include "support/plugin_harness.h"

namespace {

using ferry::test::OpenParams;
using ferry::test::Plugin;
using ferry::test::SourceHandle;

size_t rows_read(const Plugin& plugin, const std::string& config) {
  OpenParams params;
  params.config_json = config;
  SourceHandle source(plugin, params);
  EXPECT_EQ(source.open_status(), FERRY_OK) << source.host().last_error();
  if (source.open_status() != FERRY_OK) return 0;
  const auto drained = source.drain("all");
  EXPECT_EQ(drained.status, FERRY_END_OF_STREAM) << source.host().last_error();
  return drained.rows.size();
}

TEST(HarnessTypedOptions, AConfiguredValueAndADeclaredDefaultReachThePlugin) {
  const Plugin plugin(FERRY_TEST_FIXTURE_DIR "/c_builder_source.so");
  EXPECT_EQ(rows_read(plugin, R"({"rows": 3})"), 3u);
  EXPECT_EQ(rows_read(plugin, "{}"), 25u);
}

}  // namespace
