// What the loader says about plugin files that work but are built or placed
// wrongly: a name shadowed by an earlier file on the plugin path, symbols
// exported besides the two entry points, a name pipelines cannot use.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::ProcessResult;

// A working sink, built without hidden visibility or the export map, so
// `helper_one` leaves the .so too.
constexpr const char* kLeakySink = R"(#include <ferry/plugin.h>
static FerryStatus op(const FerryOpenArgs* a, FerryInstance* out) { (void)a; *out = (FerryInstance)1; return FERRY_OK; }
static FerryStatus wr(FerryInstance s, const FerryBatch* b, FerryRecordOutcome* o) { (void)s; (void)b; (void)o; return FERRY_OK; }
static FerryStatus cm(FerryInstance s, const FerryCheckpoint* c) { (void)s; (void)c; return FERRY_OK; }
static FerryStatus ab(FerryInstance s) { (void)s; return FERRY_OK; }
static FerryStatus cp(FerryInstance s, FerryBytes p, FerryBytes* pos, int32_t* found) {
  (void)s; (void)p; pos->data = 0; pos->size = 0; *found = 0; return FERRY_OK; }
static void cl(FerryInstance s) { (void)s; }
static const FerrySinkApi kSink = {sizeof(FerrySinkApi), 0, op, wr, cm, ab, cp, cl, NULL, NULL};
static const FerryKindSpec kKinds[] = {{FERRY_KIND_SINK, 0, "leaky", 0, 0}};
int helper_one(void) { return 1; }
const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, NAME, "1.0.0", "leaky", kKinds, 1};
FerryStatus ferry_plugin_init(uint32_t v, FerryPluginApi* api) {
  if (!ferry_plugin_api_accept(v, api)) return FERRY_NOT_IMPLEMENTED;
  api->sink = &kSink;
  return FERRY_OK;
}
)";

ProcessResult plugins(const std::vector<std::string>& paths) {
  std::vector<std::string> argv = {FERRY_TEST_BINARY};
  for (const std::string& p : paths) {
    argv.push_back("--plugin-path");
    argv.push_back(p);
  }
  argv.push_back("plugins");
  return ferry::test::run_process(argv);
}

std::string build_leaky(const ferry::test::TempDir& dir, const std::string& name) {
  const std::string src = dir.file("leaky.c");
  ferry::test::write_file(src, kLeakySink);
  const std::string out = dir.file("leaky.so");
  const ProcessResult cc = ferry::test::run_process(
      {"/usr/bin/cc", "-shared", "-fPIC", "-I" FERRY_SOURCE_DIR "/sdk/include", "-DNAME=\"" + name + "\"", src, "-o", out});
  EXPECT_EQ(cc.exit_code, 0) << cc.err;
  return out;
}

TEST(PluginLoadWarnings, ExtraExportsAndAnInvalidNameAreNamedButThePluginLoads) {
  ferry::test::TempDir dir;
  const std::string so = build_leaky(dir, "Bad Name!");
  const ProcessResult r = plugins({dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Bad Name!"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("plugin " + so + ": its name 'Bad Name!' is not a valid plugin name"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("plugin " + so + ": exports 1 symbol(s) besides the two entry points (helper_one)"),
            std::string::npos)
      << r.err;
}

TEST(PluginLoadWarnings, AShadowedPluginNamesBothFilesAndWhichIsUsed) {
  ferry::test::TempDir dir;
  const std::string copy = dir.file("ferry-null.so");
  std::filesystem::copy_file(FERRY_TEST_PLUGIN_DIR "/ferry-null.so", copy);
  const ProcessResult r = plugins({dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("plugin 'null' in " + std::filesystem::canonical(FERRY_TEST_PLUGIN_DIR "/ferry-null.so")
                                                 .string() +
                       " is shadowed by " + copy + ", found first on the plugin path; using that one"),
            std::string::npos)
      << r.err;
}

// The bundled plugins and the test fixtures are built as authors are told
// to: nothing to warn about (the fixtures that are broken on purpose are
// still listed as refused).
TEST(PluginLoadWarnings, BundledAndFixturePluginsLoadWithoutAWarning) {
  const ProcessResult r = plugins({FERRY_TEST_FIXTURE_DIR});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* warning : {"shadowed", "besides the two entry points", "not a valid plugin name"})
    EXPECT_EQ(r.err.find(warning), std::string::npos) << r.err;
}

}  // namespace
