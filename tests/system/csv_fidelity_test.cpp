// A CSV file with a malformed record loads every other record: an
// unterminated quoted field is one DLQ entry naming its file and line, and
// parsing resumes at the next line instead of swallowing the rest.
#include <gtest/gtest.h>

#include "support/scenario_env.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;
using ferry::test::sqlite_rows;

std::string csv_pipeline() {
  return R"({"name": "csv", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "data.csv", "key": "id"}},
    "batch": {"max_records": 1000},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})";
}

int64_t count(const ScenarioDir& d, const std::string& sql) {
  auto r = sqlite_rows(d.file("out.db"), sql);
  return r.empty() ? -1 : std::stoll(r[0][0]);
}

TEST(CsvFidelity, AStrayQuoteCostsOneRecordNotTheRestOfTheFile) {
  ScenarioDir d("csv");
  std::string csv = "id,name,note\n1,one,fine\n2,\"two,broken\n";
  // Most lines have no quote at all (so a quote left open runs far); one in
  // a thousand has a quoted field.
  for (int i = 3; i <= 100000; ++i)
    csv += std::to_string(i) + ",n" + std::to_string(i) + (i % 1000 == 0 ? ",\"quoted, ok\"\n" : ",plain\n");
  ferry::test::write_file(d.file("data.csv"), csv);
  d.define(csv_pipeline());
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("written 99999, rejected 1"), std::string::npos) << r.out;
  EXPECT_EQ(count(d, "SELECT count(*) FROM t"), 99999);
  EXPECT_EQ(count(d, "SELECT count(*) FROM t WHERE id = 2"), 0);
  EXPECT_EQ(count(d, "SELECT count(*) FROM t WHERE note = 'quoted, ok'"), 100);
  auto dlq = d.dlq(DlqStatus::Pending);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].message.find("data.csv:3"), std::string::npos) << dlq[0].message;
  EXPECT_NE(dlq[0].record_json.find("two,broken"), std::string::npos) << dlq[0].record_json;
  EXPECT_EQ(dlq[0].record_json.find("n3"), std::string::npos) << "the next line went with it";
}

TEST(CsvFidelity, AnUnterminatedQuoteOnTheLastLineIsOneEntry) {
  ScenarioDir d("csv");
  ferry::test::write_file(d.file("data.csv"), "id,name,note\n1,one,a\n2,two,b\n3,\"three,c\n");
  d.define(csv_pipeline());
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(d, "SELECT count(*) FROM t"), 2);
  ASSERT_EQ(d.dlq(DlqStatus::Pending).size(), 1u);
  // Nothing is read twice by the next run.
  ASSERT_EQ(d.run().exit_code, 0);
  EXPECT_EQ(count(d, "SELECT count(*) FROM t"), 2);
  EXPECT_EQ(d.dlq(DlqStatus::Pending).size(), 1u);
}

TEST(CsvFidelity, AQuotedFieldThatSpansLinesStillLoads) {
  ScenarioDir d("csv");
  ferry::test::write_file(d.file("data.csv"),
                          "id,name,note\n1,one,\"two\nlines\"\n2,\"a \"\"quoted\"\" name\",x\n3,three,y\n");
  d.define(csv_pipeline());
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(d, "SELECT count(*) FROM t"), 3);
  EXPECT_EQ(count(d, "SELECT count(*) FROM t WHERE note = 'two\nlines'"), 1);
  EXPECT_EQ(count(d, "SELECT count(*) FROM t WHERE name = 'a \"quoted\" name'"), 1);
  EXPECT_TRUE(d.dlq().empty());
}

// A quoted field that closes makes one record of its lines, whatever else
// is wrong with it: lines inside the field are never read as records of
// their own (here one would have overwritten row 1).
TEST(CsvFidelity, AClosedQuotedFieldKeepsItsLinesInOneRecordEvenWhenTheRecordIsRejected) {
  ScenarioDir d("csv");
  ferry::test::write_file(d.file("data.csv"),
                          "id,name,note\n1,alice,a\n2,\"free text\n1,OVERWRITTEN,x\nmore\",oops,extra\n3,carol,c\n");
  d.define(R"({"name": "csv", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "data.csv", "key": "id", "columns_types": {"id": "int64"}}},
    "sinks": [{"name": "db", "plugin": "sqlite",
               "config": {"path": "out.db", "table": "t", "mode": "upsert", "key": ["id"]}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sqlite_rows(d.file("out.db"), "SELECT id, name FROM t ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "alice"}, {"3", "carol"}}));
  auto dlq = d.dlq(DlqStatus::Pending);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].message.find("data.csv:3"), std::string::npos) << dlq[0].message;
  EXPECT_NE(dlq[0].message.find("expected 3 fields, found 4"), std::string::npos) << dlq[0].message;
  EXPECT_NE(dlq[0].message.find("lines 3 to 5"), std::string::npos) << dlq[0].message;
  // The entry holds the whole record, to be fixed and replayed.
  EXPECT_NE(dlq[0].record_json.find("OVERWRITTEN"), std::string::npos) << dlq[0].record_json;
  EXPECT_NE(dlq[0].record_json.find("extra"), std::string::npos) << dlq[0].record_json;
}

// A quoted field that closes but makes its record longer than
// max_record_bytes is that one record, rejected whole: its lines were read
// as 38 records of their own (and loaded) before.
TEST(CsvFidelity, ARecordTooLongBecauseOfAClosedQuotedFieldIsRejectedWhole) {
  ScenarioDir d("csv");
  std::string note;
  for (int i = 0; i < 40; ++i) note += (i ? "\n" : "") + std::string("note0") + (i < 10 ? "0" : "") +
                                       std::to_string(i) + ",text of the long note";
  ferry::test::write_file(d.file("data.csv"), "id,note\n1,a\n2,\"" + note + "\"\n3,c\n");
  d.define(R"({"name": "csv", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "data.csv", "key": "id", "max_record_bytes": 1024}},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sqlite_rows(d.file("out.db"), "SELECT id, note FROM t ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "a"}, {"3", "c"}}));
  auto dlq = d.dlq(DlqStatus::Pending);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].message.find("data.csv:3: record longer than 1024 bytes"), std::string::npos)
      << dlq[0].message;
  EXPECT_EQ(dlq[0].message.find("not well-formed"), std::string::npos) << dlq[0].message;
  // The payload is the record's start, past its first line.
  EXPECT_NE(dlq[0].record_json.find("note005"), std::string::npos) << dlq[0].record_json;
}

}  // namespace
