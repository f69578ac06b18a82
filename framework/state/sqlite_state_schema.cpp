// The state store's tables, by schema version, and the migration of a file
// of any older version. Stored in PRAGMA user_version.
#include <string>

#include "state/sqlite_db.h"

namespace ferry::core::sqlite_state {
namespace {

// Stored in PRAGMA user_version. Bump it and add a migration step in
// Connection::ensure_schema (below) when the tables change.
constexpr int kSchemaVersion = 8;

constexpr const char* kSchemaV1 = R"sql(
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
)sql";

// Version 2: schema versions per partition and the backfill ledger.
constexpr const char* kSchemaV2 = R"sql(
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
)sql";

// Version 3: commit intents of batches in flight, reset markers, and DLQ
// duplicates judged by content (two rows of a batch may share a position).
constexpr const char* kSchemaV3 = R"sql(
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
)sql";

// Version 4: an entry's settlement (status, attempts, when) lives apart from
// its record. Settling a replayed batch then rewrites narrow rows, not every
// entry with its record (a replay of 200,000 entries spent most of its time
// there). No index on status either: keeping one cost twice the updates
// themselves, and a narrow table read along its ids finds any status fast
// enough for listing and counting. `dlq` stays readable with plain SQL, as a
// view of both.
constexpr const char* kSchemaV4 = R"sql(
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
)sql";

// Version 5, for a DLQ that replays at the speed of a run:
// - a settlement's status as a small integer code (0 pending, 1 resolved,
//   2 failed_again, 3 discarded; sqlite_dlq.cpp maps them). Settling a
//   replayed batch rewrites every entry's status: as text checked against a
//   list of names, that cost five times what an integer checked against a
//   range does;
// - a record's schema kept once in dlq_schemas: an entry holds the rest of
//   its record (common/stored_record.h) and the schema's id. The schema was
//   two thirds of a typical record, and every write command reads the whole
//   file once to check it. Entries of older versions keep their whole text
//   (schema_id NULL).
// The view `dlq` shows statuses by name and records whole, as before.
constexpr const char* kSchemaV5 = R"sql(
DROP VIEW dlq;
CREATE TABLE dlq_state_v5 (
  id            INTEGER PRIMARY KEY,  -- dlq_entries.id
  pipeline      TEXT    NOT NULL,
  status        INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
  attempts      INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
INSERT INTO dlq_state_v5 (id, pipeline, status, attempts, updated_at_ms)
  SELECT id, pipeline,
         CASE status WHEN 'pending' THEN 0 WHEN 'resolved' THEN 1 WHEN 'failed_again' THEN 2 ELSE 3 END,
         attempts, updated_at_ms
  FROM dlq_state;
DROP TABLE dlq_state;
ALTER TABLE dlq_state_v5 RENAME TO dlq_state;
CREATE TABLE dlq_schemas (
  id     INTEGER PRIMARY KEY,
  schema TEXT    NOT NULL UNIQUE
);
ALTER TABLE dlq_entries ADD COLUMN schema_id INTEGER;
CREATE VIEW dlq AS
  SELECT e.id, e.pipeline, e.run_id, e.partition, e.position, e.stage, e.sink, e.record_key,
         CASE WHEN e.schema_id IS NULL THEN e.record
              ELSE '{"schema":' || sc.schema || ',' || substr(e.record, 2) END AS record,
         e.error_class, e.message, s.attempts,
         CASE s.status WHEN 0 THEN 'pending' WHEN 1 THEN 'resolved' WHEN 2 THEN 'failed_again'
                       ELSE 'discarded' END AS status,
         e.created_at_ms, s.updated_at_ms
  FROM dlq_entries e JOIN dlq_state s ON s.id = e.id LEFT JOIN dlq_schemas sc ON sc.id = e.schema_id;
)sql";

// Version 6: a source's partitions as planned once, with their descriptors
// (ABI 1.5), in the order the source gave them.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE partition_plans (
  pipeline      TEXT    NOT NULL,
  scope         TEXT    NOT NULL,  -- a backfill window, or ''
  seq           INTEGER NOT NULL,
  partition     TEXT    NOT NULL,
  descriptor    BLOB    NOT NULL,
  planned_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, scope, partition)
);
)sql";

// Version 7: a run's status may be 'incomplete' (a replay whose records
// failed again). SQLite cannot change a CHECK, so the table is rebuilt.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE runs_v7 (
  id            TEXT    PRIMARY KEY,
  pipeline      TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  status        TEXT    NOT NULL
                CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'incomplete')),
  read          INTEGER NOT NULL,
  written       INTEGER NOT NULL,
  rejected      INTEGER NOT NULL,
  batches       INTEGER NOT NULL,
  message       TEXT    NOT NULL
);
INSERT INTO runs_v7 (id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, batches, message)
  SELECT id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, batches, message FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v7 RENAME TO runs;
CREATE INDEX runs_pipeline_started ON runs (pipeline, started_at_ms);
)sql";

// Version 8: the cuts of batches in flight to a sink whose output is named
// after the batch (FERRY_CAP_NAMED_BY_BATCH), so that after a crash they
// come again cut as before.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE batch_cuts (
  pipeline      TEXT    NOT NULL,
  partition     TEXT    NOT NULL,
  body          BLOB    NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (pipeline, partition)
);
)sql";

}  // namespace

void Connection::ensure_schema() {
  // Checked first without a lock: an up-to-date file (the usual case) then
  // opens without waiting for a running pipeline's write transaction.
  if (check_schema_version() == kSchemaVersion) return;
  WriteTransaction tx(*this);
  // Again under the lock: another process may have created it meanwhile.
  if (check_schema_version() == kSchemaVersion) return;
  const int64_t version = check_schema_version();
  // Steps 1-3 are CREATE ... IF NOT EXISTS, so running them all brings a file
  // of any older version to 3. Not on a file already at 3: step 1 builds a
  // unique index that step 3 dropped, and a version-3 DLQ may hold two
  // pending entries at one position. Later steps run once, from their
  // version on.
  if (version < 3) {
    exec(kSchemaV1);
    exec(kSchemaV2);
    exec(kSchemaV3);
  }
  if (version < 4) exec(kSchemaV4);
  if (version < 5) exec(kSchemaV5);
  if (version < 6) exec(kSchemaV6);
  if (version < 7) exec(kSchemaV7);
  if (version < 8) exec(kSchemaV8);
  // PRAGMA takes no bound parameters; the value is our own constant.
  exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

int64_t Connection::check_schema_version() {
  auto stmt = prepare("PRAGMA user_version");
  const int64_t version = stmt.step() ? stmt.integer_at(0) : 0;
  if (version > kSchemaVersion) {
    throw Error("state store " + path() + ": schema version " + std::to_string(version) +
                " is newer than this ferry understands (" + std::to_string(kSchemaVersion) +
                ")");
  }
  return version;
}

}  // namespace ferry::core::sqlite_state
