// The postgres plugin end to end, with the real `ferry` binary and a real
// throwaway PostgreSQL 15: type round trip, incremental runs, poison records,
// connection errors that never show the password; plus unit tests of the
// pure helpers (redaction, COPY text, array literals, timestamp parsing).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "state/state_store.h"
#include "support/ports.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

// Pure helpers of the plugin, compiled into this test (they depend on the
// SDK headers only).
#include "plugins/postgres/binary_values.cpp"
#include "plugins/postgres/copy_binary.cpp"
#include "plugins/postgres/copy_text.cpp"
#include "plugins/postgres/pg_array.cpp"
#include "plugins/postgres/redact.h"

namespace {

using ferry::test::PgServer;
using ferry::test::TempDir;

class PostgresConnector : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<PgServer>(); }
  static void TearDownTestSuite() { server_.reset(); }

  static PgServer& pg() { return *server_; }
  // A fresh database per test: tests never see each other's tables.
  static std::string create_db(const std::string& name) {
    pg().psql("DROP DATABASE IF EXISTS " + name);
    pg().psql("CREATE DATABASE " + name);
    return name;
  }
  static ferry::test::ProcessResult run(const TempDir& dir, const std::string& json) {
    ferry::test::write_file(dir.file("p.json"), json);
    return ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
  }
  static std::string pg_to_pg(const std::string& name, const std::string& src_db,
                              const std::string& source_extra, const std::string& dst_db,
                              const std::string& sink_extra, int batch = 1000) {
    return R"({"name": ")" + name + R"(", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "postgres", "config": {"dsn": ")" + pg().dsn(src_db) + "\", " + source_extra + R"(}},
      "batch": {"max_records": )" + std::to_string(batch) + R"(},
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg().dsn(dst_db) + "\", " +
           sink_extra + "}}]}";
  }

  // The binary COPYs into `table` in the server's log. Only a database set
  // to log_statement = 'all' logs them ("LOG:  statement: ..."); the log is
  // shared with the suite's other tests, whose failed COPYs it quotes too
  // ("STATEMENT:  COPY ..."), so those lines are not counted.
  static size_t binary_copies_into(const std::string& table) {
    std::istringstream lines(ferry::test::slurp(pg().socket_dir() + "/server.log"));
    size_t n = 0;
    for (std::string line; std::getline(lines, line);)
      if (line.find("LOG:  statement: COPY \"" + table + "\"") != std::string::npos &&
          line.find("(FORMAT binary)") != std::string::npos)
        ++n;
    return n;
  }
  // The DLQ entries of `pipeline` in the state file a run left in `dir`.
  static std::vector<ferry::core::DlqEntry> dlq_of(const TempDir& dir, const std::string& pipeline) {
    auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
    ferry::core::DlqFilter f;
    f.pipeline = pipeline;
    return state->list_dlq(f);
  }
  // "read N, written N, rejected N" of a run's summary; empty without one.
  static std::string counts_of(const std::string& out) {
    const size_t at = out.find("read ");
    return at == std::string::npos ? std::string() : out.substr(at, out.find(", batches", at) - at);
  }
  // Lines of the server's log holding `needle`.
  static size_t log_lines_with(const std::string& needle) {
    std::istringstream lines(ferry::test::slurp(pg().socket_dir() + "/server.log"));
    size_t n = 0;
    for (std::string line; std::getline(lines, line);) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }
  // What the sink tells the server when it aborts a binary COPY.
  static constexpr const char* kBinaryAborted = "a value has no binary form; the rows are sent again as text";
  // The CSV file `csv` (id typed int64, the rest text) into `table` of `db`,
  // in batches of `batch` rows, with copy_format `format`.
  static ferry::test::ProcessResult csv_to_pg(const TempDir& dir, const std::string& csv, const std::string& db,
                                              const std::string& table, int batch, const std::string& format) {
    std::remove(dir.file("state.db").c_str());
    return run(dir, R"({"name": "csv", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": ")" + csv + R"(", "columns_types": {"id": "int64"}}},
      "batch": {"max_records": )" + std::to_string(batch) + R"(},
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg().dsn(db) + R"(", "table": ")" +
                        table + R"(", "create_table": false, "copy_format": ")" + format + R"("}}]})");
  }

  static std::unique_ptr<PgServer> server_;
};
std::unique_ptr<PgServer> PostgresConnector::server_;

// ---------------------------------------------------------------------------
// Pure helpers.

TEST(PostgresRedact, HidesPasswordsInConninfoAndUris) {
  using ferry_pg::redact;
  using ferry_pg::redact_dsn;
  EXPECT_EQ(redact_dsn("host=h password=s3cr3t user=u"), "host=h password=*** user=u");
  EXPECT_EQ(redact_dsn("host=h PASSWORD = 'a b\\' c' port=1"), "host=h PASSWORD = *** port=1");
  EXPECT_EQ(redact_dsn("postgresql://bob:s3cr3t@db.example:5432/x?sslmode=require"),
            "postgresql://bob:***@db.example:5432/x?sslmode=require");
  EXPECT_EQ(redact_dsn("postgres://bob@h/x?password=s3cr3t&sslmode=disable"),
            "postgres://bob@h/x?password=***&sslmode=disable");
  EXPECT_EQ(redact_dsn("no secrets here: user=bob"), "no secrets here: user=bob");
  EXPECT_EQ(redact_dsn("mypassword=x"), "mypassword=x");  // another word, not the keyword
  EXPECT_EQ(redact("failed for s3cr3t!", "s3cr3t"), "failed for ***!");
  EXPECT_EQ(redact("abc", "ab"), "abc");  // too short to hunt for
}

TEST(PostgresCopyText, EscapesAndFormats) {
  std::string out;
  ferry_pg::append_escaped(out, "a\tb\nc\\d\re");
  EXPECT_EQ(out, "a\\tb\\nc\\\\d\\re");
  out.clear();
  ferry_pg::append_timestamp(out, 0);
  EXPECT_EQ(out, "1970-01-01 00:00:00.000000+00");
  out.clear();
  ferry_pg::append_timestamp(out, -1);
  EXPECT_EQ(out, "1969-12-31 23:59:59.999999+00");
  out.clear();
  ferry_pg::append_bytea(out, std::string("\0\xff", 2));
  EXPECT_EQ(out, "\\\\x00ff");
  out.clear();
  ferry_pg::append_timestamp(out, 1710052200500000);
  EXPECT_EQ(out, "2024-03-10 06:30:00.500000+00");
  out.clear();
  ferry_pg::append_timestamp(out, -63517824000000000);  // 44 BC, year -43 proleptic
  EXPECT_EQ(out, "0044-03-15 00:00:00.000000+00 BC");
}

TEST(PostgresBinaryValues, ReadsTheServersBinaryForms) {
  using ferry_pg::read_binary_int;
  EXPECT_EQ(read_binary_int(std::string("\xff\xfe", 2), false), -2);
  EXPECT_EQ(read_binary_int(std::string("\x80\x00\x00\x00", 4), false), INT32_MIN);
  EXPECT_EQ(read_binary_int(std::string("\xff\xff\xff\xff", 4), true), 4294967295LL);  // oid is unsigned
  EXPECT_EQ(read_binary_int(std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8), false), INT64_MAX);
  EXPECT_EQ(read_binary_int(std::string("\x01\x02\x03", 3), false), std::nullopt);
  EXPECT_EQ(ferry_pg::read_binary_float(std::string("\x3f\xc0\x00\x00", 4)), 1.5);
  EXPECT_EQ(ferry_pg::read_binary_float(std::string("\xc0\x04\x00\x00\x00\x00\x00\x00", 8)), -2.5);
  int64_t us = 0;
  // 2000-01-01 plus one microsecond, the server's epoch.
  EXPECT_EQ(ferry_pg::read_binary_timestamp(std::string("\0\0\0\0\0\0\0\x01", 8), &us), ferry_pg::TimestampParse::kOk);
  EXPECT_EQ(us, 946684800000001LL);
  EXPECT_EQ(ferry_pg::read_binary_timestamp(std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8), &us),
            ferry_pg::TimestampParse::kInfinite);
  EXPECT_EQ(ferry_pg::read_binary_timestamp(std::string("\x80\0\0\0\0\0\0\0", 8), &us),
            ferry_pg::TimestampParse::kInfinite);
  // 294276-12-31, the server's last day: past int64 microseconds since 1970.
  EXPECT_EQ(ferry_pg::read_binary_timestamp(std::string("\x7f\xff\xff\xff\x00\x00\x00\x00", 8), &us),
            ferry_pg::TimestampParse::kOutOfRange);
  EXPECT_EQ(ferry_pg::read_binary_timestamp(std::string("\0\0\0\0", 4), &us), ferry_pg::TimestampParse::kBad);
}

TEST(PostgresArrays, JsonArraysBecomeArrayLiterals) {
  std::string out;
  ASSERT_TRUE(ferry_pg::json_array_to_pg(R"([1, 2.50, null, "a\"b\\c", [true, false], {"k": "}"}])", &out));
  EXPECT_EQ(out, R"({1,2.50,NULL,"a\"b\\c",{true,false},"{\"k\": \"}\"}"})");
  ASSERT_TRUE(ferry_pg::json_array_to_pg("[]", &out));
  EXPECT_EQ(out, "{}");
  ASSERT_TRUE(ferry_pg::json_array_to_pg(R"(["\u00e9\ud83d\ude80"])", &out));
  EXPECT_EQ(out, "{\"\xc3\xa9\xf0\x9f\x9a\x80\"}");
  EXPECT_FALSE(ferry_pg::json_array_to_pg(R"({"a": 1})", &out));
  EXPECT_FALSE(ferry_pg::json_array_to_pg("[1,", &out));
}

// ---------------------------------------------------------------------------
// End to end.

constexpr const char* kTypesDdl = R"(
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE types (
    id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, num numeric, f4 real, f8 double precision,
    b bool, t text, vc varchar(40), ch char(5), nm name, by bytea, d date, tm time, tstz timestamptz,
    ts timestamp, j json, jb jsonb, u uuid, e mood, ia int[], ta text[], na numeric[], iv interval);)";

TEST_F(PostgresConnector, EveryMappedTypeRoundTripsPgToPg) {
  const std::string src = create_db("rt_src");
  const std::string dst = create_db("rt_dst");
  pg().psql(kTypesDdl, src);
  pg().psql(kTypesDdl, dst);
  pg().psql(R"(
    INSERT INTO types (id) VALUES (1);
    INSERT INTO types VALUES (2, -32768, -2147483648, -9223372036854775808,
      '1234567890123456789012345678901234567890.0123456789', '1.4e-45', '4.9e-324', true,
      E'tab\there\nnewline\\backslash\r cr "quote" ''apos''', 'ünïcödé 漢字 🚀', 'ab', 'name',
      '\x00ff00'::bytea, '0044-03-15 BC', '23:59:59.999999', '2024-03-10 12:00:00+05:30',
      '2024-03-10 12:00:00.123456', '{"a": [1, 2.50, "x\ty"], "b": "\u00e9"}', '{"k": null, "n": 1.000}',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', '{1,NULL,3}', ARRAY['a b', 'c"d', NULL, 'e\f', ''],
      '{1.10,2.000000000000000000001}', '1 day 02:03:04');
    INSERT INTO types VALUES (3, 32767, 2147483647, 9223372036854775807,
      '-0.000000000000000000000000000000000000001', 'Infinity', 'NaN', false, '', '', '', '', ''::bytea,
      '9999-12-31', '00:00:00', '1999-12-31 23:59:59.999999-08:00', '0001-01-01 00:00:00', '[]', '[]',
      '00000000-0000-0000-0000-000000000000', 'sad', '{}', '{}', '{}', '-1 mons');
    INSERT INTO types (id, f8, num) VALUES (4, '-Infinity', 'NaN');
    SET TimeZone = 'America/Los_Angeles';
    INSERT INTO types (id, tstz, ts) VALUES (5, '2024-07-01 09:00:00', '2024-07-01 09:00:00');
    SET TimeZone = 'Asia/Kolkata';
    INSERT INTO types (id, tstz, ts) VALUES (6, '2024-01-15 23:30:00', now()::timestamp(0));
    INSERT INTO types (id, tstz) VALUES (9, '-infinity');)",
            src);
  TempDir dir;
  auto r = run(dir, pg_to_pg("rt", src, R"("table": "types", "cursor": ["id"])", dst,
                             R"("table": "types", "create_table": false)", 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The -infinity row is read and rejected (see below).
  EXPECT_NE(r.out.find("read 7, written 6, rejected 1"), std::string::npos) << r.out;

  // Same rows, same text of every column (row::text compares all of them,
  // json included, which has no equality operator).
  const std::string q = "SET TimeZone = 'UTC'; SELECT x::text FROM types x WHERE id <> 9 ORDER BY id";
  const std::string in_src = pg().psql(q, src);
  const std::string in_dst = pg().psql(q, dst);
  EXPECT_EQ(in_src, in_dst);
  EXPECT_EQ(pg().psql("SELECT count(*) FROM types", dst), "6\n");

  // -infinity has no microsecond value: that row is in the DLQ, not lost.
  auto dlq = dlq_of(dir, "rt");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].message.find("infinity"), std::string::npos) << dlq[0].message;
  EXPECT_NE(dlq[0].record_json.find("\\\"tstz\\\":\\\"-infinity\\\""), std::string::npos) << dlq[0].record_json;
}

// Pages arrive in binary, but positions, keys and rejected rows keep the
// text forms a text page had: checkpoints written before still resume, and
// a DLQ entry shows each value as the server prints it. The oracle is the
// server's own output of the same row.
TEST_F(PostgresConnector, BinaryPagesKeepTheTextOfPositionsKeysAndRejectedRows) {
  const std::string src = create_db("bin_src");
  const std::string dst = create_db("bin_dst");
  const std::string ddl = R"(
    CREATE DOMAIN big AS bigint; CREATE TYPE pair AS (a int, b text);
    CREATE TABLE w (ts timestamptz NOT NULL, id big NOT NULL, u uuid, f8 double precision, f4 real, b bool,
      by bytea, ch char(4), addr inet, pr pair, jb jsonb, n numeric, d date, t2 timestamp, i2 smallint,
      PRIMARY KEY (ts, id));)";
  pg().psql(ddl, src);
  pg().psql(ddl, dst);
  pg().psql(R"(
    INSERT INTO w SELECT '2024-05-01 10:00:00.25+02'::timestamptz + g * interval '1 s', g,
      ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd3800' || lpad(g::text, 2, '0'))::uuid, g * 0.1, g * 0.3, g % 2 = 0,
      decode(lpad(to_hex(g), 4, '0'), 'hex'), 'c' || g, ('10.0.0.' || g || '/32')::inet, ROW(g, 'p "' || g || '"')::pair,
      ('{"k": [' || g || ', 1.50]}')::jsonb, g / 7.0, DATE '0044-03-15 BC' + g, TIMESTAMP '1999-12-31 23:59:59.5' + g * interval '1 day',
      -g
    FROM generate_series(1, 6) g;
    UPDATE w SET t2 = 'infinity' WHERE id = 4;)",
            src);
  const std::string json = pg_to_pg("bin", src, R"("table": "w", "cursor": ["ts", "id"], "key": ["u", "addr"])",
                                    dst, R"("table": "w", "create_table": false)", 4);
  TempDir dir;
  auto r = run(dir, json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("read 6, written 5, rejected 1"), std::string::npos) << r.out;
  const std::string texts = "SET TimeZone = 'UTC'; SET extra_float_digits = 3; ";
  const std::string rows = texts + "SELECT x::text FROM w x WHERE id <> 4 ORDER BY id";
  EXPECT_EQ(pg().psql(rows, src), pg().psql(rows, dst));

  // The checkpoint: the last row's cursor values as the server prints them.
  const std::string last = pg().psql(texts + "SELECT ts || '|' || id FROM w ORDER BY ts DESC, id DESC LIMIT 1", src);
  const size_t bar = last.find('|');
  const std::string position =
      "[\"" + last.substr(0, bar) + "\",\"" + last.substr(bar + 1, last.size() - bar - 2) + "\"]";
  EXPECT_EQ(pg().psql("SELECT convert_from(position, 'UTF8') FROM ferry_checkpoints", dst), position + "\n");

  // The rejected row: its key and every value, as the server prints them.
  auto dlq = dlq_of(dir, "bin");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].message.find("column \"t2\" value 'infinity'"), std::string::npos) << dlq[0].message;
  const std::vector<std::string> cols = {"ts", "id", "u", "f8", "f4", "b", "by", "ch", "addr", "pr", "jb", "n", "d",
                                         "t2", "i2"};
  std::string select;
  for (const std::string& c : cols) select += (select.empty() ? "" : ", ") + c;
  std::string printed = pg().psql(texts + "SELECT " + select + " FROM w WHERE id = 4", src);
  printed.pop_back();  // the newline
  const boost::json::object payload =
      boost::json::parse(boost::json::parse(dlq[0].record_json).as_object().at("raw").as_string()).as_object();
  size_t at = 0;
  for (const std::string& c : cols) {
    const size_t end = printed.find('|', at);
    const std::string expected = printed.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end + 1;
    ASSERT_TRUE(payload.contains(c)) << c;
    EXPECT_EQ(std::string(payload.at(c).as_string()), expected) << "column " << c;
  }
  // (Columns, not `u || '|' || addr`: inet's cast to text is not its output.)
  const std::string key = pg().psql("SELECT u, addr FROM w WHERE id = 4", src);
  const size_t kbar = key.find('|');
  EXPECT_EQ(dlq[0].record_key,
            "[\"" + key.substr(0, kbar) + "\",\"" + key.substr(kbar + 1, key.size() - kbar - 2) + "\"]");

  // The next run resumes after the stored position: only the new rows.
  pg().psql("INSERT INTO w (ts, id) SELECT '2024-06-01+00'::timestamptz, g FROM generate_series(7, 9) g", src);
  auto r2 = run(dir, json);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_NE(r2.out.find("read 3,"), std::string::npos) << r2.out;
  EXPECT_EQ(pg().psql("SELECT count(*), count(DISTINCT id) FROM w", dst), "8|8\n");
}

// A `real` is the double its text reads as (1.1, not 1.100000023841858):
// what the type prints is what the record carries.
TEST_F(PostgresConnector, RealValuesAreTheNumbersTheyPrintAs) {
  const std::string src = create_db("real_src");
  pg().psql("CREATE TABLE f (id int PRIMARY KEY, r real);"
            "INSERT INTO f VALUES (1, 1.1), (2, 3.4028235e38), (3, -1.5e-45), (4, 'NaN'), (5, '-Infinity'), (6, 0.3)",
            src);
  TempDir dir;
  auto r = run(dir, R"({"name": "real", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "postgres", "config": {"dsn": ")" + pg().dsn(src) + R"(", "table": "f", "cursor": ["id"]}},
    "sinks": [{"name": "out", "plugin": "file", "config": {"directory": "out", "prefix": "f"}}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string lines;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("out"))) lines += ferry::test::slurp(e.path());
  for (const char* expected : {"\"r\":1.1}", "\"r\":3.4028235e+38}", "\"r\":-1e-45}", "\"r\":0.3}"})
    EXPECT_NE(lines.find(expected), std::string::npos) << expected << " in " << lines;
}

// Some columns cannot be printed by calling their output function in SQL:
// an extension's type in a schema the reader may not use, or a type whose
// output function takes another type (refcursor's is text's). They are
// read as their text all the same.
TEST_F(PostgresConnector, ColumnsWhoseOutputFunctionCannotBeCalledAreStillRead) {
  const std::string src = create_db("outfn_src");
  const std::string dst = create_db("outfn_dst");
  pg().psql("CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext;"
            "CREATE TABLE t (id int PRIMARY KEY, c ext.citext, rc refcursor, u uuid);"
            "INSERT INTO t VALUES (1, 'MiXeD', 'cur1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, NULL, NULL, NULL);"
            "DROP ROLE IF EXISTS outfn_reader; CREATE ROLE outfn_reader LOGIN; GRANT SELECT ON t TO outfn_reader;",
            src);
  pg().psql("CREATE TABLE t (id int, c text, rc text, u uuid)", dst);
  TempDir dir;
  auto r = run(dir, R"({"name": "outfn", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "postgres", "config": {"dsn": ")" + pg().dsn(src) + R"( user=outfn_reader",
               "table": "t", "cursor": ["id"], "key": ["c", "rc"]}},
    "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg().dsn(dst) + R"(", "table": "t",
               "create_table": false}}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(pg().psql("SELECT id, c, rc, u FROM t ORDER BY id", dst),
            "1|MiXeD|cur1|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\n2|||\n");
}

// A char(n) cursor: the next page is asked for after the last row's value
// as char(n), not as char(1), which would cut it and read the table again
// and again.
TEST_F(PostgresConnector, ACharCursorResumesAfterItsWholeValue) {
  const std::string src = create_db("charcur_src");
  const std::string dst = create_db("charcur_dst");
  pg().psql("CREATE TABLE c (ch char(3) NOT NULL, n int NOT NULL, PRIMARY KEY (ch, n));"
            "INSERT INTO c SELECT 'x' || g, g FROM generate_series(1, 5) g",
            src);
  TempDir dir;
  auto r = run(dir, pg_to_pg("charcur", src, R"("table": "c", "cursor": ["ch", "n"])", dst, R"("table": "c")", 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("read 5,"), std::string::npos) << r.out;
  EXPECT_EQ(pg().psql("SELECT count(*), count(DISTINCT ch) FROM c", dst), "5|5\n");
}

// Upsert: the staging table is made in the write that fails, and the
// bisection's later writes must make it again, not believe it is there:
// the bad row goes to the DLQ, its neighbours commit.
TEST_F(PostgresConnector, UpsertWithABadRowEarlyInTheBatchDeadLettersOnlyIt) {
  const std::string dst = create_db("upsert_bad_dst");
  pg().psql("CREATE TABLE u (id int PRIMARY KEY, amt int CHECK (amt > 0))", dst);
  TempDir dir;
  ferry::test::write_file(dir.file("in.jsonl"),
                          "{\"id\":1,\"amt\":1}\n{\"id\":2,\"amt\":-2}\n{\"id\":3,\"amt\":3}\n{\"id\":4,\"amt\":4}\n");
  auto r = run(dir, R"({"name": "upsert_bad", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg().dsn(dst) + R"(", "table": "u",
               "mode": "upsert", "key": ["id"]}}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("written 3, rejected 1"), std::string::npos) << r.out;
  EXPECT_EQ(pg().psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM u", dst), "1,3,4\n");
}

// An array whose index does not start at 1 ('[0:2]={7,8,9}') has no JSON
// form that says so: its row goes to the DLQ, not written with its
// bounds lost.
TEST_F(PostgresConnector, ArraysNotStartingAtOneAreDeadLetteredNotRenumbered) {
  const std::string src = create_db("bounds_src");
  const std::string dst = create_db("bounds_dst");
  pg().psql("CREATE TABLE a (id int PRIMARY KEY, v int[]);"
            "INSERT INTO a VALUES (1, '{1,2}'), (2, '[0:2]={7,8,9}'), (3, '{{1,2},{3,4}}'), (4, '[1:1][-1:0]={{5,6}}'),"
            "(5, '{}'), (6, NULL)",
            src);
  pg().psql("CREATE TABLE a (id int, v int[])", dst);
  TempDir dir;
  auto r = run(dir, pg_to_pg("bounds", src, R"("table": "a", "cursor": ["id"])", dst,
                             R"("table": "a", "create_table": false)", 1000));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("read 6, written 4, rejected 2"), std::string::npos) << r.out;
  EXPECT_EQ(pg().psql("SELECT string_agg(id || '=' || coalesce(v::text, 'null'), ' ' ORDER BY id) FROM a", dst),
            "1={1,2} 3={{1,2},{3,4}} 5={} 6=null\n");
  auto dlq = dlq_of(dir, "bounds");
  ASSERT_EQ(dlq.size(), 2u);
  EXPECT_NE(dlq[0].message.find("column \"v\" is an array indexed [0:2]"), std::string::npos) << dlq[0].message;
}

// A cursor that is not unique would skip the rows sharing a value across a
// page's end: the run stops saying so instead of succeeding with rows
// missing.
TEST_F(PostgresConnector, ACursorThatIsNotUniqueStopsTheRunInsteadOfSkippingRows) {
  const std::string src = create_db("dupcur_src");
  const std::string dst = create_db("dupcur_dst");
  pg().psql("CREATE TABLE ev (ts timestamptz NOT NULL, id int NOT NULL);"
            "INSERT INTO ev SELECT '2024-01-01'::timestamptz + (g / 10) * interval '1 s', g FROM generate_series(1, 210) g",
            src);
  TempDir dir;
  auto r = run(dir, pg_to_pg("dupcur", src, R"("table": "ev", "cursor": ["ts"])", dst, R"("table": "ev")", 3));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("the cursor does not order the rows uniquely"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[config_error]"), std::string::npos) << r.err;
  // With the key after it, every row.
  TempDir dir2;
  auto ok = run(dir2, pg_to_pg("dupcur2", src, R"("table": "ev", "cursor": ["ts", "id"])", dst,
                               R"("table": "ev2")", 3));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(pg().psql("SELECT count(*), count(DISTINCT id) FROM ev2", dst), "210|210\n");
}

// Two rows sharing a cursor value on either side of a page's end never
// stand in one page: the server is asked whether another row shares the
// last row's cursor, comparing as it compares (numeric 1.0 = 1.00).
TEST_F(PostgresConnector, ACursorTieAcrossAPagesEndStopsTheRun) {
  const std::string src = create_db("tiecur_src");
  const std::string dst = create_db("tiecur_dst");
  pg().psql("CREATE TABLE ti (c int NOT NULL, id int NOT NULL);"
            "INSERT INTO ti SELECT CASE WHEN g = 11 THEN 10 ELSE g END, g FROM generate_series(1, 25) g;"
            "CREATE TABLE tn (c numeric NOT NULL, id int NOT NULL);"
            "INSERT INTO tn SELECT CASE WHEN g = 11 THEN 10.00 ELSE g END, g FROM generate_series(1, 25) g",
            src);
  // By integer, by numeric scale, by a two-column cursor, in one of two
  // partitions, and through a query.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ti", R"("table": "ti", "cursor": ["c"])"},
      {"tn", R"("table": "tn", "cursor": ["c"])"},
      {"tpair", R"("table": "ti", "cursor": ["c", "k"])"},
      {"tpart", R"("table": "ti", "cursor": ["c"], "partitions": 2, "partition_column": "id")"},
      {"tquery", R"("query": "SELECT c, id FROM ti WHERE id > 0", "cursor": ["c"])"},
      // The tie is all that follows the page: the next page is empty.
      {"tend", R"("query": "SELECT c, id FROM ti WHERE id <= 11", "cursor": ["c"])"}};
  pg().psql("ALTER TABLE ti ADD COLUMN k int NOT NULL DEFAULT 1", src);
  for (const auto& [name, source] : cases) {
    TempDir dir;
    auto r = run(dir, pg_to_pg("tiecur_" + name, src, source, dst, R"("table": ")" + name + R"(")", 10));
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.out;
    EXPECT_NE(r.err.find("the cursor does not order the rows uniquely"), std::string::npos) << name << ": " << r.err;
  }
  // With the key after it, every row, ending on full pages.
  TempDir dir;
  auto ok = run(dir, pg_to_pg("tiecur_ok", src, R"("table": "ti", "cursor": ["c", "id"])", dst, R"("table": "ti_ok")", 5));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(pg().psql("SELECT count(*) FROM ti_ok", dst), "25\n");
}

TEST_F(PostgresConnector, CreatedTablesUseTheDocumentedTypes) {
  const std::string src = create_db("ct_src");
  const std::string dst = create_db("ct_dst");
  pg().psql(kTypesDdl, src);
  pg().psql("INSERT INTO types (id, i2, num, t, by, tstz, jb, ia) VALUES "
            "(1, 7, 1.5, 'x', '\\x01', now(), '{}', '{1}')", src);
  TempDir dir;
  auto r = run(dir, pg_to_pg("ct", src, R"("table": "types", "cursor": ["id"])", dst,
                             R"("table": "public.copied", "mode": "upsert", "key": ["id"])"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(pg().psql("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) "
                      "FROM information_schema.columns WHERE table_name = 'copied' AND column_name IN "
                      "('id','i2','num','f8','b','t','by','d','tstz','ts','jb','ia','e')", dst),
            "id bigint, i2 bigint, num numeric, f8 double precision, b boolean, t text, by bytea, "
            "d text, tstz timestamp with time zone, ts timestamp with time zone, jb jsonb, e text, "
            "ia jsonb\n");
  EXPECT_EQ(pg().psql("SELECT ia::text || ' ' || i2 || ' ' || encode(by, 'hex') FROM copied", dst), "[1] 7 01\n");
}

TEST_F(PostgresConnector, IncrementalRunsReadOnlyNewRows) {
  const std::string src = create_db("inc_src");
  const std::string dst = create_db("inc_dst");
  pg().psql("CREATE TABLE ev (updated_at timestamptz NOT NULL, id bigint NOT NULL, v text, "
            "PRIMARY KEY (updated_at, id));"
            "INSERT INTO ev SELECT '2024-01-01'::timestamptz + (g / 3) * interval '1 ms', g, 'v' || g "
            "FROM generate_series(1, 1000) g",
            src);
  const std::string json = pg_to_pg("inc", src, R"("table": "ev", "cursor": ["updated_at", "id"])", dst,
                                    R"("table": "ev")", 300);
  TempDir dir;
  auto r1 = run(dir, json);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_NE(r1.out.find("read 1000,"), std::string::npos) << r1.out;
  pg().psql("INSERT INTO ev SELECT '2024-01-01'::timestamptz + (g / 3) * interval '1 ms', g, 'v' || g "
            "FROM generate_series(1001, 1500) g",
            src);
  auto r2 = run(dir, json);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_NE(r2.out.find("read 500,"), std::string::npos) << r2.out;
  auto r3 = run(dir, json);
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_NE(r3.out.find("read 0,"), std::string::npos) << r3.out;
  const std::string q = "SELECT count(*), count(DISTINCT id), md5(string_agg(x::text, ',' ORDER BY id)) FROM ev x";
  EXPECT_EQ(pg().psql(q, src), pg().psql(q, dst));
  EXPECT_EQ(pg().psql("SELECT count(*) FROM ev", dst), "1500\n");
}

// A byte limit below one row's bytes still makes batches of one row: the
// source always takes a row before checking the limit, so a partition never
// looks empty and ends before its rows were read. (The builder used to count
// the column names too, which stopped the first batch before any row.)
TEST_F(PostgresConnector, ATinyByteLimitStillReadsEveryRowOneABatch) {
  const std::string src = create_db("tiny_src");
  const std::string dst = create_db("tiny_dst");
  pg().psql("CREATE TABLE ev (id bigint PRIMARY KEY, a_rather_long_column_name text);"
            "INSERT INTO ev SELECT g, 'v' || g FROM generate_series(1, 25) g",
            src);
  std::string json = pg_to_pg("tiny", src, R"("table": "ev", "cursor": ["id"])", dst, R"("table": "ev")", 100);
  const std::string limit = R"("max_records": 100})";
  ASSERT_NE(json.find(limit), std::string::npos);
  json.replace(json.find(limit), limit.size(), R"("max_records": 100, "max_bytes": 1})");
  TempDir dir;
  auto r = run(dir, json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("read 25,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("batches 25,"), std::string::npos) << r.out;
  EXPECT_EQ(pg().psql("SELECT count(*), sum(id) FROM ev", dst), "25|325\n");
}

TEST_F(PostgresConnector, PartitionsSplitTheKeyRangeAndEachResumes) {
  const std::string src = create_db("part_src");
  const std::string dst = create_db("part_dst");
  pg().psql("CREATE TABLE p (id bigint PRIMARY KEY, v text);"
            "INSERT INTO p SELECT g, 'v' || g FROM generate_series(1, 5000) g", src);
  const std::string json = pg_to_pg("part", src,
                                    R"("table": "p", "cursor": ["id"], "partitions": 4,
                                       "partition_column": "id", "min": 1, "max": 5000)",
                                    dst, R"("table": "p", "key": ["id"])", 700);
  TempDir dir;
  auto r = run(dir, json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Rows above `max` belong to the last partition, which is open above.
  // (Rows inserted *behind* a partition's cursor are never read by a later
  // incremental run: keyset reads assume new rows sort after old ones.)
  pg().psql("INSERT INTO p SELECT g, 'v' || g FROM generate_series(5001, 5100) g", src);
  auto r2 = run(dir, json);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_NE(r2.out.find("read 100,"), std::string::npos) << r2.out;
  EXPECT_EQ(pg().psql("SELECT count(DISTINCT partition) FROM ferry_checkpoints", dst), "4\n");
  const std::string q = "SELECT count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM p x";
  EXPECT_EQ(pg().psql(q, src), pg().psql(q, dst));
}

// Without min and max the bounds come from the data. They are planned once
// and kept with the checkpoints: computed again when the table has grown,
// p0's upper bound would move over rows p1 had already read, and p0 would
// read them again.
TEST_F(PostgresConnector, PartitionBoundsFromTheDataHoldAcrossRunsSoNoRowIsReadTwice) {
  const std::string src = create_db("drift_src");
  const std::string dst = create_db("drift_dst");
  pg().psql("CREATE TABLE p (id bigint PRIMARY KEY, v text);"
            "INSERT INTO p SELECT g, 'v' || g FROM generate_series(1, 100) g", src);
  const std::string json = pg_to_pg("drift", src,
                                    R"("table": "p", "cursor": ["id"], "partitions": 2, "partition_column": "id")",
                                    dst, R"("table": "p")", 30);
  TempDir dir;
  auto r = run(dir, json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  pg().psql("INSERT INTO p SELECT g, 'v' || g FROM generate_series(101, 300) g", src);
  auto r2 = run(dir, json);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_NE(r2.out.find("read 200,"), std::string::npos) << r2.out;
  EXPECT_EQ(pg().psql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM p", dst), "300|300|1|300\n");
}

// Another partition count would read other key ranges than the
// checkpoints were taken in: refused, naming the way out.
TEST_F(PostgresConnector, AnotherPartitionCountUnderExistingCheckpointsIsRefusedUntilTheyAreReset) {
  const std::string src = create_db("replan_src");
  const std::string dst = create_db("replan_dst");
  pg().psql("CREATE TABLE p (id bigint PRIMARY KEY, v text);"
            "INSERT INTO p SELECT g, 'v' || g FROM generate_series(1, 100) g", src);
  auto pipeline = [&](int partitions) {
    return pg_to_pg("replan", src,
                    R"("table": "p", "cursor": ["id"], "partition_column": "id", "partitions": )" +
                        std::to_string(partitions),
                    dst, R"("table": "p", "key": ["id"])", 30);
  };
  TempDir dir;
  auto r = run(dir, pipeline(2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto refused = run(dir, pipeline(4));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("the source now plans partitions p0, p1, p2, p3, but the plan stored with the "
                             "checkpoints has p0, p1, and partition 'p0' has a checkpoint of it"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("ferry checkpoint reset"), std::string::npos) << refused.err;

  auto reset = ferry::test::ferry({"checkpoint", "reset", dir.file("p.json")});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto again = run(dir, pipeline(4));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("read 100,"), std::string::npos) << again.out;
  EXPECT_EQ(pg().psql("SELECT count(DISTINCT partition) FROM ferry_checkpoints WHERE partition LIKE 'p_'", dst),
            "4\n");
}

TEST_F(PostgresConnector, CheckConstraintViolationsGoToTheDlqAndNeighboursCommit) {
  const std::string src = create_db("poison_src");
  const std::string dst = create_db("poison_dst");
  pg().psql("CREATE TABLE o (id bigint PRIMARY KEY, amount numeric);"
            "INSERT INTO o SELECT g, g * 0.5 FROM generate_series(1, 3000) g", src);
  pg().psql("CREATE TABLE o (id bigint, amount numeric CONSTRAINT no_sevens CHECK (id % 1000 <> 7))", dst);
  TempDir dir;
  auto r = run(dir, pg_to_pg("poison", src, R"("table": "o", "cursor": ["id"])", dst,
                             R"("table": "o", "create_table": false)", 3000));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("written 2997, rejected 3"), std::string::npos) << r.out;
  EXPECT_EQ(pg().psql("SELECT count(*), count(DISTINCT id) FROM o", dst), "2997|2997\n");
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  ferry::core::DlqFilter f;
  f.pipeline = "poison";
  std::set<std::string> keys;
  for (const auto& e : state->list_dlq(f)) {
    keys.insert(e.record_key);
    EXPECT_EQ(e.error_class, "invalid_data");
    EXPECT_NE(e.message.find("violates check constraint \"no_sevens\""), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("23514"), std::string::npos) << e.message;
    // Where it happened, once.
    const std::string endpoint = "127.0.0.1:" + std::to_string(pg().port()) + "/" + dst;
    const size_t first = e.message.find(endpoint);
    EXPECT_NE(first, std::string::npos) << e.message;
    EXPECT_EQ(e.message.find(endpoint, first + 1), std::string::npos) << e.message;
  }
  EXPECT_EQ(keys, (std::set<std::string>{"7", "1007", "2007"}));
}

TEST(PostgresCopyBinary, OnlyExactFormsAreWrittenInBinary) {
  using ferry_pg::BinaryColumn;
  using ferry_pg::binary_fits;
  auto i64 = [](int64_t v) {
    FerryValue x{};
    x.type = FERRY_TYPE_INT64;
    x.as.i64 = v;
    return x;
  };
  auto dec = [](const char* s) {
    FerryValue x{};
    x.type = FERRY_TYPE_DECIMAL;
    x.as.bytes = FerryBytes{s, std::strlen(s)};
    return x;
  };
  EXPECT_TRUE(binary_fits(i64(32767), BinaryColumn::kInt2));
  EXPECT_FALSE(binary_fits(i64(32768), BinaryColumn::kInt2));  // the server says "out of range"
  EXPECT_FALSE(binary_fits(i64(int64_t{1} << 31), BinaryColumn::kInt4));
  EXPECT_TRUE(binary_fits(FerryValue{}, BinaryColumn::kInt4));  // NULL
  EXPECT_FALSE(binary_fits(FerryValue{}, BinaryColumn::kNone));
  for (const char* ok : {"0", "-0.000", "12345678.9", ".5", "5.", "+1", "NaN"})
    EXPECT_TRUE(binary_fits(dec(ok), BinaryColumn::kNumeric)) << ok;
  for (const char* text_only : {"1e5", "Infinity", "-Infinity", "", "-", "1.2.3", " 1", "0x10"})
    EXPECT_FALSE(binary_fits(dec(text_only), BinaryColumn::kNumeric)) << text_only;
  // A string is a decimal's text: the same forms go in binary, the others
  // stay with the server's text parser.
  auto str = [&dec](const char* s) {
    FerryValue x = dec(s);
    x.type = FERRY_TYPE_STRING;
    return x;
  };
  EXPECT_TRUE(binary_fits(str("007.50"), BinaryColumn::kNumeric));
  EXPECT_FALSE(binary_fits(str("1e5"), BinaryColumn::kNumeric));
  EXPECT_FALSE(binary_fits(str("nan"), BinaryColumn::kNumeric));
  EXPECT_TRUE(binary_fits(str("2024-02-29 12:00:00.5+05:30"), BinaryColumn::kTimestampTz));
  EXPECT_FALSE(binary_fits(str("2024-02-29 12:00:00.5+05:30"), BinaryColumn::kTimestamp));  // zone ignored there
  EXPECT_FALSE(binary_fits(str("2023-02-29 12:00:00"), BinaryColumn::kTimestamp));
  std::string ts;
  ferry_pg::append_binary_value(ts, str("2000-01-01 00:00:01.5+01"), BinaryColumn::kTimestampTz);
  const int64_t since_2000 = -3600 * int64_t{1000000} + 1500000;  // one hour earlier in UTC, plus 1.5 s
  std::string expected_ts;
  ferry_pg::append_binary_int8(expected_ts, since_2000);
  EXPECT_EQ(ts, expected_ts);
  EXPECT_FALSE(binary_fits(i64(1), BinaryColumn::kNumeric));  // the server converts text
  EXPECT_FALSE(binary_fits(i64(1), BinaryColumn::kText));
  // Encoding answers as binary_fits does, and appends nothing when it refuses.
  std::string refused = "kept";
  EXPECT_FALSE(ferry_pg::append_binary_value(refused, str("1e5"), BinaryColumn::kNumeric));
  EXPECT_FALSE(ferry_pg::append_binary_value(refused, i64(32768), BinaryColumn::kInt2));
  EXPECT_FALSE(ferry_pg::append_binary_value(refused, str("2024-01-01 00:00:00.1234567"), BinaryColumn::kTimestamp));
  EXPECT_FALSE(ferry_pg::append_binary_value(refused, FerryValue{}, BinaryColumn::kNone));
  EXPECT_EQ(refused, "kept");

  // numeric's wire form: base-10000 groups, weight, sign, display scale.
  std::string out;
  ferry_pg::append_binary_value(out, dec("-12345.6700"), BinaryColumn::kNumeric);
  const unsigned char expected[] = {0, 0, 0, 14,               // length
                                    0, 3, 0, 1, 0x40, 0, 0, 4,  // 3 groups, weight 1, negative, 4 decimals
                                    0, 1, 0x09, 0x29, 0x1a, 0x2c};  // 1, 2345, 6700
  EXPECT_EQ(out, std::string(reinterpret_cast<const char*>(expected), sizeof expected));
}

// Binary COPY must store exactly what text COPY stores. A table of only
// binary-capable types, once with copy_format auto and once with text: the
// stored rows are identical to each other and to the source, and the server
// saw binary COPYs (the batch with a numeric Infinity falls back to text).
TEST_F(PostgresConnector, BinaryCopyStoresWhatTextCopyStores) {
  const std::string src = create_db("bin_src");
  const std::string dst_auto = create_db("bin_auto");
  const std::string dst_text = create_db("bin_text");
  const std::string ddl = R"(CREATE TABLE b (id bigint PRIMARY KEY, i2 smallint, i4 int, num numeric,
      n52 numeric(5,2), f8 float8, ok bool, t text, vc varchar(20), ch char(4), by bytea, ts timestamp,
      tstz timestamptz, j json, jb jsonb))";
  for (const std::string& db : {src, dst_auto, dst_text}) pg().psql(ddl, db);
  pg().psql(R"(
    INSERT INTO b (id) VALUES (1);
    INSERT INTO b VALUES (2, -32768, -2147483648, '1234567890123456789012345678901234567890.0123456789',
      '-999.99', '4.9e-324', true, E'tab\there\nnewline\\backslash "q" ''a''', 'ünïcödé 漢字 🚀', 'ab',
      '\x00ff00'::bytea, '0044-03-15 00:00:00 BC', '2024-03-10 12:00:00+05:30',
      '{"a": [1, 2.50, "x\ty"]}', '{"k": null, "n": 1.000}');
    INSERT INTO b VALUES (3, 32767, 2147483647, '-0.000000000000000000000000000000000000001', '0.00',
      'NaN', false, '', '', '', ''::bytea, '200000-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999-08',
      '[]', '[]');
    INSERT INTO b (id, num, f8) VALUES (4, 'NaN', '-Infinity'), (5, '0', '0'), (6, '100000000', '1e300'),
      (7, '0.0001', '-0'), (8, 'Infinity', '1'), (9, '-123.4500', '2.5');
    INSERT INTO b (id, num, tstz) VALUES (10, (repeat('9', 1000) || '.' || repeat('1', 1000))::numeric,
      '4713-01-01 00:00:00+00 BC');)",
            src);
  pg().psql("ALTER DATABASE bin_auto SET log_statement = 'all'");
  const size_t binary_before = binary_copies_into("b");
  for (const auto& [db, format] : {std::pair<std::string, std::string>{dst_auto, "auto"}, {dst_text, "text"}}) {
    TempDir dir;
    auto r = run(dir, pg_to_pg("bin", src, R"("table": "b", "cursor": ["id"])", db,
                               R"("table": "b", "create_table": false, "copy_format": ")" + format + "\"", 2));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("read 10, written 10, rejected 0"), std::string::npos) << r.out;
  }
  const std::string q = "SET TimeZone = 'UTC'; SELECT x::text FROM b x ORDER BY id";
  const std::string in_src = pg().psql(q, src);
  EXPECT_EQ(pg().psql(q, dst_auto), in_src);
  EXPECT_EQ(pg().psql(q, dst_text), in_src);

  // Five batches of two rows; the one holding the numeric Infinity (id 8) is text.
  EXPECT_EQ(binary_copies_into("b") - binary_before, 4u);
}

// A CSV column of decimals is text to Ferry: into a numeric column it goes
// in binary when its form is one numeric's text input reads exactly, and
// stores what text COPY stores for every form, odd ones included (each
// batch holding one goes as text, as the server would parse it).
TEST_F(PostgresConnector, DecimalTextIntoNumericStoresWhatTextCopyStores) {
  const std::string dst_auto = create_db("dec_auto");
  const std::string dst_text = create_db("dec_text");
  for (const std::string& db : {dst_auto, dst_text})
    pg().psql("CREATE TABLE d (id bigint PRIMARY KEY, amount numeric, fixed numeric(6,2))", db);
  TempDir dir;
  ferry::test::write_file(dir.file("d.csv"),
                          "id,amount,fixed\n1,0.25,0.25\n2,007.50,7.5\n3,-0.000,-0\n4,.5,.555\n5,5.,1234.5\n"
                          "6,NaN,NaN\n7,1e5,1e2\n8,12345678901234567890.123456789,0.005\n9,+3,+3\n10,,\n");
  pg().psql("ALTER DATABASE dec_auto SET log_statement = 'all'");
  const size_t binary_before = binary_copies_into("d");
  for (const auto& [db, format] : {std::pair<std::string, std::string>{dst_auto, "auto"}, {dst_text, "text"}}) {
    auto r = csv_to_pg(dir, dir.file("d.csv"), db, "d", 2, format);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // .555 and 0.005 have more places than numeric(6,2) keeps: refused on
    // both paths rather than rounded by the server.
    EXPECT_NE(r.out.find("read 10, written 8, rejected 2"), std::string::npos) << r.out;
  }
  const std::string q = "SELECT x::text FROM d x ORDER BY id";
  EXPECT_EQ(pg().psql(q, dst_auto), pg().psql(q, dst_text));
  // Five batches of two rows; the one holding "1e5" (id 7) is text.
  EXPECT_EQ(binary_copies_into("d") - binary_before, 4u);
}

// Timestamps read from a CSV are text to Ferry. The sink sends in binary
// only the one form whose meaning to the server is certain, and every
// other form as text for the server to read (or refuse) its own way: so
// copy_format auto stores, and refuses, exactly what text does.
TEST_F(PostgresConnector, TimestampTextStoresWhatTextCopyStores) {
  const std::string dst_auto = create_db("tst_auto");
  const std::string dst_text = create_db("tst_text");
  for (const std::string& db : {dst_auto, dst_text})
    pg().psql("CREATE TABLE s (id bigint PRIMARY KEY, tz timestamptz, ts timestamp)", db);
  // id, timestamptz text, timestamp text; a B marks the rows sent in binary.
  const std::vector<std::tuple<const char*, const char*, bool>> rows = {
      {"2024-01-01 00:00:01.5+00", "", true},
      {"2024-03-10T12:00:00+05:30", "", true},
      {"1999-12-31 23:59:59.999999-08", "", true},
      {"2024-02-29 12:00:00Z", "", true},
      {"2024-06-01", "", true},
      {"0001-01-01 00:00:00+00", "", true},
      {"9999-12-31 23:59:59.999999+15:59", "", true},
      {"2024-01-01 00:00:00.1234567+00", "", false},  // refused: the server would round the 7th digit
      {"2024-01-01 24:00:00+00", "", false},
      {"2023-02-29 00:00:00+00", "", false},  // refused by the server, in both
      {"2024-01-01 00:00:00 PST", "", false},
      {"2024-01-01 00:00:00+16:00", "", false},  // refused too
      {"2024-1-1 00:00:00+00", "", false},
      {"2024-01-01 00:00:00z", "", false},
      {"2024-01-01 00:00:00+0530", "", false},
      {"2024-01-01+05", "", false},
      {"", "2024-01-01 00:00:01.5", true},
      {"", "2024-01-01T23:59:59", true},
      {"", "2024-02-29", true},
      {"", "2024-01-01 00:00:00+05", false},  // refused: the server would ignore the zone
      {"", "2024-01-01 00:00:60", false},
      {"", "4713-01-01 00:00:00 BC", false},
  };
  std::string csv = "id,tz,ts\n";
  size_t binary_rows = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    csv += std::to_string(i + 1) + "," + std::get<0>(rows[i]) + "," + std::get<1>(rows[i]) + "\n";
    binary_rows += std::get<2>(rows[i]) ? 1 : 0;
  }
  TempDir dir;
  ferry::test::write_file(dir.file("s.csv"), csv);
  pg().psql("ALTER DATABASE tst_auto SET log_statement = 'all'");
  const size_t binary_before = binary_copies_into("s");
  std::vector<std::string> summaries;
  for (const auto& [db, format] : {std::pair<std::string, std::string>{dst_auto, "auto"}, {dst_text, "text"}}) {
    auto r = csv_to_pg(dir, dir.file("s.csv"), db, "s", 1, format);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    summaries.push_back(counts_of(r.out));
  }
  EXPECT_EQ(summaries[0], summaries[1]);
  // 2023-02-29 and +16:00 by the server; a 7th fraction digit, and +05 into
  // timestamp, by the sink.
  EXPECT_NE(summaries[0].find("rejected 4"), std::string::npos) << summaries[0];
  EXPECT_EQ(pg().psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM s WHERE id IN (10, 12)", dst_auto), "\n");
  const std::string q = "SET TimeZone = 'UTC'; SELECT x::text FROM s x ORDER BY id";
  EXPECT_EQ(pg().psql(q, dst_auto), pg().psql(q, dst_text));
  EXPECT_EQ(binary_copies_into("s") - binary_before, binary_rows);
}

// Values are checked as they are encoded, while the server works on the
// rows already sent. A value without a binary form found after the first
// chunk went out aborts that COPY, and the batch is written again in text:
// the table holds what text COPY stores, and the row the sink refused is
// reported once. The batches after it are checked whole first: the next,
// with such a value late too, goes as text without an abort, and the last
// goes in binary again.
TEST_F(PostgresConnector, AValueWithoutABinaryFormLateInABatchSendsItAgainAsText) {
  const std::string dst_auto = create_db("late_auto");
  const std::string dst_text = create_db("late_text");
  for (const std::string& db : {dst_auto, dst_text})
    pg().psql("CREATE TABLE late (id bigint PRIMARY KEY, tz timestamptz, ts timestamp, t text)", db);
  constexpr int kRows = 80001;  // two batches of 40,000 (about 2.5 MB each in binary), then one row
  std::string csv = "id,tz,ts,t\n";
  for (int id = 1; id <= kRows; ++id) {
    char tz[40];
    std::snprintf(tz, sizeof tz, "2024-01-01 %02d:%02d:%02d+00", id / 3600 % 24, id / 60 % 60, id % 60);
    std::string tz_text = tz;
    if (id == 39999 || id == 79999) tz_text = "2024-01-01 00:00:00 PST";  // a zone name: no binary form
    const std::string ts = id == 20000 ? "2024-01-01 00:00:00+05" : "";  // refused: the zone would be ignored
    csv += std::to_string(id) + "," + tz_text + "," + ts + ",row " + std::to_string(id) + " of forty thousand\n";
  }
  TempDir dir;
  ferry::test::write_file(dir.file("late.csv"), csv);
  pg().psql("ALTER DATABASE late_auto SET log_statement = 'all'");
  const size_t aborts_before = log_lines_with(kBinaryAborted);
  const size_t binary_before = binary_copies_into("late");
  std::vector<std::string> summaries;
  for (const auto& [db, format] : {std::pair<std::string, std::string>{dst_text, "text"}, {dst_auto, "auto"}}) {
    auto r = csv_to_pg(dir, dir.file("late.csv"), db, "late", 40000, format);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    summaries.push_back(counts_of(r.out));
  }
  EXPECT_EQ(summaries[0], "read 80001, written 80000, rejected 1");
  EXPECT_EQ(summaries[1], summaries[0]);
  const std::string q = "SET TimeZone = 'UTC'; SELECT count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM late x";
  EXPECT_EQ(pg().psql(q, dst_auto), pg().psql(q, dst_text));
  EXPECT_EQ(pg().psql("SELECT tz FROM late WHERE id IN (39999, 79999)", dst_auto),
            pg().psql("SELECT tz FROM late WHERE id IN (39999, 79999)", dst_text));
  EXPECT_EQ(log_lines_with(kBinaryAborted), aborts_before + 1);
  EXPECT_EQ(binary_copies_into("late"), binary_before + 2);  // the aborted one, and the last batch's
  // The row the sink refused is in the DLQ once, with the sink's reason.
  auto dlq = dlq_of(dir, "csv");  // the auto run's
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].record_json.find("20000"), std::string::npos) << dlq[0].record_json;
  EXPECT_NE(dlq[0].message.find("\"ts\""), std::string::npos) << dlq[0].message;
}

// A binary COPY the server had already failed (a duplicate key early in
// the batch) when the sink met a value without a binary form late in it:
// the abort reports the server's error, as the end of the COPY would have,
// and the host splits the batch to isolate the duplicate as for any failed
// COPY. The table holds every other row, the DLQ the duplicate with the
// server's words.
TEST_F(PostgresConnector, AnAbortAfterTheServerFailedTheCopyReportsTheServersError) {
  const std::string dst = create_db("late_dup");
  pg().psql("CREATE TABLE dup (id bigint PRIMARY KEY, tz timestamptz, t text); INSERT INTO dup VALUES (5, NULL, 'first')",
            dst);
  std::string csv = "id,tz,t\n";
  for (int id = 1; id <= 40000; ++id)
    csv += std::to_string(id) + "," +
           (id == 39999 ? "2024-01-01 00:00:00 PST" : "2024-01-01 00:00:00+00") + ",row " +
           std::to_string(id) + " of forty thousand\n";
  TempDir dir;
  ferry::test::write_file(dir.file("dup.csv"), csv);
  pg().psql("ALTER DATABASE late_dup SET log_statement = 'all'");
  const size_t log_before = log_lines_with("");
  auto r = csv_to_pg(dir, dir.file("dup.csv"), dst, "dup", 40000, "auto");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(counts_of(r.out), "read 40000, written 39999, rejected 1") << r.out;
  EXPECT_EQ(pg().psql("SELECT count(*), sum((t = 'first')::int) FROM dup", dst), "40000|1\n");
  auto dlq = dlq_of(dir, "csv");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].message.find("23505"), std::string::npos) << dlq[0].message;
  // The first COPY failed on the duplicate; the next is the host's first
  // half, in binary. Had the abort dropped the server's error, the sink
  // would have run the whole batch again in text in between.
  std::istringstream lines(ferry::test::slurp(pg().socket_dir() + "/server.log"));
  std::vector<std::string> copies;
  size_t n = 0;
  for (std::string line; std::getline(lines, line);)
    if (n++ >= log_before && line.find("statement: COPY \"dup\"") != std::string::npos) copies.push_back(line);
  ASSERT_GE(copies.size(), 2u);
  EXPECT_NE(copies[0].find("(FORMAT binary)"), std::string::npos) << copies[0];
  EXPECT_NE(copies[1].find("(FORMAT binary)"), std::string::npos) << copies[1];
}

TEST_F(PostgresConnector, UpsertMergesAndDeletesByKey) {
  const std::string src = create_db("ups_src");
  const std::string dst = create_db("ups_dst");
  pg().psql("CREATE TABLE u (id bigint PRIMARY KEY, v text);"
            "INSERT INTO u SELECT g, 'new' || g FROM generate_series(1, 2000) g", src);
  pg().psql("CREATE TABLE u (id bigint PRIMARY KEY, v text, extra text DEFAULT 'kept');"
            "INSERT INTO u (id, v) SELECT g, 'old' FROM generate_series(1500, 2500) g", dst);
  TempDir dir;
  auto r = run(dir, pg_to_pg("ups", src, R"("table": "u", "cursor": ["id"])", dst,
                             R"("table": "u", "mode": "upsert", "key": ["id"], "create_table": false)", 700));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(pg().psql("SELECT count(*), sum((v = 'new' || id)::int), sum((extra = 'kept')::int) FROM u", dst),
            "2500|2000|2500\n");
  // The server's NOTICEs (the staging table's DROP ... IF EXISTS) are not
  // printed raw; at debug level they are log lines like any other.
  EXPECT_EQ(r.err.find("NOTICE"), std::string::npos) << r.err;
  const std::string debug_src = create_db("ups_src2");
  const std::string debug_dst = create_db("ups_dst2");
  pg().psql("CREATE TABLE u (id bigint PRIMARY KEY, v text); INSERT INTO u VALUES (1, 'a')", debug_src);
  TempDir debug_dir;
  ferry::test::write_file(debug_dir.file("p.json"),
                          pg_to_pg("ups2", debug_src, R"("table": "u", "cursor": ["id"])", debug_dst,
                                   R"("table": "u", "mode": "upsert", "key": ["id"])"));
  auto d = ferry::test::ferry({"--log-level", "debug", "--log-format", "json", "run", "--no-progress",
                               debug_dir.file("p.json")});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.err.find("server notice"), std::string::npos) << d.err;
  for (const std::string& out : {d.out, d.err}) {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      EXPECT_TRUE(!line.empty() && line.front() == '{' && line.back() == '}') << "not a JSON line: " << line;
  }
}

// A batch whose integer keys strictly ascend merges as it was staged; any
// other batch first keeps the last record per key (DISTINCT ON). Both store
// what applying the records in order would.
TEST_F(PostgresConnector, UpsertSortsOnlyBatchesWhoseKeysDoNotAscend) {
  const std::string dst = create_db("ups_order");
  pg().psql("CREATE TABLE u (id bigint, part int, v text, PRIMARY KEY (id, part));"
            "CREATE TABLE k (id int PRIMARY KEY); CREATE TABLE s (id text PRIMARY KEY, v text);"
            "INSERT INTO u VALUES (2, 1, 'old'), (9, 9, 'untouched'); INSERT INTO k VALUES (1)",
            dst);
  pg().psql("ALTER DATABASE ups_order SET log_statement = 'all'");
  // The merges one run sent: how many sorted, how many not.
  struct Merges {
    int sorted = 0;
    int as_staged = 0;
  };
  const auto merges = [&]() {
    Merges m;
    std::istringstream lines(ferry::test::slurp(pg().socket_dir() + "/server.log"));
    for (std::string line; std::getline(lines, line);)
      if (line.find("LOG:  statement: INSERT INTO") != std::string::npos &&
          line.find("ferry_stage") != std::string::npos)
        ++(line.find("DISTINCT ON") != std::string::npos ? m.sorted : m.as_staged);
    return m;
  };
  const auto upsert = [&](const std::string& table, const std::string& key, const std::string& jsonl) {
    TempDir dir;
    ferry::test::write_file(dir.file("in.jsonl"), jsonl);
    const Merges before = merges();
    auto r = run(dir, R"({"name": "ups", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": ")" + dir.file("in.jsonl") + R"("}},
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg().dsn(dst) + R"(", "table": ")" +
                          table + R"(", "mode": "upsert", "key": )" + key + R"(, "create_table": false}}]})");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const Merges after = merges();
    return Merges{after.sorted - before.sorted, after.as_staged - before.as_staged};
  };
  const std::string u_key = R"(["id", "part"])";
  // Ascending (the second field decides between equal first ones).
  Merges m = upsert("u", u_key,
                    "{\"id\": 1, \"part\": 1, \"v\": \"a\"}\n{\"id\": 2, \"part\": 1, \"v\": \"b\"}\n"
                    "{\"id\": 2, \"part\": 2, \"v\": \"c\"}\n");
  EXPECT_EQ(m.sorted, 0);
  EXPECT_EQ(m.as_staged, 1);
  // The same key twice: the last record wins.
  m = upsert("u", u_key, "{\"id\": 5, \"part\": 1, \"v\": \"first\"}\n{\"id\": 5, \"part\": 1, \"v\": \"last\"}\n");
  EXPECT_EQ(m.sorted, 1);
  EXPECT_EQ(m.as_staged, 0);
  // Distinct but descending.
  m = upsert("u", u_key, "{\"id\": 8, \"part\": 1, \"v\": \"x\"}\n{\"id\": 7, \"part\": 1, \"v\": \"y\"}\n");
  EXPECT_EQ(m.sorted, 1);
  EXPECT_EQ(pg().psql("SELECT string_agg(id || '/' || part || '=' || v, ' ' ORDER BY id, part) FROM u", dst),
            "1/1=a 2/1=b 2/2=c 5/1=last 7/1=y 8/1=x 9/9=untouched\n");

  // A key-only table merges with DO NOTHING: a repeated key must still
  // insert once.
  m = upsert("k", R"(["id"])", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n");
  EXPECT_EQ(m.as_staged, 1);
  m = upsert("k", R"(["id"])", "{\"id\": 4}\n{\"id\": 4}\n");
  EXPECT_EQ(m.sorted, 1);
  EXPECT_EQ(pg().psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM k", dst), "1,2,3,4\n");

  // Text keys compare as the server's collation says: always sorted there.
  m = upsert("s", R"(["id"])", "{\"id\": \"a\", \"v\": \"1\"}\n{\"id\": \"b\", \"v\": \"2\"}\n");
  EXPECT_EQ(m.sorted, 1);
  EXPECT_EQ(m.as_staged, 0);
}

TEST_F(PostgresConnector, UnreachableServerIsOneLineWithHostPortAndNoPassword) {
  const ferry::test::RefusedPort refused;
  const int port = refused.port();
  TempDir dir;
  const std::string secret = "Sup3rSecretPw";
  // Opening is retried like any call: two quick attempts, then the error.
  auto r = run(dir, R"({"name": "down", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "retry": {"max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 5},
    "sinks": [{"name": "db", "plugin": "postgres", "config": {
      "dsn": "host=127.0.0.1 port=)" + std::to_string(port) + " user=postgres password=" + secret +
                       R"( dbname=x", "table": "t"}}]})");
  EXPECT_NE(r.exit_code, 0);
  const size_t at = r.err.find("127.0.0.1:" + std::to_string(port));
  ASSERT_NE(at, std::string::npos) << r.err;
  // libpq's two-line message (refused + hint) arrives as one line.
  const size_t bol = r.err.rfind('\n', at) == std::string::npos ? 0 : r.err.rfind('\n', at) + 1;
  const std::string line = r.err.substr(bol, r.err.find('\n', at) - bol);
  EXPECT_NE(line.find("Connection refused"), std::string::npos) << line;
  EXPECT_NE(line.find("accepting TCP/IP connections"), std::string::npos) << line;
  EXPECT_EQ((r.err + r.out).find(secret), std::string::npos) << r.err;
}

TEST_F(PostgresConnector, WrongPasswordIsAnAuthErrorWithoutThePassword) {
  // Password authentication for one role over TCP; everyone else keeps trust.
  const std::string hba = pg().socket_dir() + "/data/pg_hba.conf";
  const std::string old = ferry::test::read_file(hba);
  ferry::test::write_file(hba, "host all pwuser 127.0.0.1/32 scram-sha-256\n" + old);
  pg().psql("DROP ROLE IF EXISTS pwuser; CREATE ROLE pwuser LOGIN PASSWORD 'RightPw123'; GRANT CREATE ON SCHEMA public TO pwuser; SELECT pg_reload_conf()");
  const std::string secret = "WrongPw456xyz";
  for (const std::string& dsn :
       {"host=127.0.0.1 port=" + std::to_string(pg().port()) + " user=pwuser dbname=postgres password=" + secret,
        "postgresql://pwuser:" + secret + "@127.0.0.1:" + std::to_string(pg().port()) + "/postgres"}) {
    TempDir dir;
    auto r = run(dir, R"({"name": "auth", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "generator", "config": {"count": 10}},
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + dsn + R"(", "table": "t"}}]})");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(pg().port())), std::string::npos) << r.err;
    EXPECT_EQ((r.err + r.out).find(secret), std::string::npos) << r.err;
  }
  // The right password works through the same path.
  TempDir dir;
  auto ok = run(dir, R"({"name": "auth", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": "host=127.0.0.1 port=)" +
                         std::to_string(pg().port()) + R"( user=pwuser dbname=postgres password=RightPw123",
      "table": "pw_ok"}}]})");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  ferry::test::write_file(hba, old);
  pg().psql("SELECT pg_reload_conf()");
}

TEST_F(PostgresConnector, MissingTableWithoutCreateIsAClearConfigError) {
  const std::string dst = create_db("missing_dst");
  TempDir dir;
  auto r = run(dir, R"({"name": "missing", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + pg().dsn(dst) +
                        R"(", "table": "nope", "create_table": false}}]})");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("table \"nope\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

}  // namespace
