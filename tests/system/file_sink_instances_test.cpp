// Several instances of the file sink in one process (a run's workers with
// `parallelism` above 1, a backfill's windows in parallel) stage into one
// directory. Each instance's staged files must stay its own: two instances
// once staged under the same temporary name, and one batch's file was
// renamed into place holding the other's rows (records lost in one
// partition, twice in another, with both checkpoints moved on).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <ferry/testing/handles.hpp>
#include <ferry/testing/values.hpp>

#include "support/plugin_harness.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::Row;
using ferry::test::Value;

ferry::test::OpenParams in_dir(const std::string& dir) {
  ferry::test::OpenParams p;
  p.config_json = R"({"directory": ")" + dir + R"("})";
  return p;
}

ferry::test::OwnedBatch ids(const std::string& partition, int from, int to) {
  std::vector<Row> rows;
  for (int i = from; i <= to; ++i) {
    Row r;
    r.values = {Value::string(partition + std::to_string(i))};
    r.key = partition + std::to_string(i);
    r.position = std::to_string(i);
    rows.push_back(r);
  }
  return make_batch({{"id", FERRY_TYPE_STRING}}, rows, partition, std::to_string(to));
}

// file name -> its lines
std::map<std::string, std::string> outputs(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    files[e.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

TEST(FileSinkInstances, TwoInstancesStagingAtOnceKeepTheirOwnRows) {
  ferry::test::TempDir tmp;
  const std::string dir = tmp.path().string() + "/out";
  ferry::test::Plugin plugin(ferry::test::plugin_path("file"));
  ferry::test::SinkHandle a(plugin, in_dir(dir));
  ferry::test::SinkHandle b(plugin, in_dir(dir));
  ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(b.open_status(), FERRY_OK) << b.host().last_error();
  ASSERT_EQ(a.write(ids("a", 1, 3)), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(b.write(ids("b", 1, 3)), FERRY_OK) << b.host().last_error();
  ASSERT_EQ(a.commit("a", "3"), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(b.commit("b", "3"), FERRY_OK) << b.host().last_error();
  const auto files = outputs(dir);
  ASSERT_EQ(files.size(), 2u);
  for (const auto& [name, text] : files) {
    const std::string own = name.find("pipeline-a_") != std::string::npos ? "a" : "b";
    const std::string other = own == "a" ? "b" : "a";
    EXPECT_NE(text.find("\"" + own + "1\""), std::string::npos) << name << ": " << text;
    EXPECT_EQ(text.find("\"" + other), std::string::npos) << name << " holds rows of partition " << other << ": "
                                                          << text;
  }
}

// An instance opened while another of the same process has a batch staged
// leaves that batch alone: only temporary files of processes that are gone
// are leftovers.
TEST(FileSinkInstances, OpeningAnInstanceKeepsWhatALiveOneStaged) {
  ferry::test::TempDir tmp;
  const std::string dir = tmp.path().string() + "/out";
  ferry::test::Plugin plugin(ferry::test::plugin_path("file"));
  ferry::test::SinkHandle a(plugin, in_dir(dir));
  ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(a.write(ids("a", 1, 3)), FERRY_OK) << a.host().last_error();
  // A temporary file a crashed process left (pid 2^22 + 1 is above
  // pid_max's largest value, so no process has it).
  std::ofstream(dir + "/.tmp-test-pipeline-4194305-0") << "half a batch";
  ferry::test::SinkHandle b(plugin, in_dir(dir));
  ASSERT_EQ(b.open_status(), FERRY_OK) << b.host().last_error();
  ASSERT_EQ(a.commit("a", "3"), FERRY_OK) << a.host().last_error();
  const auto files = outputs(dir);
  ASSERT_EQ(files.size(), 1u) << "the leftover was to be removed, and a's batch renamed into place";
  EXPECT_NE(files.begin()->second.find("\"a3\""), std::string::npos);
}

}  // namespace
