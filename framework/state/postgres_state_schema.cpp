// The PostgreSQL state store's tables, by schema version, and the migration
// of a database of any older version, under an advisory lock so that two
// processes opening one database at once do not race. The version is kept
// in state_schema; a database from before it was kept is version 1.
#include <string>

#include "state/postgres_db.h"
#include "state/postgres_state_schema.h"

namespace ferry::core::pg_state {
namespace {

// Key of the advisory lock that serialises table creation between openers.
constexpr const char* kSchemaLockKey = "7310593858231117312";

constexpr int64_t kSchemaVersion = 7;

// Version 1. Every statement is idempotent, so it also completes a database
// made by a Ferry from before the version was kept.
// Text columns compared and sorted byte-wise (COLLATE "C"), as SQLite's
// BINARY collation does, whatever the database's locale.
constexpr const char* kSchemaV1[] = {
    R"sql(CREATE TABLE IF NOT EXISTS checkpoints (
  pipeline       TEXT COLLATE "C" NOT NULL,
  partition      TEXT COLLATE "C" NOT NULL,
  position       BYTEA  NOT NULL,
  run_id         TEXT   NOT NULL,
  records        BIGINT NOT NULL,
  schema_version TEXT   NOT NULL,
  updated_at_ms  BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS sink_acks (
  pipeline      TEXT COLLATE "C" NOT NULL,
  sink          TEXT COLLATE "C" NOT NULL,
  records       BIGINT NOT NULL,
  batches       BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, sink)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS dlq (
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
))sql",
    "CREATE INDEX IF NOT EXISTS dlq_pipeline_status ON dlq (pipeline, status)",
    "CREATE INDEX IF NOT EXISTS dlq_pipeline_sink ON dlq (pipeline, sink)",
    // Duplicates are judged by content (DlqEntry::dedup): two rows of a batch
    // may share a position and both fail, so no unique index on position.
    "DROP INDEX IF EXISTS dlq_pending_dedup",
    "CREATE INDEX IF NOT EXISTS dlq_position ON dlq (pipeline, partition, position)",
    R"sql(CREATE TABLE IF NOT EXISTS commit_intents (
  pipeline      TEXT COLLATE "C" NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  body          BYTEA  NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS checkpoint_resets (
  pipeline    TEXT COLLATE "C" NOT NULL,
  partition   TEXT COLLATE "C" NOT NULL,
  reset_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
    // Who holds each pipeline's run lock (an advisory lock of its session).
    R"sql(CREATE TABLE IF NOT EXISTS run_locks (
  pipeline TEXT COLLATE "C" PRIMARY KEY,
  holder   TEXT NOT NULL
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS runs (
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
))sql",
    "CREATE INDEX IF NOT EXISTS runs_pipeline_started ON runs (pipeline, started_at_ms)",
    // seq stands in for SQLite's rowid: the order of insertion, for ties.
    R"sql(CREATE TABLE IF NOT EXISTS schema_versions (
  seq          BIGSERIAL,
  pipeline     TEXT COLLATE "C" NOT NULL,
  partition    TEXT COLLATE "C" NOT NULL,
  version      TEXT COLLATE "C" NOT NULL,
  fields       TEXT   NOT NULL,
  began_after  BYTEA  NOT NULL,
  seen_at_ms   BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition, version)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS backfill_windows (
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
))sql",
};

// The DLQ as one relation, for plain SQL (versions 2 and 3 make it).
constexpr const char* kDlqView =
    R"sql(CREATE VIEW dlq AS
  SELECT e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key, e.record,
         e.error_class, e.message, s.attempts, s.status, e.created_at_ms, s.updated_at_ms
  FROM dlq_entries e JOIN dlq_state s ON s.id = e.id)sql";

// Version 2: a DLQ entry's settlement apart from its record, as in the
// SQLite store (sqlite_state_schema.cpp, version 4); `dlq` stays a view.
constexpr const char* kSchemaV2[] = {
    "ALTER TABLE dlq RENAME TO dlq_entries",
    R"sql(CREATE TABLE dlq_state (
  id            BIGINT PRIMARY KEY,  -- dlq_entries.id
  pipeline      TEXT COLLATE "C" NOT NULL,
  status        TEXT   NOT NULL
                CHECK (status IN ('pending', 'resolved', 'failed_again', 'discarded')),
  attempts      BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
))sql",
    "INSERT INTO dlq_state (id, pipeline, status, attempts, updated_at_ms) "
    "SELECT id, pipeline, status, attempts, updated_at_ms FROM dlq_entries",
    "DROP INDEX IF EXISTS dlq_pipeline_status",
    "ALTER TABLE dlq_entries DROP COLUMN status, DROP COLUMN attempts, DROP COLUMN updated_at_ms",
    kDlqView,
};

// Version 3: a record's key is the plugin's bytes, which PostgreSQL text
// cannot always hold (a NUL, bytes that are not UTF-8). Every key stored
// before was text, so it converts as its UTF-8 bytes.
constexpr const char* kSchemaV3[] = {
    "DROP VIEW dlq",
    "ALTER TABLE dlq_entries ALTER COLUMN record_key TYPE BYTEA USING convert_to(record_key, 'UTF8')",
    kDlqView,
};

// Version 4: a source's partitions as planned once, with their descriptors
// (ABI 1.5), as in the SQLite store (version 6).
constexpr const char* kSchemaV4[] = {
    R"sql(CREATE TABLE partition_plans (
  pipeline      TEXT COLLATE "C" NOT NULL,
  scope         TEXT COLLATE "C" NOT NULL,  -- a backfill window, or ''
  seq           BIGINT NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  descriptor    BYTEA  NOT NULL,
  planned_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, scope, partition)
))sql",
};

// Version 5: workers sharing a pipeline (postgres_leases.cpp). A worker
// holds an advisory lock on its id while it lives; a lease names its owner
// and carries the fencing token of its latest grant, drawn from one
// sequence so that tokens only grow, across rounds and resets.
constexpr const char* kSchemaV5[] = {
    "CREATE SEQUENCE fence_tokens",
    R"sql(CREATE TABLE workers (
  id            BIGSERIAL PRIMARY KEY,
  pipeline      TEXT COLLATE "C" NOT NULL,
  holder        TEXT   NOT NULL,  -- JSON: host, pid, command, since
  run_id        TEXT   NOT NULL DEFAULT '',
  joined_at_ms  BIGINT NOT NULL,
  heartbeat_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  left_at_ms    BIGINT
))sql",
    "CREATE INDEX workers_pipeline ON workers (pipeline)",
    R"sql(CREATE TABLE work_rounds (
  pipeline TEXT COLLATE "C" NOT NULL,
  scope    TEXT COLLATE "C" NOT NULL,
  round    BIGINT NOT NULL,
  PRIMARY KEY (pipeline, scope)
))sql",
    R"sql(CREATE TABLE partition_leases (
  pipeline   TEXT COLLATE "C" NOT NULL,
  scope      TEXT COLLATE "C" NOT NULL,
  partition  TEXT COLLATE "C" NOT NULL,
  seq        BIGINT  NOT NULL,              -- claimed in the plan's order
  round      BIGINT  NOT NULL,              -- the round it is part of
  done       BOOLEAN NOT NULL DEFAULT FALSE,
  owner      BIGINT,                        -- workers.id, while leased
  token      BIGINT  NOT NULL DEFAULT 0,    -- fencing token of the latest grant
  expires_at TIMESTAMPTZ,                   -- the server's clock
  ttl_ms     BIGINT  NOT NULL DEFAULT 0,
  takeovers  BIGINT  NOT NULL DEFAULT 0,    -- grants that took it from a worker, this round
  PRIMARY KEY (pipeline, scope, partition)
))sql",
};

// Version 6: a run's status may be 'incomplete' (a replay whose records
// failed again).
constexpr const char* kSchemaV6[] = {
    "ALTER TABLE runs DROP CONSTRAINT runs_status_check",
    "ALTER TABLE runs ADD CONSTRAINT runs_status_check "
    "CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'incomplete'))",
};

// Version 7: the cuts of batches in flight to a sink whose output is named
// after the batch, as in the SQLite store (version 8).
constexpr const char* kSchemaV7[] = {
    R"sql(CREATE TABLE batch_cuts (
  pipeline      TEXT COLLATE "C" NOT NULL,
  partition     TEXT COLLATE "C" NOT NULL,
  body          BYTEA  NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (pipeline, partition)
))sql",
};

}  // namespace

void ensure_schema(Connection& c) {
  Transaction tx(c);
  c.exec("SELECT pg_advisory_xact_lock($1::bigint)", Params().text(kSchemaLockKey));
  c.exec("CREATE TABLE IF NOT EXISTS state_schema (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), "
         "version BIGINT NOT NULL)");
  const Rows kept = c.exec("SELECT version FROM state_schema");
  int64_t version = 0;
  if (kept.count() > 0) {
    version = kept.integer(0, 0);
  } else if (c.exec("SELECT to_regclass('checkpoints') IS NOT NULL").text(0, 0) == "t") {
    version = 1;
  }
  if (version > kSchemaVersion)
    throw Error("state store " + c.label() + ": schema version " + std::to_string(version) +
                " is newer than this ferry understands (" + std::to_string(kSchemaVersion) + ")");
  if (version == kSchemaVersion) return;  // the transaction rolls back: nothing was changed
  if (version < 2)
    for (const char* statement : kSchemaV1) c.exec(statement);
  if (version < 2)
    for (const char* statement : kSchemaV2) c.exec(statement);
  if (version < 3)
    for (const char* statement : kSchemaV3) c.exec(statement);
  if (version < 4)
    for (const char* statement : kSchemaV4) c.exec(statement);
  if (version < 5)
    for (const char* statement : kSchemaV5) c.exec(statement);
  if (version < 6)
    for (const char* statement : kSchemaV6) c.exec(statement);
  if (version < 7)
    for (const char* statement : kSchemaV7) c.exec(statement);
  c.exec("INSERT INTO state_schema (only_row, version) VALUES (TRUE, $1) "
         "ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
         Params().integer(kSchemaVersion));
  tx.commit();
}

}  // namespace ferry::core::pg_state
