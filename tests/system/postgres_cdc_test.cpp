// The postgres-cdc source with the real `ferry` binary and a real
// PostgreSQL 15 (wal_level=logical) into the postgres sink (upsert by key):
// the snapshot hand-off, inserts, updates (of the key, of TOASTed values)
// and deletes, a column added mid-stream, values with no exact form, the
// source server restarting, and SIGKILL again and again under a concurrent
// workload. After each, the sink's table must equal the source's row for
// row, and the slot must never have been confirmed past the sink's
// checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "support/admin_probe.h"
#include "support/run_log.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::PgServer;
using ferry::test::TempDir;

constexpr const char* kTable =
    "CREATE TABLE items (id bigint PRIMARY KEY, name text, amount numeric(12,2), ts timestamptz, "
    "raw bytea, doc jsonb, big text)";

// Random transactions of one to four changes each: inserts, updates of
// small and of TOASTed values, updates of the key, deletes. Deterministic
// for a seed.
constexpr const char* kWorkload = R"(
CREATE PROCEDURE workload(n int, seed float8) LANGUAGE plpgsql AS $$
DECLARE
  r float8; pick bigint; top bigint;
BEGIN
  PERFORM setseed(seed);
  FOR i IN 1..n LOOP
    FOR k IN 1..(1 + floor(random() * 4))::int LOOP
      r := random();
      SELECT max(id) INTO top FROM items;
      SELECT id INTO pick FROM items WHERE id >= floor(random() * coalesce(top, 0)) ORDER BY id LIMIT 1;
      IF r < 0.35 OR pick IS NULL THEN
        INSERT INTO items (id, name, amount) VALUES (coalesce(top, 0) + 1, md5(random()::text),
                                                     round((random() * 1000)::numeric, 2));
      ELSIF r < 0.6 THEN
        UPDATE items SET name = md5(random()::text), amount = amount + 1 WHERE id = pick;
      ELSIF r < 0.7 THEN
        UPDATE items SET big = (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200))
        WHERE id = pick;
      ELSIF r < 0.78 THEN
        UPDATE items SET id = top + 1 WHERE id = pick;
      ELSE
        DELETE FROM items WHERE id = pick;
      END IF;
    END LOOP;
    COMMIT;
    -- Paced, so that the run is killed while changes still arrive.
    PERFORM pg_sleep(0.003);
  END LOOP;
END $$)";

class PostgresCdc : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<PgServer>("-c wal_level=logical"); }
  static void TearDownTestSuite() { server_.reset(); }

  // A source and a target database, each with the table.
  void make_databases(const std::string& tag) {
    src_ = "src_" + tag;
    dst_ = "dst_" + tag;
    slot_ = "slot_" + tag;
    server_->psql("CREATE DATABASE " + src_);
    server_->psql("CREATE DATABASE " + dst_);
    server_->psql(kTable, src_);
    server_->psql(kTable, dst_);
  }
  void TearDown() override {
    if (!slot_.empty())
      server_->psql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
                    slot_ + "' AND NOT active");
  }

  std::string pipeline(bool follow) const {
    return R"({"name": "cdc", "state": {"type": "sqlite", "path": "state.db"},
      "batch": {"max_records": 200},
      "retry": {"max_attempts": 1000, "initial_delay_ms": 50, "max_delay_ms": 500, "max_elapsed_ms": 120000},
      "source": {"plugin": "postgres-cdc", "config": {"dsn": ")" +
           server_->dsn(src_) + R"(", "table": "items", "slot": ")" + slot_ + R"(", "publication": "pub_items",
           "follow": )" + (follow ? "true" : "false") + R"(, "idle_ms": 50}},
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" +
           server_->dsn(dst_) + R"(", "table": "items", "mode": "upsert", "key": ["id"]}}]})";
  }
  // Runs until caught up; returns stderr.
  std::string catch_up() {
    ferry::test::write_file(dir_.file("once.json"), pipeline(false));
    auto r = ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out + r.err;
  }
  // The dead-letter entries with their whole messages.
  std::string dlq() {
    auto r = ferry::test::ferry({"dlq", "export", dir_.file("once.json")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // Every row, in key order, as text.
  std::string rows(const std::string& db) const {
    return server_->psql("SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY id), '')) FROM items x", db);
  }
  // Whether the slot was confirmed past the sink's checkpoint.
  bool slot_ahead_of_sink() const {
    const std::string sink = server_->psql(
        "SELECT coalesce(convert_from(position, 'UTF8')::json->>'lsn', "
        "convert_from(position, 'UTF8')::json->>'snapshot_lsn') FROM ferry_checkpoints",
        dst_);
    if (sink.empty()) return false;  // nothing committed yet
    const std::string ahead = server_->psql("SELECT confirmed_flush_lsn > '" + sink.substr(0, sink.find('\n')) +
                                                "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'",
                                            src_);
    return ahead.rfind("t", 0) == 0;
  }
  std::string sink_position() const {
    try {
      return server_->psql("SELECT convert_from(position, 'UTF8') FROM ferry_checkpoints", dst_);
    } catch (const std::exception&) {
      return "";  // no checkpoint table yet
    }
  }

  static std::unique_ptr<PgServer> server_;
  TempDir dir_;
  std::string src_, dst_, slot_;
};
std::unique_ptr<PgServer> PostgresCdc::server_;

TEST_F(PostgresCdc, SnapshotThenInsertsUpdatesAndDeletesLandExactly) {
  make_databases("basic");
  server_->psql("ALTER TABLE items REPLICA IDENTITY FULL;"
                "INSERT INTO items SELECT g, 'n' || g, g * 1.25, '2024-01-01'::timestamptz + g * interval '1 s', "
                "'\\x00ff'::bytea, jsonb_build_object('g', g), NULL FROM generate_series(1, 1000) g;"
                "INSERT INTO items VALUES (1001, NULL, NULL, '0044-03-15 10:00:00.5+00 BC', NULL, 'null', NULL)",
                src_);
  std::string err = catch_up();
  EXPECT_NE(err.find("created replication slot"), std::string::npos) << err;
  EXPECT_EQ(rows(dst_), rows(src_));

  // One transaction of every kind of change, then a TOASTed value that an
  // update leaves alone (REPLICA IDENTITY FULL sends it with the old row).
  server_->psql("BEGIN;"
                "INSERT INTO items (id, name, big) VALUES (5000, 'big', (SELECT string_agg(md5(g::text), '') "
                "  FROM generate_series(1, 2000) g));"
                "UPDATE items SET name = 'changed', amount = 99.99 WHERE id = 1;"
                "DELETE FROM items WHERE id = 2;"
                "UPDATE items SET id = 6000 WHERE id = 3;"
                "INSERT INTO items VALUES (7000, 'bc', 0.5, '0044-03-15 10:00:00.123456+00 BC', '\\x00ff10', "
                "  '{\"a\": [1, 2.50]}', NULL), (7001, E'tab\\there', -1, '200000-12-31 23:59:59.999999+00', '\\x', "
                "  '[]', '');"
                "COMMIT;"
                "UPDATE items SET name = 'big, renamed' WHERE id = 5000;",
                src_);
  err = catch_up();
  EXPECT_EQ(rows(dst_), rows(src_)) << err;
  EXPECT_EQ(server_->psql("SELECT length(big), name FROM items WHERE id = 5000", dst_), "64000|big, renamed\n");
  EXPECT_EQ(server_->psql("SELECT count(*) FROM items WHERE id IN (2, 3)", dst_), "0\n");
  EXPECT_FALSE(slot_ahead_of_sink());
}

TEST_F(PostgresCdc, UnchangedToastWithoutTheOldRowGoesToTheDlqNamingTheFix) {
  make_databases("toast");
  server_->psql("INSERT INTO items (id, name, big) VALUES (1, 'a', (SELECT string_agg(md5(g::text), '') "
                "FROM generate_series(1, 2000) g))",
                src_);
  catch_up();
  server_->psql("UPDATE items SET name = 'b' WHERE id = 1; INSERT INTO items (id, name) VALUES (2, 'c'), (4, 'd')",
                src_);
  const std::string err = catch_up();
  // The update cannot be applied exactly, and says why; the insert lands.
  EXPECT_EQ(server_->psql("SELECT id, name FROM items ORDER BY id", dst_), "1|a\n2|c\n4|d\n");
  // With the default replica identity a key update sends the old key
  // alone, and a delete only the key.
  server_->psql("UPDATE items SET id = 3 WHERE id = 2; DELETE FROM items WHERE id = 4", src_);
  catch_up();
  EXPECT_EQ(server_->psql("SELECT id, name FROM items ORDER BY id", dst_), "1|a\n3|c\n");
  EXPECT_NE(dlq().find("REPLICA IDENTITY FULL"), std::string::npos) << dlq();
  EXPECT_NE(err.find("rejected 1"), std::string::npos) << err;
}

TEST_F(PostgresCdc, ValuesWithNoExactFormGoToTheDlqAndTheRestLand) {
  make_databases("exact");
  server_->psql("ALTER TABLE items ALTER COLUMN amount TYPE numeric;"
                "INSERT INTO items (id, amount, ts) VALUES (1, 'NaN', now()), (2, 1.5, 'infinity'), (3, 2.5, now())",
                src_);
  server_->psql("ALTER TABLE items ALTER COLUMN amount TYPE numeric", dst_);
  const std::string err = catch_up();
  EXPECT_EQ(server_->psql("SELECT id FROM items ORDER BY id", dst_), "3\n");
  const std::string entries = dlq();
  EXPECT_NE(entries.find("numeric 'NaN' has no exact DECIMAL form"), std::string::npos) << entries;
  EXPECT_NE(entries.find("timestamp 'infinity'"), std::string::npos) << entries;
}

TEST_F(PostgresCdc, ColumnAddedMidStreamLandsAndIsRecordedWithItsPosition) {
  make_databases("ddl");
  server_->psql("INSERT INTO items (id, name) VALUES (1, 'a')", src_);
  catch_up();
  server_->psql("INSERT INTO items (id, name) VALUES (2, 'b');"
                "ALTER TABLE items ADD COLUMN color text;"
                "INSERT INTO items (id, name, color) VALUES (3, 'c', 'red')",
                src_);
  const std::string err = catch_up();
  // The host records the new schema with the position it began after.
  EXPECT_NE(err.find(R"({"name":"color","type":"string"}] after position '{"lsn":)"), std::string::npos) << err;
  EXPECT_EQ(server_->psql("SELECT id, name, color FROM items ORDER BY id", dst_), "1|a|\n2|b|\n3|c|red\n");
}

TEST_F(PostgresCdc, SlotAdvancedPastTheCheckpointOrDroppedIsRefusedClearly) {
  make_databases("guard");
  server_->psql("INSERT INTO items (id) VALUES (1)", src_);
  catch_up();
  server_->psql("INSERT INTO items (id) VALUES (2)", src_);
  // Another consumer moves the slot on: the change to id 2 is gone for us.
  server_->psql("SELECT pg_replication_slot_advance('" + slot_ + "', pg_current_wal_lsn())", src_);
  ferry::test::write_file(dir_.file("once.json"), pipeline(false));
  auto r = ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("was advanced to"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the changes between are gone"), std::string::npos) << r.err;

  server_->psql("SELECT pg_drop_replication_slot('" + slot_ + "')", src_);
  r = ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is gone, so the changes after"), std::string::npos) << r.err;
}

TEST_F(PostgresCdc, SourceServerRestartMidStreamIsRetriedAndResumes) {
  PgServer source("-c wal_level=logical");
  source.psql("CREATE DATABASE src");
  source.psql(kTable, "src");
  src_ = "src";
  dst_ = "dst_restart";
  server_->psql("CREATE DATABASE " + dst_);
  server_->psql(kTable, dst_);
  slot_.clear();  // on `source`, which goes away with the test
  const std::string p = R"({"name": "cdc", "state": {"type": "sqlite", "path": "state.db"},
      "retry": {"max_attempts": 1000, "initial_delay_ms": 50, "max_delay_ms": 300, "max_elapsed_ms": 120000},
      "source": {"plugin": "postgres-cdc", "config": {"dsn": ")" +
                        source.dsn("src") + R"(", "table": "items", "slot": "s", "publication": "p", "idle_ms": 50}},
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" +
                        server_->dsn(dst_) + R"(", "table": "items", "mode": "upsert", "key": ["id"]}}]})";
  ferry::test::write_file(dir_.file("p.json"), p);
  source.psql("INSERT INTO items (id, name) SELECT g, 'a' FROM generate_series(1, 100) g", "src");
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("p.json")}, {}, dir_.file("out.txt"),
                           dir_.file("err.txt"));
  const auto landed = [&](const std::string& want) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    std::pair<int, int> st;
    while (std::chrono::steady_clock::now() < give_up && !run.finished(&st)) {
      if (server_->psql("SELECT count(*), count(*) FILTER (WHERE name = 'b') FROM items", dst_) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  ASSERT_TRUE(landed("100|0\n")) << ferry::test::slurp(dir_.file("err.txt"));
  source.stop_immediate();
  // Down until the run has retried a few times, then back.
  const auto outage = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (ferry::test::retries_logged(ferry::test::slurp(dir_.file("err.txt"))) < 3 &&
         std::chrono::steady_clock::now() < outage)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(ferry::test::retries_logged(ferry::test::slurp(dir_.file("err.txt"))), 3)
      << ferry::test::slurp(dir_.file("err.txt"));
  source.start();
  source.psql("UPDATE items SET name = 'b' WHERE id <= 50; INSERT INTO items (id, name) VALUES (101, 'b')", "src");
  EXPECT_TRUE(landed("101|51\n")) << ferry::test::slurp(dir_.file("err.txt"));
  run.kill_now(SIGTERM);
  run.wait();
  EXPECT_EQ(rows(dst_), source.psql("SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY id), '')) FROM items x",
                                    "src"));
}

TEST_F(PostgresCdc, SinkEqualsSourceAfterRepeatedSigkillUnderAConcurrentWorkload) {
  make_databases("kill");
  server_->psql("ALTER TABLE items REPLICA IDENTITY FULL;"
                "INSERT INTO items (id, name, amount) SELECT g, md5(g::text), g FROM generate_series(1, 3000) g",
                src_);
  server_->psql(kWorkload, src_);
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  std::mt19937_64 rng(20261206);
  std::uniform_int_distribution<int> delay_ms(0, 40);
  int kills = 0;
  for (int round = 0; round < 12; ++round) {
    // A chunk of random transactions runs beside a `ferry` that follows the
    // stream; the run is killed once it committed something, at a random
    // moment after (the snapshot, a batch, the checkpoint: wherever).
    ferry::test::Process work({std::string(PgServer::kBin) + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                               "127.0.0.1", "-p", std::to_string(server_->port()), "-U", "postgres", "-d", src_,
                               "-c", "CALL workload(300, 0." + std::to_string(round + 1) + ")"},
                              {}, dir_.file("work.out"), dir_.file("work.err"));
    const std::string before = sink_position();
    ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("follow.json")}, {},
                             dir_.file("out.txt"), dir_.file("err.txt"));
    const auto stuck = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    std::pair<int, int> ended;
    while (sink_position() == before && !run.finished(&ended) && std::chrono::steady_clock::now() < stuck)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_FALSE(run.finished(&ended)) << "round " << round << ": the run ended\n"
                                       << ferry::test::slurp(dir_.file("err.txt"));
    ASSERT_NE(sink_position(), before) << "round " << round << ": nothing committed in 120 s\n"
                                       << ferry::test::slurp(dir_.file("err.txt"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    run.kill_now(SIGKILL);
    run.wait();
    ++kills;
    EXPECT_FALSE(slot_ahead_of_sink()) << "round " << round;
    ASSERT_EQ(work.wait().first, 0) << ferry::test::slurp(dir_.file("work.err"));
  }
  EXPECT_GE(kills, 10);
  catch_up();
  EXPECT_EQ(rows(dst_), rows(src_));
  EXPECT_FALSE(slot_ahead_of_sink());
  EXPECT_EQ(dlq(), "");
}

TEST_F(PostgresCdc, TheSlotFollowsWhatTheSinkCommittedWhileTheRunGoesOn) {
  make_databases("ack");
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("follow.json")}, {},
                           dir_.file("out.txt"), dir_.file("err.txt"));
  const auto until = [&](const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::pair<int, int> ended;
    while (!done() && !run.finished(&ended) && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  };
  for (int round = 1; round <= 3; ++round) {
    server_->psql("INSERT INTO items (id) SELECT g FROM generate_series(" + std::to_string(round * 100) + ", " +
                      std::to_string(round * 100 + 49) + ") g",
                  src_);
    ASSERT_TRUE(until([&] { return server_->psql("SELECT count(*) FROM items", dst_) == std::to_string(round * 50) + "\n"; }))
        << ferry::test::slurp(dir_.file("err.txt"));
    // The same run confirms to the slot what the sink committed, so the
    // server can recycle the WAL before it.
    ASSERT_TRUE(until([&] {
      const std::string sink = server_->psql("SELECT convert_from(position, 'UTF8')::json->>'lsn' FROM ferry_checkpoints", dst_);
      if (sink.empty() || sink == "\n") return false;
      return server_->psql("SELECT confirmed_flush_lsn = '" + sink.substr(0, sink.find('\n')) +
                               "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'",
                           src_) == "t\n";
    })) << "round " << round;
  }
  // Stopping a run that follows the stream is a stop, not an error.
  run.kill_now(SIGTERM);
  run.wait();
  EXPECT_NE(ferry::test::slurp(dir_.file("out.txt")).find("stopped"), std::string::npos)
      << ferry::test::slurp(dir_.file("out.txt")) << ferry::test::slurp(dir_.file("err.txt"));
  EXPECT_EQ(ferry::test::slurp(dir_.file("err.txt")).find("error"), std::string::npos)
      << ferry::test::slurp(dir_.file("err.txt"));
}

TEST_F(PostgresCdc, ATableWhoseDeletesWouldNameNoRowIsRefusedBeforeAnythingIsRead) {
  make_databases("ident");
  server_->psql("ALTER TABLE items ALTER COLUMN name SET NOT NULL;"
                "CREATE UNIQUE INDEX items_name ON items (name); ALTER TABLE items REPLICA IDENTITY USING INDEX items_name",
                src_);
  ferry::test::write_file(dir_.file("once.json"), pipeline(false));
  auto r = ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("replica identity index of \"public\".\"items\" is not its primary key"), std::string::npos)
      << r.err;
  server_->psql("ALTER TABLE items REPLICA IDENTITY NOTHING", src_);
  r = ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
  EXPECT_NE(r.err.find("REPLICA IDENTITY NOTHING"), std::string::npos) << r.err;
  EXPECT_EQ(server_->psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'", src_), "0\n");
}

TEST_F(PostgresCdc, AGeneratedColumnIsNeitherCopiedNorStreamed) {
  make_databases("generated");
  server_->psql("ALTER TABLE items ADD COLUMN twice numeric GENERATED ALWAYS AS (amount * 2) STORED;"
                "INSERT INTO items (id, amount) VALUES (1, 1.5)",
                src_);
  catch_up();
  server_->psql("INSERT INTO items (id, amount) VALUES (2, 2.5)", src_);
  const std::string err = catch_up();
  EXPECT_EQ(server_->psql("SELECT id, amount FROM items ORDER BY id", dst_), "1|1.50\n2|2.50\n");
  EXPECT_EQ(err.find("schema changed"), std::string::npos) << "copy and stream disagree on the columns: " << err;
}

TEST_F(PostgresCdc, APublicationOfPartOfTheTableIsRefused) {
  make_databases("rowfilter");
  server_->psql("CREATE PUBLICATION pub_items FOR TABLE items WHERE (id > 10)", src_);
  ferry::test::write_file(dir_.file("once.json"), pipeline(false));
  auto r = ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("with a row filter or a column list"), std::string::npos) << r.err;
}

TEST_F(PostgresCdc, ADryRunEndsOnceCaughtUp) {
  make_databases("dry");
  server_->psql("INSERT INTO items (id) VALUES (1)", src_);
  catch_up();
  server_->psql("INSERT INTO items (id) VALUES (2)", src_);
  auto r = ferry::test::ferry({"run", "--no-progress", "--dry-run", dir_.file("once.json")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_->psql("SELECT count(*) FROM items", dst_), "1\n");
}

TEST_F(PostgresCdc, AQuietTableLetsTheSlotFollowTheServer) {
  make_databases("quiet");
  server_->psql("CREATE TABLE other (id bigint)", src_);
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("follow.json")}, {},
                           dir_.file("out.txt"), dir_.file("err.txt"));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::pair<int, int> ended;
  while (sink_position().find("\"lsn\"") == std::string::npos && !run.finished(&ended) &&
         std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_NE(sink_position().find("\"lsn\""), std::string::npos) << ferry::test::slurp(dir_.file("err.txt"));
  // Only another table changes: the slot must still move past that WAL
  // (a quiet table on a busy server would otherwise keep it all).
  const std::string written = server_->psql("INSERT INTO other SELECT generate_series(1, 1000); "
                                            "SELECT pg_current_wal_flush_lsn()",
                                            src_);
  const std::string lsn = written.substr(0, written.find('\n'));
  bool moved = false;
  while (!moved && !run.finished(&ended) && std::chrono::steady_clock::now() < give_up) {
    moved = server_->psql("SELECT confirmed_flush_lsn >= '" + lsn + "'::pg_lsn FROM pg_replication_slots "
                          "WHERE slot_name = '" + slot_ + "'",
                          src_) == "t\n";
    if (!moved) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(moved) << ferry::test::slurp(dir_.file("err.txt"));
  EXPECT_FALSE(slot_ahead_of_sink());
  run.kill_now(SIGTERM);
  run.wait();
}

TEST_F(PostgresCdc, ATruncateGoesToTheDlqOnceWithItsTransaction) {
  make_databases("truncate");
  server_->psql("INSERT INTO items (id) VALUES (1), (2)", src_);
  catch_up();
  server_->psql("TRUNCATE items; INSERT INTO items (id) VALUES (3)", src_);
  catch_up();
  catch_up();
  const std::string entries = dlq();
  EXPECT_NE(entries.find("TRUNCATE of \\\"public\\\".\\\"items\\\" has no rows to apply"), std::string::npos) << entries;
  EXPECT_EQ(std::count(entries.begin(), entries.end(), '\n'), 1) << entries;
  // The rows it removed stay; the insert after it lands.
  EXPECT_EQ(server_->psql("SELECT id FROM items ORDER BY id", dst_), "1\n2\n3\n");
}

// The value of the source's gauge `name` in a scrape; -1 if absent.
double source_gauge(const std::string& scrape, const std::string& name) {
  const std::string label = "gauge=\"" + name + "\"} ";
  for (size_t at = scrape.find("ferry_plugin_gauge{"); at != std::string::npos;
       at = scrape.find("ferry_plugin_gauge{", at + 1)) {
    const size_t end = scrape.find('\n', at);
    const std::string line = scrape.substr(at, end == std::string::npos ? std::string::npos : end - at);
    const size_t l = line.find(label);
    if (l != std::string::npos) return std::atof(line.c_str() + l + label.size());
  }
  return -1;
}

TEST_F(PostgresCdc, TheSlotsLagIsReportedInBytesAndSecondsWhileTheSinkIsBehind) {
  make_databases("lag");
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", "--admin", "127.0.0.1:0",
                            dir_.file("follow.json")},
                           {}, dir_.file("out.txt"), dir_.file("err.txt"));
  const int port = ferry::test::admin_port(run, dir_.file("err.txt"));
  ASSERT_GT(port, 0) << ferry::test::slurp(dir_.file("err.txt"));
  ASSERT_TRUE(ferry::test::wait_until([&] { return !sink_position().empty(); }))
      << ferry::test::slurp(dir_.file("err.txt"));
  // The sink's table stays locked until the session holding it is killed.
  ferry::test::Process lock({std::string(PgServer::kBin) + "/psql", "-X", "-q", "-h", "127.0.0.1", "-p",
                             std::to_string(server_->port()), "-U", "postgres", "-d", dst_, "-c",
                             "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)"},
                            {}, dir_.file("lock.out"), dir_.file("lock.err"));
  ASSERT_TRUE(ferry::test::wait_until([&] {
    return server_->psql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                         "WHERE c.relname = 'items' AND l.mode = 'AccessExclusiveLock' AND l.granted",
                         dst_) == "1\n";
  }));
  server_->psql("INSERT INTO items (id, name) SELECT g, 'x' FROM generate_series(1, 100) g", src_);
  std::string scrape;
  EXPECT_TRUE(ferry::test::wait_until([&] {
    scrape = ferry::test::scrape_metrics(port);
    return source_gauge(scrape, "slot_lag_bytes") > 0 && source_gauge(scrape, "slot_lag_seconds") >= 1;
  })) << scrape;
  // The backend, not just its client, ends: that releases the lock.
  server_->psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' "
                "AND pid <> pg_backend_pid()");
  lock.wait();
  EXPECT_TRUE(ferry::test::wait_until([&] {
    scrape = ferry::test::scrape_metrics(port);
    return server_->psql("SELECT count(*) FROM items", dst_) == "100\n" &&
           source_gauge(scrape, "slot_lag_seconds") == 0;
  })) << scrape;
  run.kill_now(SIGTERM);
  run.wait();
}

}  // namespace
