// Replay delivers each DLQ entry to its sink, or leaves it in the DLQ:
// never "resolved" without being written, never written twice, and never
// through transforms the record already went through.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>


#include "support/scenario_env.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;
using ferry::test::sqlite_rows;

int64_t count_rows(const ScenarioDir& d, const std::string& db, const std::string& table) {
  auto r = sqlite_rows(d.file(db), "SELECT count(*) FROM " + table);
  return r.empty() ? -1 : std::stoll(r[0][0]);
}

void sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

// The reproduction from the review: a CHECK constraint rejects 4 of 20 rows;
// a replay while it still holds fails them again; once it is dropped, a
// replay of the failed_again entries must put the rows into the table.
TEST(ReplayDelivery, EntriesThatFailedAgainAreWrittenWhenTheSinkIsFixed) {
  ScenarioDir d("orders");
  std::string lines;
  for (int i = 1; i <= 20; ++i)
    lines += "{\"id\": " + std::to_string(i) + ", \"amount\": " + (i % 5 == 0 ? "-1" : std::to_string(i)) + "}\n";
  ferry::test::write_file(d.file("orders.jsonl"), lines);
  sqlite_exec(d.file("out.db"), "CREATE TABLE orders (id INTEGER, amount INTEGER CHECK (amount > 0))");
  d.define(R"({"name": "orders", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "orders.jsonl", "key": "id"}},
    "retry": {"max_attempts": 1},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "orders"}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_rows(d, "out.db", "orders"), 16);
  ASSERT_EQ(d.dlq(DlqStatus::Pending).size(), 4u);

  auto still_broken = d.replay();
  EXPECT_EQ(still_broken.exit_code, 1) << still_broken.err;
  EXPECT_EQ(d.dlq(DlqStatus::FailedAgain).size(), 4u) << still_broken.out;
  EXPECT_EQ(count_rows(d, "out.db", "orders"), 16);

  sqlite_exec(d.file("out.db"),
              "CREATE TABLE o2 (id INTEGER, amount INTEGER); INSERT INTO o2 SELECT * FROM orders; "
              "DROP TABLE orders; ALTER TABLE o2 RENAME TO orders");
  auto fixed = d.replay({"--status", "failed_again"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_NE(fixed.out.find("resolved 4"), std::string::npos) << fixed.out;
  EXPECT_EQ(count_rows(d, "out.db", "orders"), 20) << fixed.out;
  EXPECT_EQ(d.dlq(DlqStatus::Resolved).size(), 4u);
  // Nothing left to replay, and replaying again writes nothing twice.
  auto again = d.replay({"--status", "failed_again"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(count_rows(d, "out.db", "orders"), 20);
}

// A JSON value keeps its text through the DLQ and back: a number beyond
// double precision, 1.10 and -0 come back as written, not as a parser
// would print them (1.2345678901234568e+22, 1.1, 0).
TEST(ReplayDelivery, JsonValuesComeBackAsTheirExactText) {
  ScenarioDir d("docs");
  const std::string doc = R"({"x":12345678901234567890123,"y":1.10,"z":-0,"s":"\u00e9"})";
  ferry::test::write_file(d.file("docs.jsonl"), "{\"id\": 1, \"j\": " + doc + ", \"bad\": 1}\n" +
                                                    "{\"id\": 2, \"j\": " + doc + ", \"bad\": -1}\n");
  sqlite_exec(d.file("out.db"), "CREATE TABLE docs (id INTEGER, j TEXT, bad INTEGER CHECK (bad > 0))");
  d.define(R"({"name": "docs", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "docs.jsonl", "key": "id"}},
    "retry": {"max_attempts": 1},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "docs"}}]})");
  ASSERT_EQ(d.run().exit_code, 0);
  ASSERT_EQ(d.dlq(DlqStatus::Pending).size(), 1u);
  sqlite_exec(d.file("out.db"),
              "CREATE TABLE d2 (id INTEGER, j TEXT, bad INTEGER); INSERT INTO d2 SELECT * FROM docs; "
              "DROP TABLE docs; ALTER TABLE d2 RENAME TO docs");
  auto fixed = d.replay();
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  const auto rows = sqlite_rows(d.file("out.db"), "SELECT id, j FROM docs ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[0][1].find("12345678901234567890123"), std::string::npos) << rows[0][1];
  EXPECT_EQ(rows[1][1], rows[0][1]) << "the replayed row's JSON differs from the row written directly";
}

// Entries of different schemas, interleaved in the DLQ, each come back
// with their own fields and values (a replay batch holds one schema).
TEST(ReplayDelivery, EntriesOfInterleavedSchemasComeBackWithTheirOwnFields) {
  ScenarioDir d("mixed");
  ferry::test::write_file(d.file("rows.jsonl"),
                          "{\"id\": 1, \"amount\": 5}\n{\"id\": 2, \"amount\": 6}\n"
                          "{\"id\": 3, \"amount\": 7, \"note\": \"x,\\\"]\"}\n{\"id\": 4, \"amount\": 8, \"note\": \"y\"}\n"
                          "{\"id\": 5, \"amount\": 9}\n{\"id\": 6, \"amount\": 10}\n");
  auto define = [&](int min) {
    d.define(R"({"name": "mixed", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "rows.jsonl", "key": "id"}},
      "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"min": )" +
             std::to_string(min) + R"(}}}}],
      "batch": {"max_records": 2},
      "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  };
  define(100);
  auto r = d.run();
  ASSERT_EQ(d.dlq(DlqStatus::Pending).size(), 6u) << r.out << r.err;
  define(0);
  auto replayed = d.replay();
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(sqlite_rows(d.file("out.db"), "SELECT id, amount, ifnull(note, '-') FROM t ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "5", "-"}, {"2", "6", "-"}, {"3", "7", "x,\"]"},
                                                   {"4", "8", "y"}, {"5", "9", "-"}, {"6", "10", "-"}}));
  EXPECT_EQ(d.dlq(DlqStatus::Resolved).size(), 6u);
}

// One DLQ entry whose stored record cannot be read back (its text damaged
// in the state store) does not hold the others back: it stays pending,
// counted as not replayable and named in a warning, and its neighbours in
// the same batch are delivered.
TEST(ReplayDelivery, ADamagedEntryStaysInTheDlqAndTheOthersAreDelivered) {
  ScenarioDir d("damaged");
  std::string lines;
  for (int i = 1; i <= 6; ++i) lines += "{\"id\": " + std::to_string(i) + ", \"amount\": " + std::to_string(i) + "}\n";
  ferry::test::write_file(d.file("rows.jsonl"), lines);
  auto define = [&](int min) {
    d.define(R"({"name": "damaged", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "rows.jsonl", "key": "id"}},
      "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"min": )" +
             std::to_string(min) + R"(}}}}],
      "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  };
  define(100);
  ASSERT_EQ(d.run().exit_code, 0);
  const auto pending = d.dlq(DlqStatus::Pending);
  ASSERT_EQ(pending.size(), 6u);
  const int64_t damaged = pending[2].id;
  // The amount of one entry becomes a string where its schema says int64.
  sqlite_exec(d.file("state.db"), "UPDATE dlq_entries SET record = replace(record, '\"amount\":3', "
                                  "'\"amount\":\"three\"') WHERE id = " + std::to_string(damaged));
  define(0);
  auto r = d.replay();
  // Not every entry was delivered: incomplete, exit 1.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("incomplete — selected 6, resolved 5, failed again 0, not replayable 1"), std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.err.find("DLQ entry " + std::to_string(damaged) + ": its stored record cannot be read back"),
            std::string::npos) << r.err;
  EXPECT_EQ(count_rows(d, "out.db", "t"), 5);
  const auto left = d.dlq(DlqStatus::Pending);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, damaged);
  // Alone in its batch, it is counted all the same, and the message names
  // what is wrong without the library's source location.
  auto again = d.replay();
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_NE(again.out.find("selected 1, resolved 0, failed again 0, not replayable 1"), std::string::npos)
      << again.out << again.err;
  EXPECT_EQ(again.err.find(".hpp"), std::string::npos) << again.err;
  EXPECT_EQ(count_rows(d, "out.db", "t"), 5);
}

// A replay stopped after its first batch (a checkpoint hook answers stop)
// reports what it delivered, not what its reader had read ahead: the rest
// stays pending for the next replay, and is counted there.
TEST(ReplayDelivery, AStoppedReplayCountsOnlyTheBatchesItDelivered) {
  ScenarioDir d("ahead");
  std::string lines;
  for (int i = 1; i <= 40; ++i) lines += "{\"id\": " + std::to_string(i) + ", \"amount\": " + std::to_string(i) + "}\n";
  ferry::test::write_file(d.file("rows.jsonl"), lines);
  auto define = [&](int min, const std::string& hooks) {
    d.define(R"({"name": "ahead", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "rows.jsonl", "key": "id"}},
      "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"min": )" +
             std::to_string(min) + R"(}}}}],
      "batch": {"max_records": 10, "queue_depth": 4},
      "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}])" + hooks + "}");
  };
  define(100, "");
  ASSERT_EQ(d.run().exit_code, 0);
  ASSERT_EQ(d.dlq(DlqStatus::Pending).size(), 40u);
  // Rows 1 and 2 are refused again; the hook stops after the first commit.
  define(3, R"(, "hooks": {"checkpoint": [{"name": "stop", "plugin": "fault", "config": {"dir": ".", "stop_after": 1}}]})");
  auto stopped = d.replay();
  EXPECT_NE(stopped.out.find("selected 10, resolved 8, failed again 2, not replayable 0"), std::string::npos)
      << stopped.out << stopped.err;
  EXPECT_EQ(count_rows(d, "out.db", "t"), 8);
  EXPECT_EQ(d.dlq(DlqStatus::Pending).size(), 30u);
  const auto runs = d.state()->list_runs("ahead", 1);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].counts.read, 10) << "rows read ahead but not delivered were counted";
  EXPECT_EQ(runs[0].counts.rejected, 2);

  define(3, "");
  auto rest = d.replay({"--status", "pending"});
  EXPECT_NE(rest.out.find("selected 30, resolved 30, failed again 0"), std::string::npos) << rest.out << rest.err;
  EXPECT_EQ(count_rows(d, "out.db", "t"), 38);
}

// Records whose text another tool wrote (spaces after the colons) still
// share a batch when their schemas are the same.
TEST(ReplayDelivery, RecordsOfOneSchemaInOtherLayoutShareABatch) {
  ScenarioDir d("layout");
  ferry::test::write_file(d.file("none.jsonl"), "");
  d.define(R"({"name": "layout", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "none.jsonl"}},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  std::vector<ferry::core::DlqEntry> entries;
  for (int i = 1; i <= 3; ++i) {
    ferry::core::DlqEntry e;
    e.pipeline = "layout";
    e.run_id = "r";
    e.partition = "p";
    e.position = std::to_string(i);
    e.stage = "db";
    e.sink = "db";
    e.record_json = R"({"schema": [{"name": "id", "type": "int64"}], "values": {"id": )" + std::to_string(i) + "}}";
    e.error_class = "invalid_data";
    e.message = "edited by hand";
    entries.push_back(e);
  }
  d.state()->add_dlq(entries);
  auto r = d.replay();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(count_rows(d, "out.db", "t"), 3);
  const auto runs = d.state()->list_runs("layout", 1);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].counts.batches, 1) << r.out << r.err;
}

std::string scenario_pipeline(const std::string& sink_config, const std::string& check_config = "") {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 40}},
    "transforms": [{"name": "rename", "plugin": "scenario", "config": {}},
                   {"name": "check", "plugin": "scenario", "config": {"rename": false)" +
         check_config + R"(}}],
    "batch": {"max_records": 10},
    "retry": {"max_attempts": 1},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": )" +
         sink_config + "}]}";
}

// A row a sink refused was stored after the transforms ran: replaying it
// must not run them again (the scenario transform renames v to w, and
// rejects a row without v, as a copy from a dropped field would fail).
TEST(ReplayDelivery, SinkRejectsAreReplayedWithoutRunningTheTransformsAgain) {
  ScenarioDir d;
  d.define(scenario_pipeline(R"({"reject_keys": ["p0-7"], "reject_mod": 6})"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t failed = d.dlq(DlqStatus::Pending).size();
  ASSERT_GT(failed, 1u);
  d.define(scenario_pipeline("{}"));
  auto replay = d.replay();
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(d.dlq(DlqStatus::Pending).size(), 0u);
  EXPECT_EQ(d.dlq(DlqStatus::FailedAgain).size(), 0u) << replay.out;
  auto rows = d.sink("tx");
  ASSERT_EQ(rows.values.size(), 40u) << replay.out;
  for (const auto& [key, values] : rows.values) {
    ASSERT_EQ(values.size(), 1u) << key;
    const long long id = std::stoll(key.substr(3));
    EXPECT_EQ(values[0], id * 7) << key << ": the row was changed on its way back";
  }
}

// A row the second transform refused is replayed from that transform on,
// so a fixed rule lets it through exactly once, renamed once.
TEST(ReplayDelivery, TransformRejectsResumeAtTheTransformThatRefusedThem) {
  ScenarioDir d;
  d.define(scenario_pipeline("{}", R"(, "reject_mod": 4)"));
  ASSERT_EQ(d.run().exit_code, 0);
  const auto pending = d.dlq(DlqStatus::Pending);
  ASSERT_GT(pending.size(), 3u);
  for (const auto& e : pending) EXPECT_EQ(e.stage, "check");
  d.define(scenario_pipeline("{}"));
  auto replay = d.replay();
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("resolved " + std::to_string(pending.size())), std::string::npos) << replay.out;
  auto rows = d.sink("tx");
  EXPECT_EQ(rows.values.size(), 40u);
  for (const auto& [key, values] : rows.values) {
    ASSERT_EQ(values.size(), 1u) << key;
    EXPECT_EQ(values[0], std::stoll(key.substr(3)) * 7) << key;
  }
}

// Killed after the sink committed a replay batch and before the state
// store recorded it: the next replay finds the batch in the sink (by the
// token the sink stored with it) and marks exactly those entries resolved.
TEST(ReplayDelivery, AReplayKilledBetweenTheSinksCommitAndTheStateStoreWritesNothingTwice) {
  ScenarioDir d;
  d.define(scenario_pipeline(R"({"reject_mod": 2})"));
  ASSERT_EQ(d.run().exit_code, 0);
  const size_t failed = d.dlq(DlqStatus::Pending).size();
  ASSERT_GT(failed, 10u);
  // Replay batches of 10: the replay dies right after its first commit.
  d.define(scenario_pipeline(R"({"crash_point": "after_commit", "crash_at": 1})"));
  auto crashed = d.replay();
  ASSERT_EQ(crashed.exit_code, 86) << crashed.err;
  EXPECT_EQ(d.dlq(DlqStatus::Resolved).size(), 0u);
  EXPECT_EQ(d.sink("tx").total(), 40 - failed + 10);

  d.define(scenario_pipeline("{}"));
  auto resumed = d.replay();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("delivered by an interrupted replay"), std::string::npos) << resumed.out;
  EXPECT_EQ(d.dlq(DlqStatus::Resolved).size(), failed);
  auto rows = d.sink("tx");
  EXPECT_EQ(rows.values.size(), 40u);
  EXPECT_EQ(rows.total(), 40u) << "a replayed row was written twice";
}

}  // namespace

namespace {

// Replays keep their commits under partition "ferry-replay". A source
// partition of that name shared them: a run then resumed from a replay's
// token ("invalid position"), and killed runs and replays wrote rows twice.
TEST(ReplayDelivery, ASourcePartitionNamedAsReplaysIsRefused) {
  ScenarioDir d("fr");
  ferry::test::write_file(d.file("ferry-replay"), "{\"id\": 1}\n");
  d.define(R"({"name": "fr", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "ferry-replay", "format": "jsonl", "key": "id"}},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  const auto r = d.run();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("the source lists a partition named 'ferry-replay', a name Ferry keeps for replays"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(d.file("out.db")) && count_rows(d, "out.db", "t") > 0);
}

}  // namespace

namespace {

// An entry that fails again says how it failed this time: its class was
// left as it was queued ("retry_exhausted" for a sink that was down), so
// `dlq list --class invalid_data` missed a record the sink now refuses.
TEST(ReplayDelivery, AnEntryThatFailsAgainTakesTheClassOfItsNewFailure) {
  ScenarioDir d("fa");
  {
    std::ofstream out(d.file("in.jsonl"));
    for (int i = 1; i <= 5; ++i) out << "{\"id\": " << i << "}\n";
  }
  const auto pipeline = [&](const std::string& sink_extra) {
    return R"({"name": "fa", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
      "retry": {"max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 2, "on_exhausted": "dead_letter"},
      "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" +
           d.dir().path().string() + "\"" + sink_extra + "}}]}";
  };
  d.define(pipeline(R"(, "down": true)"));
  ASSERT_EQ(d.run().exit_code, 0);
  const auto queued = d.dlq();
  ASSERT_EQ(queued.size(), 5u);
  ASSERT_NE(queued[0].error_class, "invalid_data");

  d.define(pipeline(R"(, "reject_keys": ["3"])"));
  d.replay();
  for (const auto& e : d.dlq()) {
    if (e.record_key != "3") continue;
    EXPECT_EQ(e.status, DlqStatus::FailedAgain);
    EXPECT_EQ(e.error_class, "invalid_data") << e.message;
  }
}

}  // namespace

namespace {

// All the file sink's output, line by line.
std::string file_sink_lines(const ScenarioDir& d, const std::string& dir) {
  std::string all;
  for (const auto& f : std::filesystem::directory_iterator(d.file(dir))) {
    std::ifstream in(f.path());
    all += std::string(std::istreambuf_iterator<char>(in), {});
  }
  return all;
}

// A record a transform refused, delivered by a replay to one sink and
// refused by the other, is then addressed to the other sink. It is still
// the record as the transform received it: the next replay sent it to that
// sink raw, without the map that renames and drops fields (an outside
// tester: the dropped field reached Elasticsearch).
TEST(ReplayDelivery, ATransformRejectAddressedToTheSinksThatLackItStillGoesThroughTheTransforms) {
  ScenarioDir d("orders");
  ferry::test::write_file(d.file("orders.jsonl"), "{\"id\": 1, \"cust\": \"a\", \"amount\": 5, \"secret\": \"s1\"}\n"
                                                  "{\"id\": 2, \"cust\": \"b\", \"amount\": -5, \"secret\": \"s2\"}\n");
  sqlite_exec(d.file("out.db"), "CREATE TABLE orders (id INTEGER, customer TEXT, amount INTEGER CHECK (amount > 0))");
  const auto define = [&](int min, const std::string& check = "check") {
    d.define(R"({"name": "orders", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "orders.jsonl", "key": "id"}},
      "retry": {"max_attempts": 1},
      "transforms": [{"name": ")" + check + R"(", "plugin": "validate", "config": {"rules": {"amount": {"min": )" +
             std::to_string(min) + R"(}}}},
                     {"name": "shape", "plugin": "map", "config": {"rename": {"cust": "customer"}, "drop": ["secret"]}}],
      "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}},
                {"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "orders"}}]})");
  };
  define(0);
  ASSERT_EQ(d.run().exit_code, 0);
  ASSERT_EQ(d.dlq(DlqStatus::Pending).size(), 1u);

  define(-100);
  auto partly = d.replay();
  EXPECT_EQ(partly.exit_code, 1) << partly.out << partly.err;
  const auto failed = d.dlq(DlqStatus::FailedAgain);
  ASSERT_EQ(failed.size(), 1u) << partly.out;
  EXPECT_EQ(failed[0].sink, "db");

  sqlite_exec(d.file("out.db"),
              "CREATE TABLE o2 (id INTEGER, customer TEXT, amount INTEGER); INSERT INTO o2 SELECT * FROM orders; "
              "DROP TABLE orders; ALTER TABLE o2 RENAME TO orders");
  // With its transform renamed, the entry cannot be replayed; taken as a
  // sink's refusal, it went to the sink raw (a reviewer).
  define(-100, "verify");
  auto renamed = d.replay({"--status", "failed_again"});
  EXPECT_EQ(renamed.exit_code, 1) << renamed.out << renamed.err;
  EXPECT_NE(renamed.err.find("failed at stage 'check', which the pipeline no longer has"), std::string::npos)
      << renamed.err;
  EXPECT_EQ(ferry::test::sqlite_rows(d.file("out.db"), "SELECT id FROM orders ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1"}}));
  define(-100);
  auto fixed = d.replay({"--status", "failed_again"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(ferry::test::sqlite_rows(d.file("out.db"), "SELECT id, customer, amount FROM orders ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "a", "5"}, {"2", "b", "-5"}}));
  const std::string lines = file_sink_lines(d, "out");
  EXPECT_EQ(lines.find("secret"), std::string::npos) << lines;
  EXPECT_NE(lines.find(R"("id":2,"customer":"b")"), std::string::npos) << lines;

}

}  // namespace
