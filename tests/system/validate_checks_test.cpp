// `ferry validate` finds what `ferry run` would refuse at once, without
// connecting anywhere: a missing input file, an upsert without a key, a CSV
// delimiter of two characters.
#include <gtest/gtest.h>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

void expect_invalid(const std::string& pipeline, const std::string& path, const std::string& says) {
  ScenarioDir d("v");
  ferry::test::write_file(d.file("in.csv"), "a,b\n1,2\n");
  d.define(pipeline);
  auto r = d.ferry_cmd("validate");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
}

void expect_valid(const std::string& pipeline) {
  ScenarioDir d("v");
  ferry::test::write_file(d.file("in.csv"), "a,b\n1,2\n");
  d.define(pipeline);
  auto r = d.ferry_cmd("validate");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ValidateChecks, AMissingInputFile) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "nope/*.csv"}},
    "sinks": [{"name": "n", "plugin": "null"}]})",
                 "/source/config", "nope/*.csv");
}

TEST(ValidateChecks, AnUpsertWithoutAKey) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "mode": "upsert"}}]})",
                 "/sinks/0/config", "needs option 'key'");
}

TEST(ValidateChecks, ACsvDelimiterOfTwoCharacters) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv", "delimiter": ";;"}},
    "sinks": [{"name": "n", "plugin": "null"}]})",
                 "/source/config", "option 'delimiter'");
}

TEST(ValidateChecks, AFileSinkPrefixOfOddCharacters) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out", "prefix": "a b"}}]})",
                 "/sinks/0/config", "option 'prefix'");
}

// A hook's own checks run too: a timeout of 0 used to pass validate and
// fail the run.
TEST(ValidateChecks, AWebhookTimeoutOutOfRange) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "n", "plugin": "null"}],
    "hooks": {"checkpoint": [{"plugin": "webhook", "config": {"url": "http://127.0.0.1:9/x", "timeout_ms": 0}}]}})",
                 "/hooks/checkpoint/0/config", "option 'timeout_ms'");
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "n", "plugin": "null"}],
    "hooks": {"backlog": [{"plugin": "webhook", "config": {"url": "file:///etc/passwd"}}]}})",
                 "/hooks/backlog/0/config", "must start with http:// or https://");
}

// Every sink gets the same records: two file sinks into one directory with
// one prefix wrote one set of files (the second overwrote the first's, with
// another op_field its content too), and a sqlite sink in the state store's
// file failed its first commit with "database is locked".
TEST(ValidateChecks, TwoSinksWritingToOnePlace) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}},
              {"name": "g", "plugin": "file", "config": {"directory": "./out/", "op_field": "_op"}}]})",
                 "/sinks/1/config", "sink 'g' writes where sink 'f' does (directory \"./out/\")");
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "sqlite", "config": {"path": "o.db", "table": "t"}},
              {"name": "b", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "mode": "upsert", "key": ["a"]}}]})",
                 "/sinks/1/config", "give one of them another path");
  // One database file per sqlite sink, whatever the tables (the sink takes
  // its file alone: a run refused the second at open).
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "sqlite", "config": {"path": "o.db", "table": "t"}},
              {"name": "b", "plugin": "sqlite", "config": {"path": "o.db", "table": "u"}}]})",
                 "/sinks/1/config", "sink 'b' writes where sink 'a' does (path \"o.db\")");
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "sqlite", "config": {"path": "o.db", "table": "t"}}],
    "state": {"type": "sqlite", "path": "o.db"}})",
                 "/sinks/0/config/path", "writes into the state store's database file");
  // A trailing '/' names the same place (an outside tester: two
  // Elasticsearch sinks wrote 4 documents for 2 records).
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "elasticsearch", "config": {"url": "http://127.0.0.1:9", "index": "t"}},
              {"name": "b", "plugin": "elasticsearch", "config": {"url": "http://127.0.0.1:9/", "index": "t",
                                                                  "id_field": "a"}}]})",
                 "/sinks/1/config", "sink 'b' writes where sink 'a' does");
  // Credentials in a URL are never quoted (a reviewer: the message printed
  // the password).
  ScenarioDir d("v");
  ferry::test::write_file(d.file("in.csv"), "a,b\n1,2\n");
  d.define(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "elasticsearch", "config": {"url": "http://elastic:Hunter2pw@127.0.0.1:9", "index": "t"}},
              {"name": "b", "plugin": "elasticsearch", "config": {"url": "http://elastic:Hunter2pw@127.0.0.1:9", "index": "t"}}]})");
  auto r = d.ferry_cmd("validate");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sink 'b' writes where sink 'a' does"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Hunter2pw"), std::string::npos) << r.err;
}

// Two SQL sinks on one database kept their checkpoints in one table, keyed
// by pipeline and partition: a batch one had committed counted as committed
// by the other after a crash, and never reached its table (a reviewer).
TEST(ValidateChecks, TwoSqlSinksSharingACheckpointTable) {
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "mysql", "config": {"user": "u", "database": "d", "table": "orders"}},
              {"name": "b", "plugin": "mysql", "config": {"user": "u", "database": "d", "table": "archive"}}]})",
                 "/sinks/1/config",
                 "sink 'b' keeps its checkpoints where sink 'a' does (host \"127.0.0.1\", port 3306, database "
                 "\"d\", checkpoint_table \"ferry_checkpoints\"): a batch one of them committed would count as "
                 "committed by both; give one of them another host, port, socket, database or checkpoint_table");
  expect_invalid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "postgres", "config": {"dsn": "host=h dbname=d password=Sekr1t99", "table": "orders"}},
              {"name": "b", "plugin": "postgres", "config": {"dsn": "host=h dbname=d password=Sekr1t99", "table": "archive"}}]})",
                 "/sinks/1/config", "sink 'b' keeps its checkpoints where sink 'a' does (dsn ***, checkpoint_table");
  expect_valid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "a", "plugin": "mysql", "config": {"user": "u", "database": "d", "table": "orders"}},
              {"name": "b", "plugin": "mysql", "config": {"user": "u", "database": "d", "table": "archive",
                                                          "checkpoint_table": "archive_checkpoints"}}]})");
}

TEST(ValidateChecks, SinksWithTheirOwnDestinationsValidate) {
  expect_valid(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}},
              {"name": "g", "plugin": "file", "config": {"directory": "out", "prefix": "g"}},
              {"name": "a", "plugin": "sqlite", "config": {"path": "o.db", "table": "t"}},
              {"name": "b", "plugin": "sqlite", "config": {"path": "p.db", "table": "t"}},
              {"name": "n", "plugin": "null"}, {"name": "m", "plugin": "null"}]})");
}

TEST(ValidateChecks, AValidPipelineStillValidatesAndCreatesNothing) {
  ScenarioDir d("v");
  ferry::test::write_file(d.file("in.csv"), "a,b\n1,2\n");
  d.define(R"({"name": "v", "source": {"plugin": "file", "config": {"paths": "in.csv"}},
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}}]})");
  auto r = d.ferry_cmd("validate");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(d.file("out"))) << "validate created the sink's directory";
}

}  // namespace
