// The mariadb-cdc source with the real `ferry` binary and a real MariaDB
// 10.11 writing its binary log (ROW format, full row images, full row
// metadata), into the postgres sink and into the mysql sink (upsert by
// key): the snapshot hand-off, inserts, updates (of the key, of large
// MEDIUMTEXT values) and deletes in multi-statement transactions, values of
// every supported column type read the same from the copy and from the
// stream, a column added mid-stream, zero dates (no exact value: DLQ),
// column types and server settings that are refused before anything is
// read, binary logs purged past the checkpoint, the source server
// restarting, and SIGKILL again and again under a concurrent workload.
// After each, the sink's table must equal the source's row for row.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/admin_probe.h"
#include "support/run_log.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::MariaServer;
using ferry::test::PgServer;
using ferry::test::TempDir;

// What the source needs of the server: the binary log in ROW format with
// whole row images and column names and types in it.
std::vector<std::string> binlog_settings() {
  return {"--log-bin=mariadb-bin", "--binlog-format=ROW", "--server-id=1", "--binlog-row-image=FULL",
          "--binlog-row-metadata=FULL"};
}

constexpr const char* kMariaItems =
    "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(100), amount DECIMAL(12,2), ts DATETIME(6), "
    "raw VARBINARY(64), big MEDIUMTEXT) ENGINE=InnoDB";
// The postgres sink writes a DATETIME (a TIMESTAMP taken as UTC) into
// `timestamp` as UTC: the column then prints the source's own text.
constexpr const char* kPgItems =
    "CREATE TABLE items (id bigint PRIMARY KEY, name text, amount numeric(12,2), ts timestamp, raw bytea, big text)";

// Every row of items, in key order, as one text: its count and an MD5 of
// the rows. Both print the same text for the same rows.
constexpr const char* kMariaRows =
    "SET NAMES utf8mb4; SET SESSION group_concat_max_len = 1073741824; "
    "SELECT CONCAT(COUNT(*), ':', MD5(COALESCE(GROUP_CONCAT(CONCAT_WS('#', id, IFNULL(name, '~'), IFNULL(amount, '~'), "
    "IFNULL(DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f'), '~'), IFNULL(HEX(raw), '~'), IFNULL(MD5(big), '~')) "
    "ORDER BY id SEPARATOR '|'), ''))) FROM items";
constexpr const char* kPgRows =
    "SELECT count(*) || ':' || md5(coalesce(string_agg(concat_ws('#', id, coalesce(name, '~'), "
    "coalesce(amount::text, '~'), coalesce(to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'), '~'), "
    "coalesce(upper(encode(raw, 'hex')), '~'), coalesce(md5(big), '~')), '|' ORDER BY id), '')) FROM items";

// Random transactions of one to four changes each: inserts, updates of
// small and of large (50 KB MEDIUMTEXT) values, updates of the key,
// deletes. Deterministic for a seed (rand_seed1/2 seed the session's
// RAND()).
constexpr const char* kWorkload = R"SQL(DELIMITER //
CREATE PROCEDURE workload(n INT, seed INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE k INT;
  DECLARE changes INT;
  DECLARE r DOUBLE;
  DECLARE pick BIGINT;
  DECLARE top BIGINT;
  DECLARE lo BIGINT;
  SET rand_seed1 = seed * 7919 + 1, rand_seed2 = seed * 104729 + 2;
  WHILE i < n DO
    START TRANSACTION;
    SET changes = 1 + FLOOR(RAND() * 4), k = 0;
    WHILE k < changes DO
      SET r = RAND();
      SET top = (SELECT MAX(id) FROM items);
      SET lo = FLOOR(RAND() * IFNULL(top, 0));
      SET pick = (SELECT id FROM items WHERE id >= lo ORDER BY id LIMIT 1);
      IF r < 0.35 OR pick IS NULL THEN
        INSERT INTO items (id, name, amount) VALUES (IFNULL(top, 0) + 1, MD5(RAND()), ROUND(RAND() * 1000, 2));
      ELSEIF r < 0.6 THEN
        UPDATE items SET name = MD5(RAND()), amount = amount + 1 WHERE id = pick;
      ELSEIF r < 0.7 THEN
        UPDATE items SET big = REPEAT(MD5(RAND()), 1600) WHERE id = pick;
      ELSEIF r < 0.78 THEN
        UPDATE items SET id = top + 1 WHERE id = pick;
      ELSE
        DELETE FROM items WHERE id = pick;
      END IF;
      SET k = k + 1;
    END WHILE;
    COMMIT;
    -- Paced, so that the run is killed while changes still arrive.
    DO SLEEP(0.003);
    SET i = i + 1;
  END WHILE;
END //
DELIMITER ;
)SQL";

// One column of each supported type, and rows of odd values for them: low
// and negative ends, high ends, NULL everywhere.
const std::vector<std::string> kTypeColumns = {
    "ti TINYINT",     "su SMALLINT UNSIGNED", "mi MEDIUMINT",          "iu INT UNSIGNED", "bi BIGINT",
    "bu BIGINT UNSIGNED", "de DECIMAL(20,6)", "f FLOAT",               "d DOUBLE",        "y YEAR",
    "dt DATE",        "dtm DATETIME",         "dt3 DATETIME(3)",       "ts TIMESTAMP(6) NULL",
    "tm TIME(2)",     "c CHAR(5)",            "v VARCHAR(300)",        "tx TEXT",         "bn BINARY(4)",
    "vb VARBINARY(10)", "bl BLOB",            "lt LONGTEXT"};
const std::vector<std::string> kLowValues = {
    "-128", "0", "-8388608", "0", "-9223372036854775808", "0", "-0.000001", "1.1", "0.1", "1901",
    "'0001-01-01'", "'1000-01-01 00:00:00'", "'2024-02-29 23:59:59.999'", "'1970-01-01 00:00:01.000001'",
    "'-838:59:59.00'", "'ab '", "'hé✓'", "''", "X'00410000'", "X'00'", "X''", "REPEAT('long ✓ text ', 10000)"};
const std::vector<std::string> kHighValues = {
    "127", "65535", "8388607", "4294967295", "9223372036854775807", "18446744073709551615",
    "99999999999999.999999", "123456789", "1e300", "2155", "'9999-12-31'", "'9999-12-31 23:59:59'",
    "'1000-01-01 00:00:00.001'", "'2038-01-19 03:14:07.999999'", "'12:00:00.5'", "'hé✓'",
    R"('tab\there\nnewline\\backslash')", "'hé✓ 😀'", "X'FFFFFFFF'", "X'00FF0000'", "X'0000410000'", "''"};
const std::vector<std::string> kNullValues(kTypeColumns.size(), "NULL");

std::string column_name(const std::string& definition) { return definition.substr(0, definition.find(' ')); }

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? std::string() : separator) + parts[i];
  return out;
}

size_t lines_in(const std::string& text) {
  size_t n = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) n += line.empty() ? 0 : 1;
  return n;
}

std::string types_table() { return "CREATE TABLE types (id INT PRIMARY KEY, " + joined(kTypeColumns, ", ") + ") ENGINE=InnoDB"; }

// "(id, v1, v2, ...)"
std::string type_row(int id, const std::vector<std::string>& values) {
  return "(" + std::to_string(id) + ", " + joined(values, ", ") + ")";
}

// "ti = v1, su = v2, ..."
std::string type_assignments(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (size_t i = 0; i < kTypeColumns.size(); ++i) out.push_back(column_name(kTypeColumns[i]) + " = " + values[i]);
  return joined(out, ", ");
}

// Each row of `types` as "id<TAB>text", every column printed as text
// (binary and string types as hex, the long text as its MD5 and length).
std::string types_query() {
  std::vector<std::string> parts;
  for (const std::string& definition : kTypeColumns) {
    const std::string name = column_name(definition);
    if (name == "lt") {
      parts.push_back("IFNULL(MD5(lt), '~')");
      parts.push_back("IFNULL(LENGTH(lt), '~')");
    } else if (name == "c" || name == "v" || name == "tx" || name == "bn" || name == "vb" || name == "bl") {
      parts.push_back("IFNULL(HEX(" + name + "), '~')");
    } else if (name == "f") {
      // A FLOAT prints with six digits; as a DOUBLE, exactly.
      parts.push_back("IFNULL(CAST(f AS DOUBLE), '~')");
    } else {
      parts.push_back("IFNULL(" + name + ", '~')");
    }
  }
  return "SET NAMES utf8mb4; SET time_zone = '+00:00'; SELECT id, CONCAT_WS('#', " + joined(parts, ", ") +
         ") FROM types ORDER BY id";
}

std::map<std::string, std::string> by_id(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t tab = line.find('\t');
    out[line.substr(0, tab)] = tab == std::string::npos ? "" : line.substr(tab + 1);
  }
  return out;
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

enum class Sink { kPostgres, kMariadb };

class MariadbCdc : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    maria_ = std::make_unique<MariaServer>(binlog_settings());
    pg_ = std::make_unique<PgServer>();
  }
  static void TearDownTestSuite() {
    maria_.reset();
    pg_.reset();
  }

  // src_<tag> on the suite's MariaDB server and dst_<tag> on the sink's
  // server, both empty.
  void make_empty_databases(const std::string& tag, Sink sink) {
    source_ = maria_.get();
    src_ = "src_" + tag;
    source_->sql("CREATE DATABASE " + src_ + " CHARACTER SET utf8mb4");
    make_target(tag, sink);
  }
  // The same, each with the items table.
  void make_databases(const std::string& tag, Sink sink) {
    make_empty_databases(tag, sink);
    source_->sql(kMariaItems, src_);
    target_sql(sink_ == Sink::kPostgres ? kPgItems : kMariaItems);
  }
  // Database `src` with the items table on a server of the test's own, and
  // dst_<tag> with it on the suite's PostgreSQL server.
  void use_own_source(MariaServer& server, const std::string& tag) {
    source_ = &server;
    src_ = "src";
    server.sql("CREATE DATABASE src CHARACTER SET utf8mb4");
    server.sql(kMariaItems, "src");
    make_target(tag, Sink::kPostgres);
    target_sql(kPgItems);
  }
  void make_target(const std::string& tag, Sink sink) {
    dst_ = "dst_" + tag;
    sink_ = sink;
    if (sink_ == Sink::kPostgres) pg_->psql("CREATE DATABASE " + dst_);
    else maria_->sql("CREATE DATABASE " + dst_ + " CHARACTER SET utf8mb4");
  }
  // SQL in the sink's database; returns the output.
  std::string target_sql(const std::string& statements) const {
    return sink_ == Sink::kPostgres ? pg_->psql(statements, dst_) : maria_->sql(statements, dst_);
  }
  // SQL in the source database, in UTF-8 and UTC.
  std::string src_sql(const std::string& statements) const {
    return source_->sql("SET NAMES utf8mb4; SET time_zone = '+00:00'; " + statements, src_);
  }

  std::string sink_config() const {
    if (sink_ == Sink::kPostgres)
      return R"({"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg_->dsn(dst_) + R"(", "table": ")" +
             table_ + R"(", "mode": "upsert", "key": ["id"]}})";
    return R"({"name": "db", "plugin": "mysql", "config": {"host": "127.0.0.1", "port": )" +
           std::to_string(maria_->port()) + R"(, "user": "root", "database": ")" + dst_ + R"(", "table": ")" + table_ +
           R"(", "mode": "upsert", "key": ["id"]}})";
  }
  std::string pipeline(bool follow) const {
    return R"({"name": "cdc", "state": {"type": "sqlite", "path": "state.db"},
      "batch": {"max_records": 200},
      "retry": {"max_attempts": 1000, "initial_delay_ms": 50, "max_delay_ms": 500, "max_elapsed_ms": 120000},
      "source": {"plugin": "mariadb-cdc", "config": {"host": "127.0.0.1", "port": )" +
           std::to_string(source_->port()) + R"(, "user": "root", "database": ")" + src_ + R"(", "table": ")" +
           table_ + R"(", "server_id": 7001, "follow": )" + (follow ? "true" : "false") + R"(, "idle_ms": 50}},
      "sinks": [)" + sink_config() + "]}";
  }
  // One run that ends once caught up.
  ferry::test::ProcessResult run_once() {
    ferry::test::write_file(dir_.file("once.json"), pipeline(false));
    return ferry::test::ferry({"run", "--no-progress", dir_.file("once.json")});
  }
  // Runs until caught up; returns its output.
  std::string catch_up() {
    auto r = run_once();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out + r.err;
  }
  // The dead-letter entries with their whole messages.
  std::string dlq() {
    auto r = ferry::test::ferry({"dlq", "export", dir_.file("once.json")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // Every row of items, in key order, as text (see kMariaRows).
  std::string source_rows() const { return source_->sql(kMariaRows, src_); }
  std::string sink_rows() const { return target_sql(sink_ == Sink::kPostgres ? kPgRows : kMariaRows); }
  // The sink's checkpoint; empty while there is none.
  std::string sink_position() const {
    try {
      return target_sql(sink_ == Sink::kPostgres ? "SELECT convert_from(position, 'UTF8') FROM ferry_checkpoints"
                                                 : "SELECT CAST(position AS CHAR) FROM ferry_checkpoints");
    } catch (const std::exception&) {
      return "";  // no checkpoint table yet
    }
  }

  // 3,000 rows, then rounds of a paced random workload beside a `ferry`
  // that follows the stream and is killed with SIGKILL once it committed
  // something, at a random moment after (during the copy, a batch, the
  // checkpoint: wherever). In the end the sink equals the source.
  void sigkill_under_a_concurrent_workload() {
    src_sql("INSERT INTO items (id, name, amount) SELECT seq, MD5(seq), seq FROM seq_1_to_3000");
    source_->sql(kWorkload, src_);
    ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
    std::mt19937_64 rng(20261207);
    std::uniform_int_distribution<int> delay_ms(0, 40);
    int kills = 0;
    for (int round = 0; round < 12; ++round) {
      ferry::test::Process work({"/usr/bin/mariadb", "--no-defaults", "-S", source_->socket(), "-u", "root", src_,
                                 "-e", "CALL workload(300, " + std::to_string(round + 1) + ")"},
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
      ASSERT_EQ(work.wait().first, 0) << ferry::test::slurp(dir_.file("work.err"));
    }
    EXPECT_GE(kills, 10);
    const std::string err = catch_up();
    EXPECT_EQ(sink_rows(), source_rows()) << err;
    EXPECT_EQ(dlq(), "");
  }

  static std::unique_ptr<MariaServer> maria_;
  static std::unique_ptr<PgServer> pg_;
  TempDir dir_;
  MariaServer* source_ = nullptr;
  std::string src_, dst_;
  std::string table_ = "items";
  Sink sink_ = Sink::kPostgres;
};
std::unique_ptr<MariaServer> MariadbCdc::maria_;
std::unique_ptr<PgServer> MariadbCdc::pg_;

TEST_F(MariadbCdc, SnapshotThenInsertsUpdatesAndDeletesLand) {
  make_databases("basic", Sink::kPostgres);
  src_sql("INSERT INTO items SELECT seq, CONCAT('n', seq), seq * 1.25, "
          "'2024-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL seq * 1001 MICROSECOND, X'00FF', NULL "
          "FROM seq_1_to_900;"
          "INSERT INTO items VALUES (901, NULL, NULL, NULL, NULL, NULL)");
  std::string err = catch_up();
  EXPECT_EQ(sink_rows(), source_rows()) << err;

  // Transactions of every kind of change: inserts, updates (of a 100 KB
  // value, of the key), deletes; then one larger than a batch.
  src_sql(R"(START TRANSACTION;
    INSERT INTO items (id, name, big) VALUES (5000, 'big', REPEAT('0123456789abcdef', 6400));
    UPDATE items SET name = 'changed', amount = 99.99 WHERE id = 1;
    DELETE FROM items WHERE id = 2;
    UPDATE items SET id = 1000 WHERE id = 3;
    INSERT INTO items VALUES (7000, 'tab\there', -1, '9999-12-31 23:59:59.999999', X'', ''),
                             (7001, 'hé✓', 0.5, '1000-01-01 00:00:00', X'00', NULL);
    COMMIT;
    START TRANSACTION;
    UPDATE items SET big = REPEAT('fedcba9876543210', 6400) WHERE id = 10;
    UPDATE items SET name = 'big, renamed' WHERE id = 5000;
    DELETE FROM items WHERE id BETWEEN 100 AND 199;
    COMMIT;
    UPDATE items SET amount = amount * 2, ts = ts + INTERVAL 1 DAY WHERE id BETWEEN 200 AND 700;)");
  err = catch_up();
  EXPECT_EQ(sink_rows(), source_rows()) << err;
  EXPECT_EQ(pg_->psql("SELECT length(big), name FROM items WHERE id = 5000", dst_), "102400|big, renamed\n");
  EXPECT_EQ(pg_->psql("SELECT length(big) FROM items WHERE id = 10", dst_), "102400\n");
  EXPECT_EQ(pg_->psql("SELECT count(*) FROM items WHERE id IN (2, 3)", dst_), "0\n");
  EXPECT_EQ(pg_->psql("SELECT name FROM items WHERE id = 1000", dst_), "n3\n");
  // Streaming: the checkpoint is a GTID.
  EXPECT_NE(sink_position().find(R"({"gtid":"0-1-)"), std::string::npos) << sink_position();
  EXPECT_EQ(dlq(), "");
}

TEST_F(MariadbCdc, ValuesOfEveryTypeReadTheSameFromTheCopyAndTheStream) {
  make_empty_databases("types", Sink::kMariadb);
  table_ = "types";
  source_->sql(types_table(), src_);
  target_sql(types_table());
  // Copied by the snapshot: 1 low, 2 high, 3 NULLs.
  src_sql("INSERT INTO types VALUES " + type_row(1, kLowValues) + ", " + type_row(2, kHighValues) + ", " +
          type_row(3, kNullValues));
  std::string err = catch_up();
  // The same values streamed: inserted, and reached by updates (NULLs to
  // values, values to NULLs); a row inserted and deleted leaves nothing.
  src_sql("START TRANSACTION; INSERT INTO types VALUES " + type_row(101, kLowValues) + ", " +
          type_row(102, kHighValues) + ", " + type_row(103, kNullValues) + ", " + type_row(104, kNullValues) + ", " +
          type_row(105, kLowValues) + ", " + type_row(106, kHighValues) + "; COMMIT;" +
          "UPDATE types SET " + type_assignments(kLowValues) + " WHERE id = 104;" +
          "UPDATE types SET " + type_assignments(kNullValues) + " WHERE id = 105;" +
          "DELETE FROM types WHERE id = 106;");
  err += catch_up();
  const std::string source = src_sql(types_query());
  const std::string sink = maria_->sql(types_query(), dst_);
  EXPECT_EQ(sink, source) << err;
  const auto rows = by_id(sink);
  ASSERT_EQ(rows.size(), 8u) << sink;
  // A value reads the same from the copy and from the stream.
  for (const auto& [streamed, copied] : std::vector<std::pair<std::string, std::string>>{
           {"101", "1"}, {"102", "2"}, {"103", "3"}, {"104", "1"}, {"105", "3"}})
    EXPECT_EQ(rows.at(streamed), rows.at(copied)) << "row " << streamed << " against row " << copied;
  EXPECT_EQ(rows.count("106"), 0u);
  EXPECT_EQ(dlq(), "");
}

TEST_F(MariadbCdc, ColumnAddedMidStreamLandsAndIsRecordedWithItsPosition) {
  make_databases("ddl", Sink::kPostgres);
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  catch_up();
  src_sql("INSERT INTO items (id, name) VALUES (2, 'b');"
          "ALTER TABLE items ADD COLUMN color VARCHAR(20);"
          "INSERT INTO items (id, name, color) VALUES (3, 'c', 'red')");
  const std::string err = catch_up();
  // The host records the new schema with the position it began after.
  EXPECT_NE(err.find(R"({"name":"color","type":"string"}] after position '{"gtid":)"), std::string::npos) << err;
  EXPECT_EQ(pg_->psql("SELECT id, name, color FROM items ORDER BY id", dst_), "1|a|\n2|b|\n3|c|red\n");
}

TEST_F(MariadbCdc, ZeroDateGoesToTheDlqAndTheRestLands) {
  make_databases("zero", Sink::kPostgres);
  // One in the copy, one in the stream.
  src_sql("SET SESSION sql_mode = '';"
          "INSERT INTO items (id, name, ts) VALUES (1, 'a', '2024-01-01 10:00:00'), (2, 'zero', '0000-00-00 00:00:00')");
  catch_up();
  src_sql("SET SESSION sql_mode = '';"
          "START TRANSACTION;"
          "INSERT INTO items (id, name, ts) VALUES (3, 'b', '2024-01-02 10:00:00.5');"
          "INSERT INTO items (id, name, ts) VALUES (4, 'zero', '0000-00-00 00:00:00');"
          "INSERT INTO items (id, name, ts) VALUES (5, 'c', NULL);"
          "COMMIT");
  const std::string err = catch_up();
  EXPECT_EQ(pg_->psql("SELECT id, name, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') FROM items ORDER BY id", dst_),
            "1|a|2024-01-01 10:00:00.000000\n3|b|2024-01-02 10:00:00.500000\n5|c|\n")
      << err;
  const std::string entries = dlq();
  EXPECT_EQ(lines_in(entries), 2u) << entries;
  EXPECT_NE(entries.find("0000-00-00"), std::string::npos) << entries;
}

TEST_F(MariadbCdc, UnsupportedColumnTypeIsRefusedBeforeAnythingIsRead) {
  make_target("unsupported", Sink::kPostgres);
  target_sql(kPgItems);
  source_ = maria_.get();
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"c_enum", "ENUM('s', 'm', 'l')"}, {"c_set", "SET('x', 'y')"}, {"c_bit", "BIT(3)"}, {"c_geometry", "GEOMETRY"}};
  for (const auto& [column, type] : refused) {
    src_ = "src_unsupported_" + column;
    source_->sql("CREATE DATABASE " + src_ + " CHARACTER SET utf8mb4");
    source_->sql(kMariaItems, src_);
    source_->sql("ALTER TABLE items ADD COLUMN " + column + " " + type + "; INSERT INTO items (id, name) VALUES (1, 'a')",
                 src_);
    auto r = run_once();
    EXPECT_NE(r.exit_code, 0) << column;
    EXPECT_NE(r.err.find(column), std::string::npos) << r.err;
    EXPECT_NE(lowercase(r.err).find(lowercase(type.substr(0, type.find('(')))), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("not supported"), std::string::npos) << r.err;
  }
  EXPECT_EQ(pg_->psql("SELECT count(*) FROM items", dst_), "0\n");
}

TEST_F(MariadbCdc, ATableWhoseChangesCannotBeReadExactlyIsRefusedSayingWhy) {
  make_target("table_refused", Sink::kPostgres);
  target_sql(kPgItems);
  source_ = maria_.get();
  // Each table, and what the refusal must say.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"CREATE TABLE items (id BIGINT, name VARCHAR(100)) ENGINE=InnoDB", "has no primary key"},
      {"CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(100)) ENGINE=Aria", "uses the Aria engine"},
      {"CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(100) CHARACTER SET latin1) ENGINE=InnoDB",
       "column 'name' of `src_refused_2`.`items` has character set latin1"},
      {"CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(100), n2 INT AS (id + 1) VIRTUAL) ENGINE=InnoDB",
       "column 'n2' of `src_refused_3`.`items` is a virtual column"},
      {"CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(100) COMPRESSED) ENGINE=InnoDB",
       "column 'name' of `src_refused_4`.`items` is a COMPRESSED column"},
      {"CREATE TABLE items (id FLOAT PRIMARY KEY, name VARCHAR(100)) ENGINE=InnoDB",
       "a floating-point primary key is not supported"},
  };
  for (size_t k = 0; k < refused.size(); ++k) {
    src_ = "src_refused_" + std::to_string(k);
    source_->sql("CREATE DATABASE " + src_ + " CHARACTER SET utf8mb4");
    source_->sql(refused[k].first + "; INSERT INTO items (id, name) VALUES (1, 'a')", src_);
    auto r = run_once();
    EXPECT_NE(r.exit_code, 0) << refused[k].first;
    EXPECT_NE(r.err.find(refused[k].second), std::string::npos) << r.err;
  }
  EXPECT_EQ(pg_->psql("SELECT count(*) FROM items", dst_), "0\n");
}

TEST_F(MariadbCdc, TheStreamCrossesIntoNewBinlogFilesWhetherFollowingOrBehind) {
  MariaServer source(binlog_settings());  // binlog_checksum CRC32, the default
  use_own_source(source, "rotate");
  source.sql("CREATE TABLE other (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB", "src");
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  catch_up();
  // Behind: a file that ends in another table's changes, ours in the next.
  src_sql("INSERT INTO other VALUES (1, 'x'); INSERT INTO items (id, name) VALUES (2, 'b')");
  source.sql("FLUSH BINARY LOGS");
  src_sql("INSERT INTO other VALUES (2, 'x')");
  source.sql("FLUSH BINARY LOGS");
  src_sql("INSERT INTO items (id, name) VALUES (3, 'c')");
  catch_up();
  EXPECT_EQ(pg_->psql("SELECT id, name FROM items ORDER BY id", dst_), "1|a\n2|b\n3|c\n");
  // Restarts start new files and number the tables anew: after the second,
  // the other table may take the id ours had in the file before.
  source.stop_immediate();
  source.start();
  src_sql("UPDATE items SET name = 'a2' WHERE id = 1");
  source.stop_immediate();
  source.start();
  src_sql("INSERT INTO other VALUES (100, 'OTHER'); UPDATE other SET v = 'OTHER-upd' WHERE id = 100");
  catch_up();
  EXPECT_EQ(pg_->psql("SELECT id, name FROM items ORDER BY id", dst_), "1|a2\n2|b\n3|c\n");
  // Following: the run crosses a rotation as it happens.
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("follow.json")}, {},
                           dir_.file("out.txt"), dir_.file("err.txt"));
  const auto landed = [&](const std::string& want) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::pair<int, int> st;
    while (std::chrono::steady_clock::now() < give_up && !run.finished(&st)) {
      if (pg_->psql("SELECT count(*) FROM items", dst_) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  src_sql("INSERT INTO items (id, name) VALUES (4, 'd')");
  ASSERT_TRUE(landed("4\n")) << ferry::test::slurp(dir_.file("err.txt"));
  source.sql("FLUSH BINARY LOGS");
  src_sql("INSERT INTO items (id, name) VALUES (5, 'e')");
  EXPECT_TRUE(landed("5\n")) << ferry::test::slurp(dir_.file("err.txt"));
  run.kill_now(SIGTERM);
  run.wait();
  EXPECT_EQ(sink_rows(), source_rows());
}

TEST_F(MariadbCdc, AColumnMadeUnsignedMidStreamReadsItsNewValuesExactly) {
  make_databases("unsigned", Sink::kPostgres);
  src_sql("ALTER TABLE items ADD COLUMN n INT; INSERT INTO items (id, n) VALUES (1, 5)");
  catch_up();
  // One run reads the change before the ALTER and the one after it.
  src_sql("INSERT INTO items (id, n) VALUES (2, -7); UPDATE items SET n = 7 WHERE id = 2;"
          "ALTER TABLE items MODIFY n INT UNSIGNED; INSERT INTO items (id, n) VALUES (3, 4000000000)");
  catch_up();
  EXPECT_EQ(pg_->psql("SELECT id, n FROM items ORDER BY id", dst_), "1|5\n2|7\n3|4000000000\n");
}

// The binlog holds a string column's bytes in the character set the column
// had when the change was written. A column converted since (latin1 to
// utf8mb4) would have its old bytes read as UTF-8: the run stops, naming
// the column and what the binlog holds, and nothing of it lands.
TEST_F(MariadbCdc, AColumnConvertedToUtf8SinceAChangeWasWrittenStopsTheRun) {
  make_databases("charset", Sink::kPostgres);
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  catch_up();
  src_sql("ALTER TABLE items ADD COLUMN extra VARCHAR(10) CHARACTER SET latin1;"
          "INSERT INTO items (id, extra) VALUES (2, _utf8mb4'caf\u00e9');"
          "ALTER TABLE items MODIFY extra VARCHAR(10) CHARACTER SET utf8mb4;"
          "INSERT INTO items (id, extra) VALUES (3, _utf8mb4'n\u00e9e')");
  ASSERT_EQ(source_->sql("SELECT HEX(extra) FROM items WHERE id = 2", src_), "636166C3A9\n");
  const auto r = run_once();
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("column 'extra' of `" + src_ + "`.`items` was written to the binlog in character set latin1"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(pg_->psql("SELECT id FROM items ORDER BY id", dst_), "1\n");
}

// The table map lists a collation for GEOMETRY too (binary): a change
// written while the table had one is read with every string column's
// collation in its place, and the run stops on the geometry column itself.
TEST_F(MariadbCdc, AGeometryColumnDroppedSinceAChangeIsNamedNotMistakenForAnother) {
  make_databases("geometry", Sink::kPostgres);
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  catch_up();
  src_sql("ALTER TABLE items ADD COLUMN spot POINT AFTER id;"
          "INSERT INTO items (id, spot, name) VALUES (2, POINT(1, 2), 'b');"
          "ALTER TABLE items DROP COLUMN spot;"
          "INSERT INTO items (id, name) VALUES (3, 'c')");
  const auto r = run_once();
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("column 'spot' of `" + src_ + "`.`items` is written to the binlog as type 255"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(pg_->psql("SELECT id FROM items ORDER BY id", dst_), "1\n");
}

TEST_F(MariadbCdc, CompressedBinlogEventsAreRead) {
  MariaServer source(binlog_settings());
  use_own_source(source, "compressed");
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  catch_up();
  // Statements and row images over 256 bytes are written compressed.
  source.sql("SET GLOBAL log_bin_compress = ON");
  std::string columns;
  for (int c = 0; c < 30; ++c) columns += ", a_rather_long_column_name_" + std::to_string(c) + " INT";
  src_sql("CREATE TABLE other (id INT PRIMARY KEY" + columns + ") ENGINE=InnoDB;"
          "INSERT INTO items (id, name, big) VALUES (2, 'b', REPEAT('z', 5000))");
  catch_up();
  EXPECT_EQ(sink_rows(), source_rows());
}

TEST_F(MariadbCdc, ACopyPagesPastKeysOfEveryDecimalWidth) {
  make_empty_databases("widekey", Sink::kPostgres);
  src_sql("CREATE TABLE items (id DECIMAL(40,0) PRIMARY KEY, name VARCHAR(10)) ENGINE=InnoDB;"
          "INSERT INTO items SELECT 100000000000000000000000000000000000000 + seq, 'x' FROM seq_1_to_450");
  target_sql("CREATE TABLE items (id numeric(40,0) PRIMARY KEY, name text)");
  catch_up();  // three pages of 200: a key cut to fewer digits would page for ever
  EXPECT_EQ(pg_->psql("SELECT count(*), min(id), max(id) FROM items", dst_),
            "450|100000000000000000000000000000000000001|100000000000000000000000000000000000450\n");
}

TEST_F(MariadbCdc, TheFileSinkWritesChangeEventsWithTheirOperationOrRefusesDeletes) {
  make_empty_databases("file", Sink::kPostgres);
  source_->sql(kMariaItems, src_);
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')");
  const auto run_into = [&](const std::string& dir, const std::string& op_field) {
    ferry::test::write_file(dir_.file(dir + ".json"),
        R"({"name": ")" + dir + R"(", "state": {"type": "sqlite", "path": ")" + dir + R"(.state.db"},
          "source": {"plugin": "mariadb-cdc", "config": {"host": "127.0.0.1", "port": )" +
        std::to_string(source_->port()) + R"(, "user": "root", "database": ")" + src_ +
        R"(", "table": "items", "server_id": 7002, "follow": false}},
          "sinks": [{"name": "out", "plugin": "file", "config": {"directory": ")" + dir + "\"" + op_field + "}}]}");
    auto r = ferry::test::ferry({"run", "--no-progress", dir_.file(dir + ".json")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    for (const auto& f : std::filesystem::directory_iterator(dir_.file(dir))) {
      std::istringstream in(ferry::test::slurp(f.path().string()));
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  run_into("events", R"(, "op_field": "_op")");
  run_into("rows", "");
  src_sql("UPDATE items SET name = 'a2' WHERE id = 1; DELETE FROM items WHERE id = 2");
  const std::vector<std::string> events = run_into("events", R"(, "op_field": "_op")");
  EXPECT_EQ(events, (std::vector<std::string>{
                        R"({"_op":"delete","id":2,"name":"b","amount":null,"ts":null,"raw":null,"big":null})",
                        R"({"_op":"insert","id":1,"name":"a","amount":null,"ts":null,"raw":null,"big":null})",
                        R"({"_op":"insert","id":2,"name":"b","amount":null,"ts":null,"raw":null,"big":null})",
                        R"({"_op":"update","id":1,"name":"a2","amount":null,"ts":null,"raw":null,"big":null})"}));
  // Without the op field, rows: the delete cannot be one, so it goes to the
  // DLQ with the reason.
  const std::vector<std::string> rows = run_into("rows", "");
  EXPECT_EQ(rows.size(), 3u);
  auto dead = ferry::test::ferry({"dlq", "export", dir_.file("rows.json")});
  EXPECT_NE(dead.out.find("set the sink's op_field"), std::string::npos) << dead.out << dead.err;
}

// The copy's checkpoint holds a binary key as hex; one that is not hex
// (a damaged or hand-edited state) must stop the run, not page on from
// other bytes.
TEST_F(MariadbCdc, ACopyCheckpointWhoseBinaryKeyIsNotHexIsRefused) {
  make_empty_databases("hexkey", Sink::kPostgres);
  src_sql("CREATE TABLE items (id VARBINARY(8) PRIMARY KEY, name VARCHAR(10)) ENGINE=InnoDB;"
          "INSERT INTO items VALUES (X'01', 'a'), (X'02', 'b')");
  ferry::test::write_file(dir_.file("hex.json"),
      R"({"name": "hex", "state": {"type": "sqlite", "path": "hex.state.db"},
        "source": {"plugin": "mariadb-cdc", "config": {"host": "127.0.0.1", "port": )" +
      std::to_string(source_->port()) + R"(, "user": "root", "database": ")" + src_ +
      R"(", "table": "items", "server_id": 7003, "follow": false}},
        "sinks": [{"name": "out", "plugin": "null"}]})");
  auto first = ferry::test::ferry({"run", "--no-progress", dir_.file("hex.json")});
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // The stream's checkpoint made back into one of the copy, after a key "zz".
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("hex.state.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db,
                              "UPDATE checkpoints SET position = CAST(replace(CAST(position AS TEXT), '{\"gtid\"', "
                              "'{\"after\":[\"zz\"],\"snapshot_gtid\"') AS BLOB)",
                              nullptr, nullptr, &error);
  const int changed = sqlite3_changes(db);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << (error ? error : "");
  ASSERT_EQ(changed, 1);

  auto again = ferry::test::ferry({"run", "--no-progress", dir_.file("hex.json")});
  EXPECT_NE(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("is not hex"), std::string::npos) << again.err;
}

TEST_F(MariadbCdc, TheLagIsReportedInSecondsWhileTheSinkIsBehind) {
  make_databases("lag", Sink::kMariadb);
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", "--admin", "127.0.0.1:0",
                            dir_.file("follow.json")},
                           {}, dir_.file("out.txt"), dir_.file("err.txt"));
  const int port = ferry::test::admin_port(run, dir_.file("err.txt"));
  ASSERT_GT(port, 0) << ferry::test::slurp(dir_.file("err.txt"));
  ASSERT_TRUE(ferry::test::wait_until([&] { return !sink_position().empty(); }))
      << ferry::test::slurp(dir_.file("err.txt"));
  const std::string lag = "ferry_plugin_gauge{pipeline=\"cdc\",stage=\"source\",gauge=\"binlog_lag_seconds\"}";
  // The sink's table stays locked until the session holding it is killed.
  ferry::test::Process lock({"/usr/bin/mariadb", "--no-defaults", "-S", maria_->socket(), "-u", "root", dst_, "-e",
                             "LOCK TABLES items WRITE; SELECT SLEEP(600)"},
                            {}, dir_.file("lock.out"), dir_.file("lock.err"));
  ASSERT_TRUE(ferry::test::wait_until([&] {
    return maria_->sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(600)%'") ==
           "1\n";
  }));
  src_sql("INSERT INTO items (id, name) SELECT seq, 'x' FROM seq_1_to_100");
  std::string scrape;
  EXPECT_TRUE(ferry::test::wait_until([&] {
    scrape = ferry::test::scrape_metrics(port);
    return ferry::test::metric(scrape, lag) >= 1;
  })) << scrape;
  // The server's thread, not just its client, ends: that releases the lock.
  const std::string holder =
      maria_->sql("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(600)%'");
  maria_->sql("KILL " + holder.substr(0, holder.find('\n')));
  lock.wait();
  EXPECT_TRUE(ferry::test::wait_until([&] {
    scrape = ferry::test::scrape_metrics(port);
    return maria_->sql("SELECT COUNT(*) FROM items", dst_) == "100\n" && ferry::test::metric(scrape, lag) == 0;
  })) << scrape;
  run.kill_now(SIGTERM);
  run.wait();
}

TEST_F(MariadbCdc, ServerWithoutFullRowMetadataIsRefused) {
  // binlog_row_metadata stays at its default, MINIMAL: no column names.
  MariaServer minimal({"--log-bin=mariadb-bin", "--binlog-format=ROW", "--server-id=1", "--binlog-row-image=FULL"});
  use_own_source(minimal, "nometa");
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  auto r = run_once();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("binlog_row_metadata"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("FULL"), std::string::npos) << r.err;
}

TEST_F(MariadbCdc, PurgedBinlogIsRefusedClearly) {
  MariaServer source(binlog_settings());
  use_own_source(source, "purged");
  src_sql("INSERT INTO items (id, name) VALUES (1, 'a')");
  catch_up();
  ASSERT_EQ(pg_->psql("SELECT id FROM items", dst_), "1\n");
  // A change after the checkpoint, then the logs that hold it are purged.
  src_sql("INSERT INTO items (id, name) VALUES (2, 'b')");
  source.sql("FLUSH BINARY LOGS; FLUSH BINARY LOGS");
  const std::string status = source.sql("SHOW MASTER STATUS");
  const std::string current = status.substr(0, status.find('\t'));
  ASSERT_EQ(current.rfind("mariadb-bin.", 0), 0u) << status;
  // A log stays until InnoDB has made its transactions durable (the binlog
  // checkpoint; the test server flushes its redo log once a second), so
  // the purge is repeated until only the current log is left.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string logs;
  do {
    source.sql("PURGE BINARY LOGS TO '" + current + "'");
    logs = source.sql("SHOW BINARY LOGS");
  } while (logs.rfind(current, 0) != 0 && std::chrono::steady_clock::now() < deadline &&
           (std::this_thread::sleep_for(std::chrono::milliseconds(50)), true));
  ASSERT_EQ(logs.rfind(current, 0), 0u) << logs;
  auto r = run_once();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("purged"), std::string::npos) << r.err;
  EXPECT_EQ(pg_->psql("SELECT id FROM items", dst_), "1\n");
}

TEST_F(MariadbCdc, SourceServerRestartMidStreamIsRetriedAndResumes) {
  MariaServer source(binlog_settings());
  use_own_source(source, "restart");
  src_sql("INSERT INTO items (id, name) SELECT seq, 'a' FROM seq_1_to_100");
  ferry::test::write_file(dir_.file("follow.json"), pipeline(true));
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("follow.json")}, {},
                           dir_.file("out.txt"), dir_.file("err.txt"));
  const auto landed = [&](const std::string& want) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    std::pair<int, int> st;
    while (std::chrono::steady_clock::now() < give_up && !run.finished(&st)) {
      if (pg_->psql("SELECT count(*), count(*) FILTER (WHERE name = 'b') FROM items", dst_) == want) return true;
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
  EXPECT_NE(ferry::test::slurp(dir_.file("err.txt")).find("read failed, retrying"), std::string::npos)
      << ferry::test::slurp(dir_.file("err.txt"));
  source.start();
  src_sql("START TRANSACTION; UPDATE items SET name = 'b' WHERE id <= 50; DELETE FROM items WHERE id = 100;"
          "INSERT INTO items (id, name) VALUES (101, 'b'), (102, 'b'); COMMIT");
  EXPECT_TRUE(landed("101|52\n")) << ferry::test::slurp(dir_.file("err.txt"));
  run.kill_now(SIGTERM);
  run.wait();
  EXPECT_EQ(sink_rows(), source_rows());
}

TEST_F(MariadbCdc, SinkEqualsSourceAfterRepeatedSigkillUnderAConcurrentWorkloadIntoPostgres) {
  make_databases("kill_pg", Sink::kPostgres);
  sigkill_under_a_concurrent_workload();
}

TEST_F(MariadbCdc, SinkEqualsSourceAfterRepeatedSigkillUnderAConcurrentWorkloadIntoMariadb) {
  make_databases("kill_maria", Sink::kMariadb);
  sigkill_under_a_concurrent_workload();
}

}  // namespace
