// The plugin ABI: frozen layouts, version negotiation, and refusal of
// libraries that are not (or not yet) compatible.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>

#include <ferry/plugin.h>

#include "common/error.h"
#include "plugin/loaded_plugin.h"
#include "support/ports.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

using ferry::core::Error;
using ferry::core::LoadedPlugin;

namespace {

std::string fixture(const std::string& name) { return std::string(FERRY_TEST_FIXTURE_DIR) + "/" + name; }
std::string bundled(const std::string& name) { return std::string(FERRY_TEST_PLUGIN_DIR) + "/" + name; }

std::string load_error(const std::string& path) {
  try {
    LoadedPlugin::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ABI 1.0/1.1 layouts on LP64. A change here breaks every released plugin:
// structs may only grow at the end, and then only with a new minor version.
TEST(AbiLayout, BasicTypesAreFrozen) {
  EXPECT_EQ(sizeof(FerryBytes), 16u);
  EXPECT_EQ(sizeof(FerryValue), 24u);
  EXPECT_EQ(offsetof(FerryValue, as), 8u);
  EXPECT_EQ(sizeof(FerryField), 24u);
  EXPECT_EQ(offsetof(FerryField, type), 16u);
  EXPECT_EQ(sizeof(FerrySchema), 16u);
  EXPECT_EQ(sizeof(FerryRecordMeta), 40u);
  EXPECT_EQ(offsetof(FerryRecordMeta, position), 16u);
  EXPECT_EQ(offsetof(FerryRecordMeta, op), 32u);
  EXPECT_EQ(sizeof(FerryRecordOutcome), 24u);
  EXPECT_EQ(offsetof(FerryRecordOutcome, message), 8u);
}

TEST(AbiLayout, BatchIsFrozen) {
  EXPECT_EQ(sizeof(FerryBatch), 96u);
  EXPECT_EQ(offsetof(FerryBatch, schema), 8u);
  EXPECT_EQ(offsetof(FerryBatch, n_rows), 24u);
  EXPECT_EQ(offsetof(FerryBatch, values), 32u);
  EXPECT_EQ(offsetof(FerryBatch, records), 40u);
  EXPECT_EQ(offsetof(FerryBatch, partition), 48u);
  EXPECT_EQ(offsetof(FerryBatch, end_position), 64u);
  EXPECT_EQ(offsetof(FerryBatch, release), 80u);
  EXPECT_EQ(offsetof(FerryBatch, private_data), 88u);
}

TEST(AbiLayout, SourceTableOnlyGrowsAtItsEnd) {
  EXPECT_EQ(offsetof(FerrySourceApi, estimate), 48u);
  EXPECT_EQ(FERRY_SOURCE_API_SIZE_1_4, 56u);
  EXPECT_EQ(offsetof(FerrySourceApi, describe), 56u);  // 1.5 appended describe, start_described
  EXPECT_EQ(FERRY_SOURCE_API_SIZE_1_7, 72u);
  EXPECT_EQ(offsetof(FerrySourceApi, acknowledged), 72u);  // 1.8 appended acknowledged
  EXPECT_EQ(sizeof(FerrySourceApi), 80u);
}

TEST(AbiLayout, HostAndOpenArgsAreFrozen) {
  EXPECT_EQ(sizeof(FerryHost), 72u);
  EXPECT_EQ(offsetof(FerryHost, host_data), 8u);
  EXPECT_EQ(offsetof(FerryHost, log), 16u);
  EXPECT_EQ(offsetof(FerryHost, counter_add), 56u);
  EXPECT_EQ(offsetof(FerryHost, gauge_set), 64u);  // 1.9 appended gauge_set
  EXPECT_EQ(sizeof(FerryOpenArgs), 176u);
  EXPECT_EQ(offsetof(FerryOpenArgs, config_json), 16u);
  EXPECT_EQ(offsetof(FerryOpenArgs, base_dir), 80u);
  EXPECT_EQ(offsetof(FerryOpenArgs, max_batch_records), 96u);
  EXPECT_EQ(offsetof(FerryOpenArgs, window_end), 144u);
  EXPECT_EQ(offsetof(FerryOpenArgs, options), 160u);  // 1.4 appended options, n_options
  EXPECT_EQ(sizeof(FerryOptionValue), 56u);
  EXPECT_EQ(offsetof(FerryOptionValue, as), 24u);
  EXPECT_EQ(offsetof(FerryOptionValue, json), 40u);
  EXPECT_EQ(FERRY_CHECKPOINT_SIZE_1_5, 72u);  // the 1.5 layout; 1.6 appended fence_token
  EXPECT_EQ(FERRY_CHECKPOINT_SIZE_1_9, 80u);  // the 1.6 to 1.9 layout; 1.10 appended flags
  EXPECT_EQ(sizeof(FerryCheckpoint), 88u);
  EXPECT_EQ(offsetof(FerryCheckpoint, position), 40u);
  EXPECT_EQ(sizeof(FerryErrantRecord), 88u);
}

TEST(AbiLayout, TablesAreFrozen) {
  // 1.0 source table ends before `estimate`; 1.1 appended it.
  EXPECT_EQ(FERRY_SOURCE_API_SIZE_1_0, 48u);
  EXPECT_EQ(FERRY_SOURCE_API_SIZE_1_4, 56u);  // the 1.4 layout; 1.5 appended (SourceTableOnlyGrowsAtItsEnd)
  EXPECT_EQ(offsetof(FerrySourceApi, next), 32u);
  EXPECT_EQ(sizeof(FerryTransformApi), 32u);
  EXPECT_EQ(FERRY_SINK_API_SIZE_1_5, 56u);  // the 1.5 layout; 1.6 appended `fence`
  EXPECT_EQ(FERRY_SINK_API_SIZE_1_9, 64u);  // the 1.6 to 1.9 layout; 1.10 appended `await_commit`
  EXPECT_EQ(sizeof(FerrySinkApi), 72u);
  EXPECT_EQ(offsetof(FerrySinkApi, commit), 24u);
  EXPECT_EQ(offsetof(FerrySinkApi, checkpoint), 40u);
  EXPECT_EQ(sizeof(FerryCheckpointHookApi), 32u);
  EXPECT_EQ(sizeof(FerryBacklogHookApi), 32u);
  EXPECT_EQ(FERRY_PLUGIN_API_SIZE_1_1, 48u);  // 1.2 appended `orchestrator`
  EXPECT_EQ(FERRY_PLUGIN_API_SIZE_1_2, 56u);  // 1.3 appended `check_config`
  EXPECT_EQ(FERRY_PLUGIN_API_SIZE_1_3, 64u);
  EXPECT_EQ(FERRY_PLUGIN_API_SIZE(FERRY_ABI_VERSION_1_0), FERRY_PLUGIN_API_SIZE_1_1);  // 1.1 added no field here
  EXPECT_EQ(FERRY_PLUGIN_API_SIZE(FERRY_ABI_VERSION_1_2), FERRY_PLUGIN_API_SIZE_1_2);
  EXPECT_EQ(FERRY_PLUGIN_API_SIZE(FERRY_ABI_VERSION_CURRENT), sizeof(FerryPluginApi));
  EXPECT_EQ(sizeof(FerryPluginApi), 64u);
  EXPECT_EQ(sizeof(FerryOrchestratorApi), 32u);
  EXPECT_EQ(sizeof(FerryMachineFacts), 32u);
  EXPECT_EQ(sizeof(FerryPartitionInfo), 32u);
  EXPECT_EQ(sizeof(FerryPlan), 16u);
  EXPECT_EQ(sizeof(FerryCheckpointEvent), 96u);
  EXPECT_EQ(offsetof(FerryCheckpointEvent, batch), 88u);
  EXPECT_EQ(sizeof(FerryBacklogEvent), 120u);
  EXPECT_EQ(offsetof(FerryBacklogEvent, message), 96u);
  EXPECT_EQ(sizeof(FerryOptionSpec), 32u);
  EXPECT_EQ(sizeof(FerryKindSpec), 32u);
  EXPECT_EQ(sizeof(FerryPluginDescriptor), 48u);
  EXPECT_EQ(offsetof(FerryPluginDescriptor, abi_version), 4u);
  EXPECT_EQ(offsetof(FerryPluginDescriptor, name), 8u);
}

TEST(AbiLayout, StatusCodesAreFrozen) {
  EXPECT_EQ(FERRY_OK, 0);
  EXPECT_EQ(FERRY_END_OF_STREAM, 1);
  EXPECT_EQ(FERRY_RETRY, 2);
  EXPECT_EQ(FERRY_INVALID_DATA, 3);
  EXPECT_EQ(FERRY_NOT_IMPLEMENTED, 4);
  EXPECT_EQ(FERRY_STOP, 5);
  EXPECT_EQ(FERRY_ERROR_CONFIG, 10);
  EXPECT_EQ(FERRY_ERROR_CANCELLED, 14);
  EXPECT_EQ(FERRY_ABI_VERSION_1_1, 0x00010001u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_2, 0x00010002u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_3, 0x00010003u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_4, 0x00010004u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_5, 0x00010005u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_6, 0x00010006u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_7, 0x00010007u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_9, 0x00010009u);
  EXPECT_EQ(FERRY_ABI_VERSION_1_10, 0x0001000Au);
  EXPECT_EQ(FERRY_ABI_VERSION_1_11, 0x0001000Bu);
  EXPECT_EQ(FERRY_ABI_VERSION_1_12, 0x0001000Cu);
  EXPECT_EQ(FERRY_OPTION_DESTINATION, 4u);
  EXPECT_EQ(FERRY_OPTION_PATH, 8u);
  EXPECT_EQ(FERRY_CAP_NAMED_BY_BATCH, 32u);
  EXPECT_EQ(FERRY_FENCED, 6);
  EXPECT_EQ(FERRY_PENDING, 7);
  EXPECT_EQ(FERRY_CAP_DEFERRED_COMMIT, 16u);
  EXPECT_EQ(FERRY_COMMIT_MAY_DEFER, 1u);
  EXPECT_EQ(FERRY_CAP_FENCED, 4u);
  EXPECT_EQ(FERRY_CAP_SINGLE_WRITER, 8u);
  EXPECT_EQ(FERRY_KIND_ORCHESTRATOR, 32u);
}

TEST(AbiNegotiation, BundledPluginSpeaksTheCurrentVersion) {
  auto p = LoadedPlugin::load(bundled("ferry-generator.so"));
  EXPECT_EQ(p->name(), "generator");
  EXPECT_EQ(p->abi_version(), FERRY_ABI_VERSION_1_12);
  EXPECT_TRUE(p->source_has_estimate());
  EXPECT_TRUE(p->source_has_descriptors());
  // It keeps Source's acknowledged, which does nothing: the slot stays NULL.
  EXPECT_FALSE(p->source_takes_acknowledgements());
  EXPECT_NE(p->check_config(), nullptr);
}

TEST(AbiNegotiation, ACppSourceThatOverridesAcknowledgedFillsItsSlot) {
  // postgres-cdc releases a replication slot's WAL on acknowledgement.
  auto p = LoadedPlugin::load(bundled("ferry-postgres-cdc.so"));
  ASSERT_NE(p->source(), nullptr);
  EXPECT_TRUE(p->source_takes_acknowledgements());
}

TEST(AbiNegotiation, PluginBuiltForOlderMinorLoadsAfterWalkingDown) {
  // The fixture answers NOT_IMPLEMENTED to 1.4, 1.3, 1.2 and 1.1, so the host
  // must offer 1.0, and must not use the later slots its tables lack.
  auto p = LoadedPlugin::load(fixture("abi_v1_0_source.so"));
  EXPECT_EQ(p->name(), "abi-v1-0-source");
  EXPECT_EQ(p->abi_version(), FERRY_ABI_VERSION_1_0);
  ASSERT_NE(p->source(), nullptr);
  EXPECT_EQ(p->source()->struct_size, FERRY_SOURCE_API_SIZE_1_0);
  EXPECT_FALSE(p->source_has_estimate());
  EXPECT_FALSE(p->source_has_descriptors());
  EXPECT_FALSE(p->source_takes_acknowledgements());  // its table ends before the slot
  EXPECT_EQ(p->orchestrator(), nullptr);
  EXPECT_EQ(p->check_config(), nullptr);
}

TEST(AbiNegotiation, OnlyASinkThatDeclaresItAndFillsTheSlotIsFenced) {
  // The postgres sink declares FERRY_CAP_FENCED and fills fence(); a sink
  // of the same SDK that does not declare it is never fenced, although the
  // SDK fills its slot (with NOT_IMPLEMENTED).
  EXPECT_TRUE(LoadedPlugin::load(bundled("ferry-postgres.so"))->sink_can_fence());
  EXPECT_FALSE(LoadedPlugin::load(bundled("ferry-sqlite.so"))->sink_can_fence());
  EXPECT_FALSE(LoadedPlugin::load(bundled("ferry-null.so"))->sink_can_fence());
}

TEST(AbiNegotiation, OldMinorPluginRunsInAPipeline) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({
    "name": "old", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "abi-v1-0-source", "config": {"count": 7}},
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "."}}]})");
  auto r = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string rows = ferry::test::read_file(dir.file("rows.txt"));
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 7);
  EXPECT_NE(rows.find("only\t7\t7\n"), std::string::npos) << rows;
}

TEST(AbiNegotiation, UnknownMajorVersionIsRefusedBeforeAnyPluginCodeRuns) {
  ferry::test::TempDir dir;
  std::string marker = dir.file("ran");
  setenv("FERRY_TEST_MARKER", marker.c_str(), 1);
  std::string msg = load_error(fixture("abi_v2_plugin.so"));
  unsetenv("FERRY_TEST_MARKER");
  EXPECT_NE(msg.find(fixture("abi_v2_plugin.so")), std::string::npos) << msg;
  EXPECT_NE(msg.find("built for Ferry plugin ABI 2.0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("this host speaks ABI 1.12"), std::string::npos) << msg;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the plugin's constructor ran";
}

TEST(AbiNegotiation, LibraryWithoutEntryPointIsRefused) {
  std::string msg = load_error(fixture("no_entry_plugin.so"));
  EXPECT_EQ(msg, "plugin " + fixture("no_entry_plugin.so") +
                     ": is not a Ferry plugin: it does not export ferry_plugin_descriptor");
}

TEST(AbiNegotiation, FileThatIsNotALibraryIsRefused) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("fake.so"), "hello, not an ELF file");
  EXPECT_EQ(load_error(dir.file("fake.so")), "plugin " + dir.file("fake.so") + ": not an ELF file");
  EXPECT_EQ(load_error(dir.file("missing.so")), "plugin " + dir.file("missing.so") + ": no such file");
}

TEST(AbiNegotiation, PipelineNamingAnIncompatiblePluginSaysWhy) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({
    "name": "x", "source": {"plugin": "generator"},
    "sinks": [{"name": "out", "plugin": "future-plugin"}]})");
  auto r = ferry::test::ferry({"validate", dir.file("p.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown plugin 'future-plugin'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("built for Ferry plugin ABI 2.0"), std::string::npos) << r.err;
}

// ABI 1.3: what only the plugin can check (an S3 key template that names the
// clock, a rule whose pattern does not compile) is reported by `ferry
// validate` at the stage's config, and stops `ferry run` before any instance
// opens: the S3 endpoint is a closed port, and nobody connects to it.
TEST(AbiCheckConfig, PluginChecksAreReportedByValidateAndStopARunBeforeOpen) {
  ferry::test::TempDir dir;
  const ferry::test::RefusedPort closed;
  ferry::test::write_file(dir.file("p.json"), R"({
    "name": "checked", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "transforms": [{"name": "rules", "plugin": "validate",
                    "config": {"rules": {"code": {"pattern": "[a-z"}}}}],
    "sinks": [{"name": "lake", "plugin": "s3",
               "config": {"endpoint": "http://127.0.0.1:)" + std::to_string(closed.port()) + R"(",
                          "bucket": "ferry-checks", "access_key_id": "AKIDEXAMPLE",
                          "secret_access_key": "not-a-real-secret", "key_template": "{now}/{partition}/{first_position}"}}]})");
  auto v = ferry::test::ferry({"validate", dir.file("p.json")});
  EXPECT_EQ(v.exit_code, 2) << v.out << v.err;
  EXPECT_NE(v.err.find("/transforms/0/config"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("/sinks/0/config"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("option 'key_template'"), std::string::npos) << v.err;

  auto r = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("option 'key_template'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("connect"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("state.db"))) << "the run got past validation";

  // Fixed, the same pipeline validates.
  std::string fixed = ferry::test::read_file(dir.file("p.json"));
  fixed.replace(fixed.find("[a-z"), 4, "[a-z]+");
  fixed.replace(fixed.find("{now}/"), 6, "");
  ferry::test::write_file(dir.file("p.json"), fixed);
  auto ok = ferry::test::ferry({"validate", dir.file("p.json")});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}
