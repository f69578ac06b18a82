// The mysql sink's LOAD DATA LOCAL INFILE path (append mode), against a
// throwaway MariaDB 10.11: it writes what the INSERT path writes, value for
// value; what LOAD DATA LOCAL would only warn about (a value too long, a
// duplicate key) is not let through but refused row by row, as INSERT
// refuses it; a server with local_infile off gets INSERTs.
//
// Whether LOAD DATA ran is read from the server's own statement counter
// (Com_load): each test has the server to itself.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "state/state_store.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::MariaServer;
using ferry::test::TempDir;

constexpr const char* kPassword = "L0ad-pw";

class MysqlLoadData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<MariaServer>();
    server_->sql("CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY '" + std::string(kPassword) +
                 "'; GRANT ALL ON *.* TO 'ferry'@'127.0.0.1';"
                 "CREATE DATABASE src CHARACTER SET utf8mb4; CREATE DATABASE dst CHARACTER SET utf8mb4;"
                 "CREATE DATABASE ins CHARACTER SET utf8mb4;");
  }
  static void TearDownTestSuite() { server_.reset(); }

  static std::string q(const std::string& statements) {
    std::string out = server_->sql("SET NAMES utf8mb4; SET time_zone = '+00:00'; " + statements, "src");
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  static int64_t n(const std::string& query) { return std::stoll(q(query)); }
  static int64_t loads() {
    return n("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_LOAD'");
  }

  static std::string conn(const std::string& db) {
    return R"("host": "127.0.0.1", "port": )" + std::to_string(server_->port()) +
           R"(, "user": "ferry", "password": ")" + kPassword + R"(", "database": ")" + db + "\"";
  }

  // mysql source table -> mysql sink into `db`.`table`, in append mode.
  ferry::test::ProcessResult run(const std::string& name, const std::string& table, const std::string& db,
                                 const std::string& sink_extra = "") {
    ferry::test::write_file(dir_.file(name + ".json"), R"({"name": ")" + name + R"(",
      "state": {"type": "sqlite", "path": "state.db"}, "batch": {"max_records": 500},
      "source": {"plugin": "mysql", "config": {)" + conn("src") + R"(, "table": ")" + table + R"("}},
      "sinks": [{"name": "db", "plugin": "mysql", "config": {)" + conn(db) + R"(, "table": ")" + table +
                                                          R"(")" + sink_extra + "}}]}");
    return ferry::test::run_process({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file(name + ".json")});
  }

  std::set<std::string> dlq_keys(const std::string& pipeline) {
    auto state = ferry::core::open_sqlite_state(dir_.file("state.db"));
    ferry::core::DlqFilter f;
    f.pipeline = pipeline;
    std::set<std::string> keys;
    for (const auto& e : state->list_dlq(f)) keys.insert(e.record_key);
    return keys;
  }

  static std::unique_ptr<MariaServer> server_;
  TempDir dir_;
};

std::unique_ptr<MariaServer> MysqlLoadData::server_;

TEST_F(MysqlLoadData, WritesWhatInsertWritesValueForValue) {
  // Every value type LOAD DATA carries, and the text its escaping must keep:
  // tabs, newlines, carriage returns, backslashes, NUL, "\N" and "NULL" as
  // text, a trailing backslash, 4-byte UTF-8, the empty string, NULLs.
  q(R"(CREATE TABLE src.t (id INT PRIMARY KEY, flag BOOLEAN, big BIGINT, amount DECIMAL(40,10),
      v VARCHAR(200), tx LONGTEXT, j JSON, dtm DATETIME(6));
    INSERT INTO src.t VALUES
      (1, TRUE, -9223372036854775808, -123456789012345678901234567890.0123456789,
       'tab\there', 'line\nbreak\r\nend', '{"k": "tab\\t and \\\\ and \\n"}', '1000-01-01 00:00:00'),
      (2, FALSE, 9223372036854775807, 0.0000000001, '\\N', 'NULL', '[]', '9999-12-31 23:59:59.999999'),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (4, TRUE, 0, 1, '', CONCAT('nul', CHAR(0), 'byte'), 'null', '1970-01-01 00:00:00.000001'),
      (5, FALSE, 42, -0.5, 'ends with \\', 'héllo wörld 😀 日本', '{"a": [1, {"b": "ünï"}]}',
       '1969-12-31 23:59:59.999999');
    INSERT INTO src.t SELECT seq, seq % 2, seq * 1000003, seq / 7, CONCAT('row\t', seq),
      REPEAT('x\\y', seq % 50), JSON_OBJECT('n', seq), '2026-01-01 00:00:00' + INTERVAL seq SECOND
      FROM seq_6_to_1200;)");

  const int64_t before = loads();
  auto r = run("load", "t", "dst");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(loads() - before, 3) << "one LOAD DATA per batch of 500";
  // Not one batch fell back to INSERT: LOAD DATA wrote every row itself.
  EXPECT_EQ(r.err.find("written again with INSERT"), std::string::npos) << r.err;
  auto i = run("insert", "t", "ins", R"(, "load_data": false)");
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(loads() - before, 3) << "load_data false must not use LOAD DATA";

  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.t"), 1200);
  EXPECT_EQ(n("SELECT COUNT(*) FROM ins.t"), 1200);
  for (const char* c : {"flag", "big", "amount", "v", "HEX(tx)", "j", "dtm"}) {
    const std::string col = c;
    const std::string a = col == "HEX(tx)" ? "HEX(s.tx)" : "s." + col;
    const std::string b = col == "HEX(tx)" ? "HEX(d.tx)" : "d." + col;
    const std::string e = col == "HEX(tx)" ? "HEX(e.tx)" : "e." + col;
    EXPECT_EQ(n("SELECT COUNT(*) FROM src.t s JOIN dst.t d USING (id) WHERE NOT (" + a + " <=> " + b + ")"), 0)
        << col << " differs from the source after LOAD DATA";
    EXPECT_EQ(n("SELECT COUNT(*) FROM ins.t e JOIN dst.t d USING (id) WHERE NOT (" + e + " <=> " + b + ")"), 0)
        << col << " differs between LOAD DATA and INSERT";
  }
  EXPECT_EQ(q("SELECT v FROM dst.t WHERE id = 2"), "\\\\N");  // the client escapes its output
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.t WHERE id = 2 AND v = '\\\\N' AND tx = 'NULL'"), 1);
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.t WHERE id = 3 AND COALESCE(flag, big, amount, v, tx, j, dtm) IS NULL"), 1);
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.t WHERE id = 4 AND v = '' AND LENGTH(tx) = 8"), 1);
  EXPECT_EQ(q("SELECT `position` FROM dst.ferry_checkpoints WHERE pipeline = 'load'"), "[1200]");
}

TEST_F(MysqlLoadData, WhatLoadDataWouldOnlyWarnAboutIsRefusedRowByRow) {
  // LOAD DATA LOCAL truncates a long value and skips a duplicate key, with a
  // warning each. The sink must not keep that: those rows go to the DLQ, and
  // their neighbours commit. A value longer than its VARCHAR is refused
  // before it is sent (the sink knows the column's length); the duplicate
  // key only the server can see, so its batch goes again as INSERT.
  q("CREATE TABLE src.w (id INT PRIMARY KEY, name VARCHAR(40));"
    "INSERT INTO src.w SELECT seq, IF(seq IN (17, 333), REPEAT('z', 20), CONCAT('n', seq)) FROM seq_1_to_600;"
    "CREATE TABLE dst.w (id BIGINT PRIMARY KEY, name VARCHAR(8)) ENGINE=InnoDB;"
    "INSERT INTO dst.w VALUES (250, 'before');");
  auto r = run("warn", "w", "dst", R"(, "create_table": false)");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.w"), 598);
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.w WHERE id IN (17, 333)"), 0) << "a truncated value was kept";
  EXPECT_EQ(q("SELECT name FROM dst.w WHERE id = 250"), "before");
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.w WHERE id <> 250 AND name <> CONCAT('n', id)"), 0);
  EXPECT_EQ(dlq_keys("warn"), (std::set<std::string>{"17", "250", "333"}));
  // Said once, with the server's first warning.
  const std::string said = "such batches are written again with INSERT";
  EXPECT_NE(r.err.find(said), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[1062] Duplicate entry '250'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(said), r.err.rfind(said)) << r.err;
  EXPECT_EQ(r.err.find(kPassword), std::string::npos) << r.err;
}

TEST_F(MysqlLoadData, IntegersLandAsTheyDoWhenBoundAsIntegers) {
  // A bound integer and its text differ for some column types: BIT takes
  // the number but the text's bytes, YEAR reads text 0 as 2000, ENUM takes
  // a number as a member's position but text as its name (and refuses
  // position 0). Where they differ, the batch goes as INSERT.
  q("CREATE TABLE src.n (id INT PRIMARY KEY, flag BOOLEAN, y INT, e INT, plain BIGINT);"
    "INSERT INTO src.n VALUES (1, TRUE, 0, 1, 7), (2, FALSE, 2024, 2, -7), (3, TRUE, 99, 0, 0);"
    "CREATE TABLE dst.n (id BIGINT PRIMARY KEY, flag BIT(8), y YEAR, e ENUM('0', '1'), plain BIGINT);"
    "CREATE TABLE ins.n LIKE dst.n;");
  auto r = run("ints", "n", "dst", R"(, "create_table": false)");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto i = run("ints-insert", "n", "ins", R"(, "create_table": false, "load_data": false)");
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(q("SELECT GROUP_CONCAT(CONCAT_WS(':', id, flag + 0, y, e, plain) ORDER BY id) FROM dst.n"),
            q("SELECT GROUP_CONCAT(CONCAT_WS(':', id, flag + 0, y, e, plain) ORDER BY id) FROM ins.n"));
  EXPECT_EQ(q("SELECT GROUP_CONCAT(CONCAT_WS(':', id, flag + 0, y, e) ORDER BY id) FROM dst.n"),
            "1:1:0000:0,2:0:2024:1");
  EXPECT_EQ(dlq_keys("ints"), (std::set<std::string>{"3"}));
  EXPECT_EQ(dlq_keys("ints"), dlq_keys("ints-insert"));

  // Without the row INSERT refuses, LOAD DATA itself writes them.
  q("CREATE TABLE src.n2 LIKE src.n; INSERT INTO src.n2 SELECT * FROM src.n WHERE id < 3;"
    "CREATE TABLE dst.n2 LIKE dst.n; CREATE TABLE ins.n2 LIKE dst.n;");
  const int64_t before = loads();
  auto l = run("ints2", "n2", "dst", R"(, "create_table": false)");
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_EQ(loads() - before, 1);
  EXPECT_EQ(l.err.find("written again with INSERT"), std::string::npos) << l.err;
  auto li = run("ints2-insert", "n2", "ins", R"(, "create_table": false, "load_data": false)");
  ASSERT_EQ(li.exit_code, 0) << li.err;
  EXPECT_EQ(q("SELECT GROUP_CONCAT(CONCAT_WS(':', id, flag + 0, y, e, plain) ORDER BY id) FROM dst.n2"),
            q("SELECT GROUP_CONCAT(CONCAT_WS(':', id, flag + 0, y, e, plain) ORDER BY id) FROM ins.n2"));
  EXPECT_EQ(q("SELECT GROUP_CONCAT(CONCAT_WS(':', id, flag + 0, y, e, plain) ORDER BY id) FROM dst.n2"),
            "1:1:0000:0:7,2:0:2024:1:-7");
}

TEST_F(MysqlLoadData, AValueForAGeneratedColumnIsRefusedNotDropped) {
  // LOAD DATA ignores a value given for a generated column, without a
  // warning; INSERT refuses it. Either way nothing may be stored as if the
  // value had been taken.
  q("CREATE TABLE src.g (id INT PRIMARY KEY, a INT, g INT);"
    "INSERT INTO src.g VALUES (1, 1, 5), (2, 2, 4);"
    "CREATE TABLE dst.g (id BIGINT PRIMARY KEY, a INT, g INT AS (a * 2) VIRTUAL);"
    "CREATE TABLE ins.g LIKE dst.g;");
  for (const auto& [db, extra] : {std::pair<std::string, std::string>{"dst", ""}, {"ins", R"(, "load_data": false)"}}) {
    auto r = run("gen-" + db, "g", db, R"(, "create_table": false)" + extra);
    EXPECT_NE(r.exit_code, 0) << db << ": " << r.out;
    EXPECT_NE(r.err.find("generated column 'g'"), std::string::npos) << db << ": " << r.err;
    EXPECT_NE(r.err.find("config"), std::string::npos) << db << ": " << r.err;
    EXPECT_EQ(n("SELECT COUNT(*) FROM " + db + ".g"), 0) << db;
  }
}

TEST_F(MysqlLoadData, ZeroDatesAreRefusedNotStored) {
  // The session's sql_mode refuses zero dates and zero parts, as MySQL 8's
  // default does: "2012-00-00" and "0000-00-00" name no day.
  q("CREATE TABLE src.z (id INT PRIMARY KEY, d VARCHAR(20));"
    "INSERT INTO src.z VALUES (1, '2024-02-29'), (2, '2012-00-00'), (3, '0000-00-00'), (4, '2024-03-01');"
    "CREATE TABLE dst.z (id BIGINT PRIMARY KEY, d DATE); CREATE TABLE ins.z LIKE dst.z;");
  for (const auto& [db, extra] : {std::pair<std::string, std::string>{"dst", ""}, {"ins", R"(, "load_data": false)"}}) {
    auto r = run("zero-" + db, "z", db, R"(, "create_table": false)" + extra);
    ASSERT_EQ(r.exit_code, 0) << db << ": " << r.err;
    EXPECT_EQ(q("SELECT GROUP_CONCAT(CONCAT(id, '=', d) ORDER BY id) FROM " + db + ".z"), "1=2024-02-29,4=2024-03-01")
        << db;
    EXPECT_EQ(dlq_keys("zero-" + db), (std::set<std::string>{"2", "3"})) << db;
  }
}

TEST_F(MysqlLoadData, AValueLongerThanMaxAllowedPacketIsRefusedAloneAndTheRestFits) {
  // A server with a 1 MiB max_allowed_packet: 1,000 rows of 3 KB make one
  // 3 MB INSERT (the server hung up on it, and every row went to the DLQ
  // as retry_exhausted), and one 2 MB value fits no packet at all (the
  // batch failed on every try). Both paths: the big row alone to the DLQ.
  {
    std::ofstream in(dir_.file("big.jsonl"));
    for (int i = 1; i <= 1000; ++i)
      in << R"({"id": )" << i << R"(, "t": ")" << std::string(3000, static_cast<char>('a' + i % 26)) << "\"}\n";
    in << R"({"id": 1001, "t": ")" << std::string(2 << 20, 'x') << "\"}\n";
  }
  q("CREATE TABLE dst.big (id BIGINT PRIMARY KEY, t LONGTEXT); CREATE TABLE ins.big LIKE dst.big;"
    "SET GLOBAL max_allowed_packet = 1048576;");
  for (const auto& [db, extra] : {std::pair<std::string, std::string>{"dst", ""}, {"ins", R"(, "load_data": false)"}}) {
    const std::string name = "big-" + db;
    ferry::test::write_file(dir_.file(name + ".json"), R"({"name": ")" + name + R"(",
      "state": {"type": "sqlite", "path": "state.db"}, "batch": {"max_records": 5000, "max_bytes": 100000000},
      "source": {"plugin": "file", "config": {"paths": ")" + dir_.file("big.jsonl") + R"("}},
      "sinks": [{"name": "db", "plugin": "mysql", "config": {)" + conn(db) +
                                                          R"(, "table": "big", "create_table": false)" + extra + "}}]}");
    auto r = ferry::test::run_process({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file(name + ".json")});
    EXPECT_EQ(r.exit_code, 0) << db << ": " << r.err;
    EXPECT_EQ(n("SELECT COUNT(*) FROM " + db + ".big"), 1000) << db;
    EXPECT_EQ(n("SELECT COUNT(*) FROM " + db + ".big WHERE LENGTH(t) <> 3000"), 0) << db;
    EXPECT_EQ(dlq_keys(name), (std::set<std::string>{""})) << db;
    auto state = ferry::core::open_sqlite_state(dir_.file("state.db"));
    ferry::core::DlqFilter f;
    f.pipeline = name;
    const auto entries = state->list_dlq(f);
    ASSERT_EQ(entries.size(), 1u) << db;
    EXPECT_NE(entries[0].message.find("max_allowed_packet (1048576 bytes, less 1024 for the statement"), std::string::npos) << entries[0].message;
    EXPECT_EQ(entries[0].error_class, "invalid_data");
  }
  q("SET GLOBAL max_allowed_packet = DEFAULT;");
}

// The engine is checked at open. Altered to MyISAM during a run, the table
// keeps the rows of a failed write that the sink rolls back (the server
// warns, 1196), and the run stops instead of sending written rows to the
// DLQ as failed (it sent 191 for 20 real failures).
TEST_F(MysqlLoadData, ATableAlteredToMyIsamDuringARunStopsItBeforeTheDlqLies) {
  q("CREATE TABLE src.e (id INT PRIMARY KEY, v VARCHAR(20));"
    "INSERT INTO src.e SELECT seq, CONCAT('v', seq) FROM seq_1_to_2000;"
    "CREATE TABLE dst.e (id BIGINT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;"
    "INSERT INTO dst.e SELECT seq, 'before' FROM seq_1_to_2000 WHERE seq % 50 = 0;");
  ferry::test::write_file(dir_.file("engine.json"), R"({"name": "engine",
    "state": {"type": "sqlite", "path": "state.db"}, "batch": {"max_records": 20},
    "retry": {"max_attempts": 2, "initial_delay_ms": 10, "max_delay_ms": 20},
    "source": {"plugin": "mysql", "config": {)" + conn("src") + R"(, "table": "e"}},
    "sinks": [{"name": "db", "plugin": "mysql", "config": {)" + conn("dst") + R"(, "table": "e",
               "create_table": false}}]})");
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", "--rate", "400", dir_.file("engine.json")}, {},
                           dir_.file("engine.out"), dir_.file("engine.err"));
  // Altered once the first batch committed, with 1,900 rows still to come.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (q("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'dst' AND "
           "TABLE_NAME = 'ferry_checkpoints'") == "0" ||
         n("SELECT COUNT(*) FROM dst.ferry_checkpoints WHERE pipeline = 'engine'") == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no batch committed";
    std::pair<int, int> done;
    ASSERT_FALSE(run.finished(&done)) << ferry::test::slurp(dir_.file("engine.err"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  q("ALTER TABLE dst.e ENGINE=MyISAM;");
  const auto [code, signal] = run.wait();
  const std::string err = ferry::test::slurp(dir_.file("engine.err"));
  EXPECT_NE(code, 0) << err;
  EXPECT_NE(err.find("the server could not roll it back, the table's engine is now MyISAM"), std::string::npos) << err;
  EXPECT_NE(err.find("MyISAM"), std::string::npos) << err;
  // Whatever is in the DLQ did not commit: its row is the one from before.
  for (const std::string& key : dlq_keys("engine"))
    EXPECT_EQ(q("SELECT COALESCE(MAX(v), 'absent') FROM dst.e WHERE id = " + key), "before") << key;
}

TEST_F(MysqlLoadData, WarningsCountEvenWhenTheServerKeepsNoneOfThem) {
  // max_error_count 0: the server counts warnings but lists none.
  q("CREATE TABLE src.m (id INT PRIMARY KEY, name VARCHAR(40));"
    "INSERT INTO src.m VALUES (1, 'ok'), (2, 'toolong'), (3, 'ok');"
    "CREATE TABLE dst.m (id BIGINT PRIMARY KEY, name VARCHAR(3)) ENGINE=InnoDB;"
    "SET GLOBAL max_error_count = 0;");
  auto r = run("quiet", "m", "dst", R"(, "create_table": false)");
  q("SET GLOBAL max_error_count = DEFAULT;");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT GROUP_CONCAT(CONCAT(id, '=', name) ORDER BY id) FROM dst.m"), "1=ok,3=ok");
  EXPECT_EQ(dlq_keys("quiet"), (std::set<std::string>{"2"}));
}

TEST_F(MysqlLoadData, AServerWithLocalInfileOffGetsInserts) {
  q("CREATE TABLE src.o (id INT PRIMARY KEY, name VARCHAR(40));"
    "INSERT INTO src.o SELECT seq, CONCAT('n', seq) FROM seq_1_to_1100;"
    "SET GLOBAL local_infile = 0;");
  const int64_t before = loads();
  auto r = run("off", "o", "dst");
  q("SET GLOBAL local_infile = 1;");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.o"), 1100);
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.o WHERE name <> CONCAT('n', id)"), 0);
  EXPECT_TRUE(dlq_keys("off").empty());
  const std::string said = "LOAD DATA LOCAL INFILE is refused";
  EXPECT_NE(r.err.find(said), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(said), r.err.rfind(said)) << "said once, not per batch: " << r.err;
  EXPECT_EQ(loads() - before, 1) << "tried once, then INSERT";
}

TEST_F(MysqlLoadData, ABatchLargerThanAPipeBufferLoadsWhole) {
  // 300 rows of 12 KiB: some 3.6 MiB of LOAD DATA text, far more than an
  // operating-system pipe or socket buffer holds at once.
  q("CREATE TABLE src.w (id INT PRIMARY KEY, body MEDIUMTEXT);"
    "INSERT INTO src.w SELECT seq, CONCAT(seq, ':', REPEAT(CONCAT('tab\\t', seq % 10, '\\\\'), 2048)) "
    "FROM seq_1_to_300;");
  const int64_t before = loads();
  auto r = run("wide", "w", "dst");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(loads() - before, 1);
  EXPECT_EQ(r.err.find("written again with INSERT"), std::string::npos) << r.err;
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.w"), 300);
  EXPECT_EQ(n("SELECT COUNT(*) FROM src.w s JOIN dst.w d USING (id) WHERE NOT (s.body <=> d.body)"), 0);
}

TEST_F(MysqlLoadData, ALargeBatchTheServerRefusesToLoadGoesAsInsertWithoutHanging) {
  // The server refuses LOAD DATA LOCAL before it asks for a byte of the
  // batch's text (6 MiB here). Nothing reads what the sink prepared: the run
  // must still go on with INSERT, not wait for a reader.
  q("CREATE TABLE src.r (id INT PRIMARY KEY, body MEDIUMTEXT);"
    "INSERT INTO src.r SELECT seq, REPEAT(CHAR(65 + seq % 26), 20000) FROM seq_1_to_300;"
    "SET GLOBAL local_infile = 0;");
  ferry::test::write_file(dir_.file("refused.json"), R"({"name": "refused",
      "state": {"type": "sqlite", "path": "state.db"}, "batch": {"max_records": 500},
      "source": {"plugin": "mysql", "config": {)" + conn("src") + R"(, "table": "r"}},
      "sinks": [{"name": "db", "plugin": "mysql", "config": {)" + conn("dst") + R"(, "table": "r",
        "rows_per_statement": 50}}]})");
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", dir_.file("refused.json")}, {},
                           dir_.file("refused.out"), dir_.file("refused.err"));
  std::pair<int, int> result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!run.finished(&result) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  q("SET GLOBAL local_infile = 1;");
  ASSERT_TRUE(run.finished(&result)) << "the run hung after the server refused LOAD DATA";
  const std::string err = ferry::test::slurp(dir_.file("refused.err"));
  ASSERT_EQ(result.first, 0) << err;
  EXPECT_NE(err.find("LOAD DATA LOCAL INFILE is refused"), std::string::npos) << err;
  EXPECT_EQ(n("SELECT COUNT(*) FROM dst.r"), 300);
  EXPECT_EQ(n("SELECT COUNT(*) FROM src.r s JOIN dst.r d USING (id) WHERE NOT (s.body <=> d.body)"), 0);
  EXPECT_TRUE(dlq_keys("refused").empty());
}


}  // namespace
