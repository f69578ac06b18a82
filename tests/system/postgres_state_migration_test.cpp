// A PostgreSQL state written by an earlier Ferry opens with this one and
// keeps everything it held; a state from a newer Ferry is refused. The old
// schema is frozen here as it shipped, before versions were kept.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "state/state_store.h"
#include "support/servers.h"

namespace ferry::core {
namespace {

// The tables as every Ferry before schema version 2 created them.
constexpr const char* kVersion1Schema = R"sql(
CREATE TABLE IF NOT EXISTS checkpoints (
  pipeline       TEXT COLLATE "C" NOT NULL,
  partition      TEXT COLLATE "C" NOT NULL,
  position       BYTEA  NOT NULL,
  run_id         TEXT   NOT NULL,
  records        BIGINT NOT NULL,
  schema_version TEXT   NOT NULL,
  updated_at_ms  BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS sink_acks (
  pipeline      TEXT COLLATE "C" NOT NULL,
  sink          TEXT COLLATE "C" NOT NULL,
  records       BIGINT NOT NULL,
  batches       BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, sink)
);
CREATE TABLE IF NOT EXISTS dlq (
  id            BIGSERIAL PRIMARY KEY,
  pipeline      TEXT COLLATE "C" NOT NULL,
  run_id        TEXT   NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  position      BYTEA  NOT NULL,
  stage         TEXT COLLATE "C" NOT NULL,
  sink          TEXT COLLATE "C" NOT NULL,
  record_key    TEXT   NOT NULL,
  record        TEXT   NOT NULL,
  error_class   TEXT COLLATE "C" NOT NULL,
  message       TEXT   NOT NULL,
  attempts      BIGINT NOT NULL,
  status        TEXT   NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS dlq_pipeline_status ON dlq (pipeline, status);
CREATE INDEX IF NOT EXISTS dlq_pipeline_sink ON dlq (pipeline, sink);
DROP INDEX IF EXISTS dlq_pending_dedup;
CREATE INDEX IF NOT EXISTS dlq_position ON dlq (pipeline, partition, position);
CREATE TABLE IF NOT EXISTS commit_intents (
  pipeline      TEXT COLLATE "C" NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  body          BYTEA  NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS checkpoint_resets (
  pipeline    TEXT COLLATE "C" NOT NULL,
  partition   TEXT COLLATE "C" NOT NULL,
  reset_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS run_locks (
  pipeline TEXT COLLATE "C" PRIMARY KEY,
  holder   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id            TEXT COLLATE "C" PRIMARY KEY,
  pipeline      TEXT COLLATE "C" NOT NULL,
  kind          TEXT   NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms   BIGINT,
  status        TEXT   NOT NULL
                CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
  read          BIGINT NOT NULL,
  written       BIGINT NOT NULL,
  rejected      BIGINT NOT NULL,
  batches       BIGINT NOT NULL,
  message       TEXT   NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_pipeline_started ON runs (pipeline, started_at_ms);
CREATE TABLE IF NOT EXISTS schema_versions (
  seq          BIGSERIAL,
  pipeline     TEXT COLLATE "C" NOT NULL,
  partition    TEXT COLLATE "C" NOT NULL,
  version      TEXT COLLATE "C" NOT NULL,
  fields       TEXT   NOT NULL,
  began_after  BYTEA  NOT NULL,
  seen_at_ms   BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition, version)
);
CREATE TABLE IF NOT EXISTS backfill_windows (
  pipeline      TEXT COLLATE "C" NOT NULL,
  "window"      TEXT COLLATE "C" NOT NULL,
  data_date     TEXT   NOT NULL,
  start         TEXT   NOT NULL,
  "end"         TEXT   NOT NULL,
  status        TEXT   NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  records       BIGINT NOT NULL,
  attempts      BIGINT NOT NULL,
  generation    BIGINT NOT NULL,
  run_id        TEXT   NOT NULL,
  message       TEXT   NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms   BIGINT NOT NULL,
  PRIMARY KEY (pipeline, "window")
);
)sql";

class PostgresStateMigrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ferry::test::PgServer>(); }
  static void TearDownTestSuite() { server_.reset(); }

  // A fresh database holding a version-1 state with entries in every status.
  std::string version_1_database() {
    static int counter = 0;
    const std::string db = "m" + std::to_string(++counter);
    server_->psql("CREATE DATABASE " + db);
    server_->psql(kVersion1Schema, db);
    server_->psql(R"sql(
INSERT INTO dlq (pipeline, run_id, partition, position, stage, sink, record_key, record, error_class,
                 message, attempts, status, created_at_ms, updated_at_ms) VALUES
 ('orders', 'r1', 'p0', '\x01', 'check', '', 'k1', '{"values":{"id":1}}', 'invalid_data', 'amount < 0', 1,
  'pending', 1000, 1000),
 ('orders', 'r1', 'p0', '\x02', 'check', '', 'k2', '{"values":{"id":2}}', 'invalid_data', 'amount < 0', 2,
  'resolved', 1000, 2000),
 ('orders', 'r1', 'p0', '\x03', 'sink', 'db', 'k3', '{"values":{"id":3}}', 'invalid_data', 'CHECK failed again', 3,
  'failed_again', 1000, 3000),
 ('other', 'r9', 'p1', '\x04', 'sink', 'db', 'k4', '{"values":{"id":4}}', 'transient', 'timeout', 1,
  'discarded', 1000, 4000);
INSERT INTO checkpoints VALUES ('orders', 'p0', '\x0a0b', 'r1', 40, 'fp-1', 5000);
)sql",
                  db);
    return db;
  }

  static std::unique_ptr<ferry::test::PgServer> server_;
};

std::unique_ptr<ferry::test::PgServer> PostgresStateMigrationTest::server_;

int64_t count_of(const std::vector<std::pair<DlqStatus, int64_t>>& counts, DlqStatus status) {
  for (const auto& [s, n] : counts)
    if (s == status) return n;
  return -1;
}

TEST_F(PostgresStateMigrationTest, AVersion1StateKeepsItsCheckpointsAndEveryDlqEntry) {
  const std::string db = version_1_database();
  auto store = open_postgres_state(server_->dsn(db));
  EXPECT_EQ(server_->psql("SELECT version FROM state_schema", db), "7\n");
  EXPECT_EQ(server_->psql("SELECT to_regclass('partition_leases') IS NOT NULL", db), "t\n");

  auto cp = store->load_checkpoint("orders", "p0");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->position, "\x0a\x0b");
  EXPECT_EQ(cp->records, 40);

  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Pending), 1);
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Resolved), 1);
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::FailedAgain), 1);
  EXPECT_EQ(count_of(store->count_dlq("other"), DlqStatus::Discarded), 1);
  auto e = store->get_dlq("orders", 3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, DlqStatus::FailedAgain);
  EXPECT_EQ(e->attempts, 3);
  EXPECT_EQ(e->message, "CHECK failed again");
  EXPECT_EQ(e->position, "\x03");
  EXPECT_EQ(e->updated_at_ms, 3000);

  DlqFilter pending;
  pending.pipeline = "orders";
  pending.status = DlqStatus::Pending;
  auto listed = store->list_dlq(pending);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].record_json, R"({"values":{"id":1}})");
  EXPECT_EQ(listed[0].record_key, "k1");  // text before version 3, its bytes since

  // New ids continue past the old ones; `dlq` still reads with plain SQL.
  DlqEntry next = listed[0];
  next.position = "\x09";
  next.record_json = R"({"values":{"id":9}})";
  EXPECT_GT(store->add_dlq({next}).at(0), 4);
  EXPECT_EQ(server_->psql("SELECT string_agg(id || ' ' || status, ',' ORDER BY id) FROM dlq", db),
            "1 pending,2 resolved,3 failed_again,4 discarded,5 pending\n");
}

// Version 6 lets a run be "incomplete" (a replay whose records failed
// again); the runs it held stay.
TEST_F(PostgresStateMigrationTest, AMigratedStateKeepsItsRunsAndRecordsAnIncompleteReplay) {
  const std::string db = version_1_database();
  server_->psql("INSERT INTO runs (id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, "
                "batches, message) VALUES ('r1', 'orders', 'run', 1000, 2000, 'succeeded', 10, 9, 1, 1, '')",
                db);
  auto store = open_postgres_state(server_->dsn(db));
  core::Run replay;
  replay.id = "r2";
  replay.pipeline = "orders";
  replay.kind = "replay";
  replay.started_at_ms = 3000;
  store->begin_run(replay);
  store->end_run("r2", RunStatus::Incomplete, RunCounts{1, 0, 1, 1}, "");
  EXPECT_EQ(server_->psql("SELECT string_agg(id || ' ' || status, ',' ORDER BY id) FROM runs", db),
            "r1 succeeded,r2 incomplete\n");
  EXPECT_THROW(server_->psql("UPDATE runs SET status = 'bogus' WHERE id = 'r1'", db), std::exception);
}

TEST_F(PostgresStateMigrationTest, OpeningTwiceMigratesOnce) {
  const std::string db = version_1_database();
  open_postgres_state(server_->dsn(db));
  auto again = open_postgres_state(server_->dsn(db));
  EXPECT_EQ(count_of(again->count_dlq("orders"), DlqStatus::Pending), 1);
  EXPECT_EQ(server_->psql("SELECT count(*) FROM state_schema", db), "1\n");
}

TEST_F(PostgresStateMigrationTest, AStateFromANewerFerryIsRefused) {
  const std::string db = version_1_database();
  open_postgres_state(server_->dsn(db));
  server_->psql("UPDATE state_schema SET version = 99", db);
  try {
    open_postgres_state(server_->dsn(db));
    FAIL() << "a newer schema should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this ferry understands"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ferry::core
