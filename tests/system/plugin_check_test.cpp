// The conformance kit (`ferry plugin check`) on plugins that keep the
// contract and on fixtures that each break one rule it must catch.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::ProcessResult;

struct Checked {
  ProcessResult process;
  std::map<std::string, std::string> results;  // check -> pass / FAIL / skip
};

Checked check(const std::string& library, const std::vector<std::string>& extra = {},
              const std::string& cwd = "") {
  std::vector<std::string> argv = {FERRY_TEST_BINARY, "plugin", "check", library, "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Checked c;
  if (!cwd.empty())  // relative paths in the configuration resolve against the working directory
    argv.insert(argv.begin(), {"/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", cwd});
  c.process = ferry::test::run_process(argv);
  const boost::json::value out = boost::json::parse(c.process.out);
  for (const auto& r : out.at("checks").as_array())
    c.results[std::string(r.at("check").as_string())] = std::string(r.at("result").as_string());
  return c;
}

std::string failed_checks(const Checked& c) {
  std::string names;
  for (const auto& [name, result] : c.results)
    if (result == "FAIL") names += (names.empty() ? "" : ", ") + name;
  return names;
}

const std::string kFixtures = FERRY_TEST_FIXTURE_DIR "/conformance/";

// The fixtures' sink appends committed ids to the file option "out" names;
// --count-rows counts its lines.
std::vector<std::string> counted(const ferry::test::TempDir& dir, const std::string& name) {
  const std::string out = dir.file(name + ".ids");
  return {"--config", "{\"out\": \"" + out + "\"}", "--count-rows", "cat '" + out + "' 2>/dev/null | wc -l"};
}

TEST(PluginCheck, AFixtureThatKeepsTheContractPassesEveryCheck) {
  ferry::test::TempDir dir;
  const Checked c = check(kFixtures + "conformance_good.so", counted(dir, "good"));
  EXPECT_EQ(c.process.exit_code, 0) << c.process.out << c.process.err;
  EXPECT_EQ(failed_checks(c), "");
  for (const char* name : {"exports", "load", "name", "negotiation", "options declared", "source: read to the end",
                           "source: batches released once", "source: resumes exactly",
                           "sink: write, abort, write, commit", "sink: per-row outcomes", "sink: commits once",
                           "sink: checkpoint held", "sink: fenced"})
    EXPECT_EQ(c.results.count(name) ? c.results.at(name) : "missing", "pass") << name;
}

// One fixture per fault; the kit names the check it breaks.
TEST(PluginCheck, EachSeededFaultIsCaughtByItsCheck) {
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"export", "exports"},
      {"name", "name"},
      {"overrun", "negotiation"},
      {"default", "options declared"},
      {"refuse", "sink: configuration"},
      {"outcome", "sink: per-row outcomes"},
      {"silent", "sink: errors carry messages"},
      {"forget", "sink: checkpoint held"},
      {"resume", "source: resumes exactly"},
      {"release", "source: batches released once"},
      {"abort", "sink: commits once"},
      {"stale", "sink: errors carry messages"},
      {"fence", "sink: fenced"},
  };
  ferry::test::TempDir dir;
  for (const auto& [fault, caught_by] : faults) {
    const Checked c = check(kFixtures + "conformance_" + fault + ".so", counted(dir, fault));
    EXPECT_EQ(c.process.exit_code, 1) << fault << ": " << c.process.out << c.process.err;
    EXPECT_EQ(c.results.count(caught_by) ? c.results.at(caught_by) : "missing", "FAIL")
        << fault << " should fail '" << caught_by << "'; failed: " << failed_checks(c);
  }
}

TEST(PluginCheck, BundledPluginsPassWithTheirConfiguration) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("in.jsonl"), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":\"x\"}\n{\"a\":5}\n");
  const std::string plugins = FERRY_TEST_PLUGIN_DIR "/";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"ferry-sqlite.so",
       {"--config", R"({"path": "out.db", "table": "t"})", "--count-rows",
        "sqlite3 out.db 'SELECT count(*) FROM t' 2>/dev/null || echo 0"}},
      {"ferry-null.so", {}},
      {"ferry-generator.so", {"--config", R"({"count": 100, "partitions": 3})"}},
      {"ferry-file.so", {"--kind", "source", "--config", R"({"paths": ["in.jsonl"], "format": "jsonl"})"}},
      {"ferry-map.so", {"--config", R"({"rename": {"name": "label"}})"}},
      {"ferry-validate.so", {"--config", R"({"rules": {"id": {"min": 2}}})"}},
  };
  for (const auto& [file, args] : cases) {
    const Checked c = check(plugins + file, args, dir.path().string());
    EXPECT_EQ(c.process.exit_code, 0) << file << ": " << c.process.out << c.process.err;
    EXPECT_EQ(failed_checks(c), "") << file;
  }
  // The transactional sink's checkpoint and its target's rows were
  // checked, not skipped.
  const Checked sqlite = check(plugins + "ferry-sqlite.so",
                               {"--config", R"({"path": "again.db", "table": "t"})", "--count-rows",
                                "sqlite3 again.db 'SELECT count(*) FROM t' 2>/dev/null || echo 0"},
                               dir.path().string());
  EXPECT_EQ(sqlite.results.at("sink: checkpoint held"), "pass");
  EXPECT_EQ(sqlite.results.at("sink: commits once"), "pass");
}

TEST(PluginCheck, AConfigurationTheOptionsRefuseIsReportedNotRun) {
  const Checked c = check(FERRY_TEST_PLUGIN_DIR "/ferry-sqlite.so", {"--config", R"({"table": "t"})"});
  EXPECT_EQ(c.process.exit_code, 1);
  EXPECT_EQ(c.results.at("sink: configuration"), "FAIL");
  EXPECT_EQ(c.results.count("sink: write, abort, write, commit"), 0u);
  EXPECT_NE(c.process.out.find("missing required option 'path'"), std::string::npos) << c.process.out;
}

TEST(PluginCheck, AFileThatIsNotAPluginFailsTheFirstChecks) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("junk.so"), "not an ELF file");
  const Checked c = check(dir.file("junk.so"));
  EXPECT_EQ(c.process.exit_code, 1);
  EXPECT_EQ(c.results.at("exports"), "FAIL");
  EXPECT_EQ(c.results.at("load"), "FAIL");
}

}  // namespace
