// A state file written by an earlier Ferry opens with this one and keeps
// everything it held. The old layouts are frozen here as they shipped, so a
// change to the current schema cannot quietly change what is tested.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "state/state_store.h"

namespace ferry::core {
namespace {

namespace fs = std::filesystem;

// Schema version 3 (steps 1-3), exactly as Ferry created it before the DLQ
// kept an entry's settlement apart from its record.
constexpr const char* kVersion3Schema = R"sql(
CREATE TABLE IF NOT EXISTS checkpoints (
  pipeline       TEXT    NOT NULL,
  partition      TEXT    NOT NULL,
  position       BLOB    NOT NULL,
  run_id         TEXT    NOT NULL,
  records        INTEGER NOT NULL,
  schema_version TEXT    NOT NULL,
  updated_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS sink_acks (
  pipeline      TEXT    NOT NULL,
  sink          TEXT    NOT NULL,
  records       INTEGER NOT NULL,
  batches       INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, sink)
);
CREATE TABLE IF NOT EXISTS dlq (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline      TEXT    NOT NULL,
  run_id        TEXT    NOT NULL,
  partition     TEXT    NOT NULL,
  position      BLOB    NOT NULL,
  stage         TEXT    NOT NULL,
  sink          TEXT    NOT NULL,
  record_key    TEXT    NOT NULL,
  record        TEXT    NOT NULL,
  error_class   TEXT    NOT NULL,
  message       TEXT    NOT NULL,
  attempts      INTEGER NOT NULL,
  status        TEXT    NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dlq_pipeline_status ON dlq (pipeline, status);
CREATE INDEX IF NOT EXISTS dlq_pipeline_sink ON dlq (pipeline, sink);
-- A batch re-delivered after a crash must not queue its rejects twice; once an
-- entry leaves 'pending' the same record may fail again and get a new entry.
CREATE UNIQUE INDEX IF NOT EXISTS dlq_pending_dedup
  ON dlq (pipeline, partition, position, stage, sink) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS runs (
  id            TEXT    PRIMARY KEY,
  pipeline      TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  status        TEXT    NOT NULL
                CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
  read          INTEGER NOT NULL,
  written       INTEGER NOT NULL,
  rejected      INTEGER NOT NULL,
  batches       INTEGER NOT NULL,
  message       TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_pipeline_started ON runs (pipeline, started_at_ms);

CREATE TABLE IF NOT EXISTS schema_versions (
  pipeline     TEXT    NOT NULL,
  partition    TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  fields       TEXT    NOT NULL,
  began_after  BLOB    NOT NULL,
  seen_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition, version)
);
CREATE TABLE IF NOT EXISTS backfill_windows (
  pipeline      TEXT    NOT NULL,
  window        TEXT    NOT NULL,
  data_date     TEXT    NOT NULL,
  start         TEXT    NOT NULL,
  end           TEXT    NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  records       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  generation    INTEGER NOT NULL,
  run_id        TEXT    NOT NULL,
  message       TEXT    NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (pipeline, window)
);

DROP INDEX IF EXISTS dlq_pending_dedup;
CREATE INDEX IF NOT EXISTS dlq_position ON dlq (pipeline, partition, position);
CREATE TABLE IF NOT EXISTS commit_intents (
  pipeline      TEXT    NOT NULL,
  partition     TEXT    NOT NULL,
  body          BLOB    NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
CREATE TABLE IF NOT EXISTS checkpoint_resets (
  pipeline    TEXT    NOT NULL,
  partition   TEXT    NOT NULL,  -- '' for the whole pipeline
  reset_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
PRAGMA user_version = 3;
)sql";

// The step from version 3 to 4 exactly as it shipped: settlement apart
// from the record, its status as text.
constexpr const char* kVersion4Step = R"sql(
ALTER TABLE dlq RENAME TO dlq_entries;
CREATE TABLE dlq_state (
  id            INTEGER PRIMARY KEY,  -- dlq_entries.id
  pipeline      TEXT    NOT NULL,
  status        TEXT    NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  attempts      INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
INSERT INTO dlq_state (id, pipeline, status, attempts, updated_at_ms)
  SELECT id, pipeline, status, attempts, updated_at_ms FROM dlq_entries;
DROP INDEX IF EXISTS dlq_pipeline_status;
DROP INDEX IF EXISTS dlq_pending_dedup;
ALTER TABLE dlq_entries DROP COLUMN status;
ALTER TABLE dlq_entries DROP COLUMN attempts;
ALTER TABLE dlq_entries DROP COLUMN updated_at_ms;
CREATE VIEW dlq AS
  SELECT e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key, e.record,
         e.error_class, e.message, s.attempts, s.status, e.created_at_ms, s.updated_at_ms
  FROM dlq_entries e JOIN dlq_state s ON s.id = e.id;
PRAGMA user_version = 4;
)sql";

class RawFile {
 public:
  explicit RawFile(const std::string& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return;
    const std::string message = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(sql.substr(0, 80) + ": " + message);
  }
  std::vector<std::string> column(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_.get()));
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    std::vector<std::string> out;
    while (sqlite3_step(raw) == SQLITE_ROW) {
      auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
      out.emplace_back(text ? text : "NULL");
    }
    return out;
  }
  std::string scalar(const std::string& sql) {
    auto rows = column(sql);
    return rows.empty() ? "" : rows.front();
  }

 private:
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db_{nullptr, &sqlite3_close};
};

class StateMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "ferry-migration-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path() const { return (dir_ / "state.db").string(); }

  // A version-3 file holding entries in every status, as a replay and an
  // operator leave them; ids 1-4, with a gap left by AUTOINCREMENT at 5.
  void write_version_3_file() {
    RawFile f(path());
    f.exec(kVersion3Schema);
    f.exec(R"sql(
INSERT INTO dlq (pipeline, run_id, partition, position, stage, sink, record_key, record, error_class,
                 message, attempts, status, created_at_ms, updated_at_ms) VALUES
 ('orders', 'r1', 'p0', X'01', 'check', '', 'k1', '{"schema":[{"name":"id","type":"int64"}],"values":{"id":1}}',
  'invalid_data', 'amount < 0', 1, 'pending', 1000, 1000),
 ('orders', 'r1', 'p0', X'02', 'check', '', 'k2', '{"schema":[{"name":"id","type":"int64"}],"values":{"id":2}}',
  'invalid_data', 'amount < 0', 2, 'resolved', 1000, 2000),
 ('orders', 'r1', 'p0', X'03', 'sink', 'db', 'k3', '{"schema":[{"name":"id","type":"int64"}],"values":{"id":3}}',
  'invalid_data', 'CHECK failed again', 3, 'failed_again', 1000, 3000),
 ('other', 'r9', 'p1', X'04', 'sink', 'db', 'k4', '{"schema":[{"name":"id","type":"int64"}],"values":{"id":4}}',
  'transient', 'timeout', 1, 'discarded', 1000, 4000);
UPDATE sqlite_sequence SET seq = 5 WHERE name = 'dlq';
)sql");
  }

  // The same entries in a version-4 file.
  void write_version_4_file() {
    write_version_3_file();
    RawFile(path()).exec(kVersion4Step);
  }

  fs::path dir_;
};

int64_t count_of(const std::vector<std::pair<DlqStatus, int64_t>>& counts, DlqStatus status) {
  for (const auto& [s, n] : counts)
    if (s == status) return n;
  return -1;
}

TEST_F(StateMigrationTest, AVersion3DlqKeepsEveryEntryStatusAndRecord) {
  write_version_3_file();
  auto store = open_sqlite_state(path(), StateCheck::Thorough);

  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Pending), 1);
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Resolved), 1);
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::FailedAgain), 1);
  EXPECT_EQ(count_of(store->count_dlq("other"), DlqStatus::Discarded), 1);

  auto e = store->get_dlq("orders", 3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, DlqStatus::FailedAgain);
  EXPECT_EQ(e->attempts, 3);
  EXPECT_EQ(e->message, "CHECK failed again");
  EXPECT_EQ(e->sink, "db");
  EXPECT_EQ(e->position, std::string("\x03", 1));
  EXPECT_EQ(e->record_json, R"({"schema":[{"name":"id","type":"int64"}],"values":{"id":3}})");
  EXPECT_EQ(e->created_at_ms, 1000);
  EXPECT_EQ(e->updated_at_ms, 3000);

  DlqFilter pending;
  pending.pipeline = "orders";
  pending.status = DlqStatus::Pending;
  auto listed = store->list_dlq(pending);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, 1);
  EXPECT_EQ(listed[0].record_key, "k1");

  // New ids continue past every id the old table handed out.
  EXPECT_EQ(store->last_dlq_id("orders"), 3);
  DlqEntry next = listed[0];
  next.position = "\x09";
  next.record_json = R"({"schema":[{"name":"id","type":"int64"}],"values":{"id":9}})";
  EXPECT_EQ(store->add_dlq({next}).at(0), 6);
}

TEST_F(StateMigrationTest, TheMigratedDlqReadsWithPlainSqlAsBefore) {
  write_version_3_file();
  open_sqlite_state(path());
  RawFile f(path());
  EXPECT_EQ(f.scalar("PRAGMA user_version"), "8");
  EXPECT_EQ(f.column("SELECT id || ' ' || status || ' ' || attempts || ' ' || message FROM dlq ORDER BY id"),
            (std::vector<std::string>{"1 pending 1 amount < 0", "2 resolved 2 amount < 0",
                                      "3 failed_again 3 CHECK failed again", "4 discarded 1 timeout"}));
  EXPECT_EQ(f.scalar("SELECT json_extract(record, '$.values.id') FROM dlq WHERE id = 2"), "2");
  EXPECT_EQ(f.scalar("PRAGMA integrity_check"), "ok");
}

// Version 5 keeps a status as a small integer code (settling a large
// replay rewrote text checked against a list, five times slower); a
// version-4 file keeps every status, and the view still shows names.
TEST_F(StateMigrationTest, AVersion4DlqKeepsEveryStatusAndReadsAsBefore) {
  write_version_4_file();
  {
    auto store = open_sqlite_state(path(), StateCheck::Thorough);
    EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Pending), 1);
    EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Resolved), 1);
    EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::FailedAgain), 1);
    EXPECT_EQ(count_of(store->count_dlq("other"), DlqStatus::Discarded), 1);
    EXPECT_EQ(store->get_dlq("orders", 3)->status, DlqStatus::FailedAgain);
    DlqFilter again;
    again.pipeline = "orders";
    again.status = DlqStatus::FailedAgain;
    auto listed = store->list_dlq(again);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].id, 3);
    CommitRecord settle;
    settle.pipeline = "orders";
    settle.partition = "ferry-replay";
    settle.change = {DlqChange{1, DlqStatus::Resolved, {}, {}, {}, {}, {}, {}},
                     DlqChange{3, DlqStatus::Resolved, {}, {}, {}, {}, {}, {}}};
    store->finish_commit(settle);
  }
  {
    // Records of version 4 stay whole; the same failure reported again is
    // still found as a duplicate, and a new one is stored the new way.
    auto store = open_sqlite_state(path());
    DlqEntry same = *store->get_dlq("other", 4);  // discarded: still a duplicate
    EXPECT_EQ(store->add_dlq({same}).at(0), 4);
    same.position = "\x07";
    EXPECT_EQ(store->add_dlq({same}).at(0), 6);
    EXPECT_EQ(store->get_dlq("other", 6)->record_json, same.record_json);
  }
  RawFile f(path());
  EXPECT_EQ(f.scalar("PRAGMA user_version"), "8");
  EXPECT_EQ(f.column("SELECT ifnull(schema_id, 'whole') FROM dlq_entries ORDER BY id"),
            (std::vector<std::string>{"whole", "whole", "whole", "whole", "1"}));
  EXPECT_EQ(f.scalar("SELECT record FROM dlq WHERE id = 6"), R"({"schema":[{"name":"id","type":"int64"}],"values":{"id":4}})");
  f.exec("DELETE FROM dlq_state WHERE id = 6; DELETE FROM dlq_entries WHERE id = 6");
  EXPECT_EQ(f.column("SELECT id || ' ' || status || ' ' || attempts FROM dlq ORDER BY id"),
            (std::vector<std::string>{"1 resolved 1", "2 resolved 2", "3 resolved 3", "4 discarded 1"}));
  EXPECT_EQ(f.column("SELECT typeof(status) FROM dlq_state GROUP BY 1"), (std::vector<std::string>{"integer"}));
  EXPECT_EQ(f.scalar("PRAGMA integrity_check"), "ok");
}

TEST_F(StateMigrationTest, SettlingAMigratedEntryChangesOnlyThatEntry) {
  write_version_3_file();
  auto store = open_sqlite_state(path());
  store->update_dlq("orders", 1, DlqStatus::Discarded, std::string("given up by an operator"), 7);
  auto e = store->get_dlq("orders", 1);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, DlqStatus::Discarded);
  EXPECT_EQ(e->attempts, 7);
  EXPECT_EQ(e->message, "given up by an operator");
  EXPECT_EQ(store->get_dlq("orders", 2)->message, "amount < 0");
  EXPECT_EQ(store->get_dlq("orders", 2)->status, DlqStatus::Resolved);
}

// Version 3 allowed two pending entries at one position (two rows of a
// batch may share it): such a file opens and keeps both.
TEST_F(StateMigrationTest, AVersion3FileWithTwoPendingEntriesAtOnePositionOpens) {
  write_version_3_file();
  RawFile(path()).exec(R"sql(
INSERT INTO dlq (pipeline, run_id, partition, position, stage, sink, record_key, record, error_class,
                 message, attempts, status, created_at_ms, updated_at_ms) VALUES
 ('orders', 'r1', 'p0', X'01', 'check', '', 'k1b', '{"schema":[{"name":"id","type":"int64"}],"values":{"id":11}}',
  'invalid_data', 'amount < 0', 1, 'pending', 1000, 1000);
)sql");
  auto store = open_sqlite_state(path(), StateCheck::Thorough);
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Pending), 2);
}

// Version 7 lets a run be "incomplete" (a replay whose records failed
// again): the runs table is rebuilt with the new status allowed, and keeps
// the runs it held.
TEST_F(StateMigrationTest, AMigratedFileKeepsItsRunsAndRecordsAnIncompleteReplay) {
  write_version_4_file();
  RawFile(path()).exec(R"sql(
INSERT INTO runs (id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, batches, message)
VALUES ('r1', 'orders', 'run', 1000, 2000, 'succeeded', 10, 9, 1, 1, ''),
       ('r2', 'orders', 'replay', 3000, 4000, 'failed', 1, 0, 0, 0, 'sink down');
)sql");
  auto store = open_sqlite_state(path());
  EXPECT_EQ(RawFile(path()).scalar("PRAGMA user_version"), "8");
  core::Run replay;
  replay.id = "r3";
  replay.pipeline = "orders";
  replay.kind = "replay";
  replay.started_at_ms = 5000;
  store->begin_run(replay);
  store->end_run("r3", RunStatus::Incomplete, RunCounts{1, 0, 1, 1}, "");
  const std::vector<core::Run> runs = store->list_runs("orders", 10);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].id, "r3");
  EXPECT_EQ(runs[0].status, RunStatus::Incomplete);
  EXPECT_EQ(runs[1].id, "r2");
  EXPECT_EQ(runs[1].status, RunStatus::Failed);
  EXPECT_EQ(runs[1].message, "sink down");
  EXPECT_EQ(runs[2].id, "r1");
  EXPECT_EQ(runs[2].counts.written, 9);
  // The rebuilt table still checks its statuses.
  EXPECT_THROW(RawFile(path()).exec("UPDATE runs SET status = 'bogus' WHERE id = 'r1'"), std::exception);
}

// Version 2 had a unique index on pending positions; it goes, and two failed
// rows at one position both stay in the DLQ.
TEST_F(StateMigrationTest, AVersion2FileIsMigrated) {
  {
    RawFile f(path());
    f.exec(kVersion3Schema);
    f.exec(R"sql(
DROP TABLE commit_intents; DROP TABLE checkpoint_resets; DROP INDEX dlq_position;
CREATE UNIQUE INDEX dlq_pending_dedup ON dlq (pipeline, partition, position, stage, sink) WHERE status = 'pending';
INSERT INTO dlq (pipeline, run_id, partition, position, stage, sink, record_key, record, error_class,
                 message, attempts, status, created_at_ms, updated_at_ms) VALUES
 ('orders', 'r1', 'p0', 'pos-1', 'check', '', 'k1', '{"schema":[{"name":"id","type":"int64"}],"values":{"id":7}}',
  'invalid_data', 'bad', 1, 'pending', 1000, 1000);
PRAGMA user_version = 2;
)sql");
  }
  auto store = open_sqlite_state(path());
  EXPECT_EQ(RawFile(path()).scalar("PRAGMA user_version"), "8");
  // Version 8's batch cuts are there, empty, and take a partition's cuts.
  EXPECT_EQ(store->load_cuts("orders", "p0"), std::nullopt);
  store->save_cuts("orders", "p0", "[]", std::nullopt);
  EXPECT_EQ(store->load_cuts("orders", "p0"), std::optional<std::string>("[]"));
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Pending), 1);
  DlqEntry same_position = *store->get_dlq("orders", 1);
  same_position.record_json = R"({"schema":[{"name":"id","type":"int64"}],"values":{"id":99}})";
  store->add_dlq({same_position});
  EXPECT_EQ(count_of(store->count_dlq("orders"), DlqStatus::Pending), 2);
  store->save_intent("orders", "p0", "x");
  EXPECT_EQ(store->load_intent("orders", "p0"), "x");
}

}  // namespace
}  // namespace ferry::core
