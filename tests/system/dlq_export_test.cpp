// `ferry dlq export`: every selected entry once, in id order, as JSON
// Lines, read page by page (so a queue larger than one page comes out
// whole), with --limit for a sample.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

std::vector<boost::json::object> json_lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out.push_back(boost::json::parse(line).as_object());
  return out;
}

class DlqExport : public ::testing::Test {
 protected:
  // 2,500 malformed lines among 500 good ones: 2,500 pending entries,
  // more than two pages of the export's reads.
  void SetUp() override {
    std::ofstream data(dir_.file("in.jsonl"));
    for (int i = 1; i <= 3000; ++i) {
      if (i % 6 == 0) data << "{\"id\": " << i << "}\n";
      else data << "{\"id\": " << i << ", broken\n";
    }
    data.close();
    ferry::test::write_file(dir_.file("p.json"), R"({"name": "ex", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "in.jsonl"}},
      "sinks": [{"name": "n", "plugin": "null", "config": {}}]})");
    auto r = ferry::test::ferry({"run", "--no-progress", dir_.file("p.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_NE(r.out.find("rejected 2500"), std::string::npos) << r.out;
  }
  TempDir dir_;
};

TEST_F(DlqExport, EveryEntryOnceInIdOrder) {
  auto r = ferry::test::ferry({"dlq", "export", dir_.file("p.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto entries = json_lines(r.out);
  ASSERT_EQ(entries.size(), 2500u);
  for (size_t i = 1; i < entries.size(); ++i)
    ASSERT_LT(entries[i - 1].at("id").as_int64(), entries[i].at("id").as_int64()) << "entry " << i;
  EXPECT_EQ(std::string(entries.front().at("status").as_string()), "pending");
}

TEST_F(DlqExport, LimitTakesTheFirstEntriesOnly) {
  auto all = ferry::test::ferry({"dlq", "export", dir_.file("p.json")});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  auto r = ferry::test::ferry({"dlq", "export", dir_.file("p.json"), "--limit", "1200", "-o", dir_.file("out.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("exported 1200 entries"), std::string::npos) << r.err;
  const auto some = json_lines(ferry::test::slurp(dir_.file("out.jsonl")));
  const auto every = json_lines(all.out);
  ASSERT_EQ(some.size(), 1200u);
  for (size_t i = 0; i < some.size(); ++i) ASSERT_EQ(some[i].at("id"), every[i].at("id")) << "entry " << i;

  auto bad = ferry::test::ferry({"dlq", "export", dir_.file("p.json"), "--limit", "-3"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--limit"), std::string::npos) << bad.err;
}

}  // namespace
