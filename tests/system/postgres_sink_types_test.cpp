// The postgres sink through its C ABI, one batch at a time, against a real
// throwaway PostgreSQL 15: what it writes when the target table changes
// under an open connection.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/plugin_harness.h"
#include "support/servers.h"

namespace {

using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::PgServer;
using ferry::test::Row;
using ferry::test::Value;

class PostgresSinkTypes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<PgServer>();
    plugin_ = std::make_unique<ferry::test::Plugin>(ferry::test::plugin_path("postgres"));
  }
  static void TearDownTestSuite() {
    plugin_.reset();
    server_.reset();
  }
  static PgServer& pg() { return *server_; }
  // The sink's open arguments for table t of database `db`.
  static ferry::test::OpenParams table_t(const std::string& db, bool create_table) {
    ferry::test::OpenParams params;
    params.config_json = R"({"dsn": ")" + pg().dsn(db) + R"(", "table": "t", "create_table": )" +
                         (create_table ? "true" : "false") + "}";
    return params;
  }
  static std::vector<size_t> rows_of(const std::vector<ferry::test::SinkHandle::Rejected>& rejected) {
    std::vector<size_t> rows;
    for (const auto& r : rejected) rows.push_back(r.row);
    return rows;
  }
  static std::unique_ptr<PgServer> server_;
  static std::unique_ptr<ferry::test::Plugin> plugin_;
};
std::unique_ptr<PgServer> PostgresSinkTypes::server_;
std::unique_ptr<ferry::test::Plugin> PostgresSinkTypes::plugin_;

// Binary COPY carries no types: a column whose type changes between two
// batches of one connection (ALTER TABLE from another session) must get its
// values as the new type, never the old type's bytes read as the new one.
TEST_F(PostgresSinkTypes, ColumnTypeChangedBetweenBatchesIsWrittenAsTheNewType) {
  pg().psql("CREATE DATABASE alter_mid");
  pg().psql("CREATE TABLE t (id bigint, v bigint, ts timestamptz)", "alter_mid");
  ferry::test::SinkHandle sink(*plugin_, table_t("alter_mid", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"v", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"ts", FERRY_TYPE_TIMESTAMP, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, int64_t v) {
    return Row{{Value::int64(id), Value::int64(v), Value::timestamp(v * 1000000)}, std::to_string(id),
               "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, 150001)})), FERRY_OK) << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos1"), FERRY_OK) << sink.host().last_error();

  pg().psql("ALTER TABLE t ALTER COLUMN v TYPE float8, ALTER COLUMN ts TYPE text", "alter_mid");
  ASSERT_EQ(sink.write(make_batch(cols, {row(2, 150002)})), FERRY_OK) << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos2"), FERRY_OK) << sink.host().last_error();

  EXPECT_EQ(pg().psql("SELECT id, v, ts FROM t ORDER BY id", "alter_mid"),
            "1|150001|1970-01-02 17:40:01+00\n2|150002|1970-01-02 17:40:02.000000+00\n");
}

// PostgreSQL cuts a column name to 63 bytes (a NOTICE nobody reads), so two
// long fields with one prefix would meet in one column; an empty name is
// an error. The records with a value in such a field go to the DLQ saying
// why, and their neighbours commit.
TEST_F(PostgresSinkTypes, AFieldNoColumnCanBeNamedAfterRejectsItsRecordsAlone) {
  pg().psql("CREATE DATABASE long_names");
  ferry::test::SinkHandle sink(*plugin_, table_t("long_names", true));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::string prefix(63, 'n');
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {prefix + "_first", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {prefix + "_second", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"ctid", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"\xff", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, int with_value) {
    std::vector<Value> values{Value::int64(id)};
    for (int f = 1; f <= 5; ++f) values.push_back(f == with_value ? Value::string("x") : Value::null());
    return Row{std::move(values), std::to_string(id), "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, 0), row(2, 1), row(3, 2), row(4, 3), row(5, 4), row(6, 5)}), &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos6"), FERRY_OK) << sink.host().last_error();
  ASSERT_EQ(rejected.size(), 5u);
  EXPECT_NE(rejected[3].message.find("field \"ctid\" cannot name a column: it is the name of a system column"),
            std::string::npos) << rejected[3].message;
  EXPECT_NE(rejected[4].message.find("cannot name a column: it is not valid UTF-8"), std::string::npos)
      << rejected[4].message;
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].status, FERRY_INVALID_DATA);
  EXPECT_NE(rejected[0].message.find("cannot name a column: it is longer than 63 bytes"), std::string::npos)
      << rejected[0].message;
  EXPECT_EQ(rejected[2].row, 3u);
  EXPECT_NE(rejected[2].message.find("field \"\" cannot name a column: the name is empty"), std::string::npos)
      << rejected[2].message;
  EXPECT_EQ(pg().psql("SELECT id FROM t ORDER BY id", "long_names"), "1\n");
  EXPECT_EQ(pg().psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 't'", "long_names"),
            "1\n");
}

// A column narrower than the value would change it without a word: PostgreSQL
// rounds a timestamp to the column's precision and cuts the trailing spaces
// that overflow a varchar(n). Such a record goes to the DLQ saying so; the
// values that fit exactly commit. A char(n) pads and trims spaces by its
// definition ('ab' reads back 'ab '), so its trailing spaces are left to it.
TEST_F(PostgresSinkTypes, AValueTheColumnWouldNarrowIsRejectedNotRoundedOrCut) {
  pg().psql("CREATE DATABASE narrow");
  pg().psql("CREATE TABLE t (id bigint, ts timestamptz(0), ms timestamp(3), v varchar(5), c char(3))", "narrow");
  ferry::test::SinkHandle sink(*plugin_, table_t("narrow", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"ts", FERRY_TYPE_TIMESTAMP, FERRY_FIELD_NULLABLE},
                                    {"ms", FERRY_TYPE_TIMESTAMP, FERRY_FIELD_NULLABLE},
                                    {"v", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"c", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}};
  const int64_t second = 1704103200LL * 1000000;  // 2024-01-01 10:00:00 UTC
  auto row = [](int64_t id, int64_t ts, int64_t ms, const std::string& v, const std::string& c) {
    return Row{{Value::int64(id), Value::timestamp(ts), Value::timestamp(ms), Value::string(v), Value::string(c)},
               std::to_string(id), "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, second, second + 123000, "abcde", "abc"),
                                         row(2, second + 700000, second, "x", "x"),
                                         row(3, second, second + 123400, "x", "x"),
                                         row(4, second, second, "abcde   ", "x"),
                                         row(5, second, second, "h\xC3\xA9llo", "ab "),
                                         row(6, -1000000, second, "x", "abc  "),
                                         row(7, -1, second, "x", "x")}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos7"), FERRY_OK) << sink.host().last_error();
  std::vector<size_t> rows;
  for (const auto& r : rejected) {
    rows.push_back(r.row);
    EXPECT_EQ(r.status, FERRY_INVALID_DATA) << r.message;
  }
  EXPECT_EQ(rows, (std::vector<size_t>{1, 2, 3, 6}));
  ASSERT_EQ(rejected.size(), 4u);
  EXPECT_NE(rejected[0].message.find("field \"ts\" has microseconds that column \"ts\" (0 fraction digits) would round"),
            std::string::npos) << rejected[0].message;
  EXPECT_NE(rejected[2].message.find("field \"v\" has 8 characters, more than column \"v\" takes (5)"),
            std::string::npos) << rejected[2].message;
  EXPECT_EQ(pg().psql("SELECT id, v, c FROM t ORDER BY id", "narrow"), "1|abcde|abc\n5|h\xC3\xA9llo|ab \n6|x|abc\n");
}

// PostgreSQL's timestamp (without time zone) reads "10:00:00+02" as 10:00,
// dropping the zone without a word. A STRING with a zone other than UTC's
// goes to the DLQ; one without, or with UTC's, is written as before.
TEST_F(PostgresSinkTypes, TextWithAZoneIntoATimestampColumnIsRejected) {
  pg().psql("CREATE DATABASE zones");
  pg().psql("CREATE TABLE t (id bigint, ts timestamp)", "zones");
  ferry::test::SinkHandle sink(*plugin_, table_t("zones", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"ts", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, const std::string& ts) {
    return Row{{Value::int64(id), Value::string(ts)}, std::to_string(id), "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, "2024-01-01 10:00:00"), row(2, "2024-01-01 10:00:00+02"),
                                         row(3, "2024-01-01T10:00:00Z"), row(4, "2024-01-01 10:00:00 Europe/Paris"),
                                         row(5, "0044-03-15 10:00:00 BC"), row(6, "2024-01-01 10:00:00.5-08:00")}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos6"), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(rows_of(rejected), (std::vector<size_t>{1, 3, 5}));
  ASSERT_FALSE(rejected.empty());
  EXPECT_NE(rejected[0].message.find("field \"ts\" has a time zone (+02) that its column (without time zone) "
                                     "would ignore"),
            std::string::npos) << rejected[0].message;
  EXPECT_EQ(pg().psql("SELECT id, ts FROM t ORDER BY id", "zones"),
            "1|2024-01-01 10:00:00\n3|2024-01-01 10:00:00\n5|0044-03-15 10:00:00 BC\n");
}

// timestamp(0) and time(2) round the fraction of text as of a typed
// timestamp: "10:00:00.5" became 10:00:01 without an error.
TEST_F(PostgresSinkTypes, TextWithMoreFractionDigitsThanItsColumnIsRejected) {
  pg().psql("CREATE DATABASE fractions");
  pg().psql("CREATE TABLE t (id bigint, ts timestamp(0), tm time(2), tu timestamp)", "fractions");
  ferry::test::SinkHandle sink(*plugin_, table_t("fractions", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"ts", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"tm", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"tu", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, const std::string& ts, const std::string& tm, const std::string& tu) {
    return Row{{Value::int64(id), Value::string(ts), Value::string(tm), Value::string(tu)}, std::to_string(id),
               "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  const std::string second = "2024-01-01 10:00:00";
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, second + ".000", "10:00:00.25", second + ".123456"),
                                         row(2, second + ".5", "10:00:00", second),
                                         row(3, second, "10:00:00.125", second),
                                         row(4, second, "10:00:00", second + ".1234567"),
                                         // compact forms, which the server rounds as well
                                         row(5, "20240101 100000.5", "10:00:00", second),
                                         row(6, second, "100000.125", second)}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos6"), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(rows_of(rejected), (std::vector<size_t>{1, 2, 3, 4, 5}));
  ASSERT_EQ(rejected.size(), 5u);
  EXPECT_NE(rejected[3].message.find("field \"ts\" has 1 fraction digit in its text"), std::string::npos)
      << rejected[3].message;
  EXPECT_NE(rejected[4].message.find("field \"tm\" has 3 fraction digits in its text"), std::string::npos)
      << rejected[4].message;
  EXPECT_NE(rejected[0].message.find("field \"ts\" has 1 fraction digit in its text, and its column keeps 0"),
            std::string::npos) << rejected[0].message;
  EXPECT_NE(rejected[1].message.find("field \"tm\" has 3 fraction digits in its text, and its column keeps 2"),
            std::string::npos) << rejected[1].message;
  // A timestamp without a precision keeps microseconds, and rounds a 7th digit.
  EXPECT_NE(rejected[2].message.find("field \"tu\" has 7 fraction digits in its text, and its column keeps 6"),
            std::string::npos) << rejected[2].message;
  EXPECT_EQ(pg().psql("SELECT id, ts, tm, tu FROM t ORDER BY id", "fractions"),
            "1|2024-01-01 10:00:00|10:00:00.25|2024-01-01 10:00:00.123456\n");
}

// jsonb keeps the last value of a key an object repeats: {"a":1,"a":2}
// was stored as {"a": 2}. A json column keeps the text as it is.
TEST_F(PostgresSinkTypes, JsonThatRepeatsAKeyIsRejectedByAJsonbColumn) {
  pg().psql("CREATE DATABASE repeats");
  pg().psql("CREATE TABLE t (id bigint, doc jsonb, raw json)", "repeats");
  ferry::test::SinkHandle sink(*plugin_, table_t("repeats", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"doc", FERRY_TYPE_JSON, FERRY_FIELD_NULLABLE},
                                    {"raw", FERRY_TYPE_JSON, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, const std::string& doc, const std::string& raw) {
    return Row{{Value::int64(id), Value::json(doc), Value::json(raw)}, std::to_string(id),
               "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, R"({"a":1,"b":{"a":2}})", R"({"a":1,"a":2})"),
                                         row(2, R"({"a":1,"a":2})", "{}")}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos2"), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(rows_of(rejected), (std::vector<size_t>{1}));
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0].message.find("field \"doc\" has the key \"a\" twice in one object"), std::string::npos)
      << rejected[0].message;
  EXPECT_EQ(pg().psql("SELECT id, doc, raw FROM t ORDER BY id", "repeats"),
            "1|{\"a\": 1, \"b\": {\"a\": 2}}|{\"a\":1,\"a\":2}\n");
}

// The same for a numeric's scale (typed DECIMAL and DOUBLE values), a
// date's time of day and a domain over varchar(n).
TEST_F(PostgresSinkTypes, DecimalsDatesAndDomainsAreCheckedAgainstTheColumnToo) {
  pg().psql("CREATE DATABASE narrow2");
  pg().psql("CREATE DOMAIN short_text AS varchar(3); "
            "CREATE TABLE t (id bigint, amount numeric(10,2), ratio numeric(6,3), d date, s short_text)",
            "narrow2");
  ferry::test::SinkHandle sink(*plugin_, table_t("narrow2", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"amount", FERRY_TYPE_DECIMAL, FERRY_FIELD_NULLABLE},
                                    {"ratio", FERRY_TYPE_DOUBLE, FERRY_FIELD_NULLABLE},
                                    {"d", FERRY_TYPE_TIMESTAMP, FERRY_FIELD_NULLABLE},
                                    {"s", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}};
  const int64_t day = 19723LL * 86400 * 1000000;  // 2024-01-01
  auto row = [](int64_t id, const std::string& amount, double ratio, int64_t d, const std::string& s) {
    return Row{{Value::int64(id), Value::decimal(amount), Value::real(ratio), Value::timestamp(d), Value::string(s)},
               std::to_string(id), "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, "12.50", 0.125, day, "abc"), row(2, "12.505", 0.5, day, "a"),
                                         row(3, "1.00000", 0.1255, day, "a"), row(4, "1", 1, day + 1, "a"),
                                         row(5, "-0.1", -2, -86400LL * 1000000, "abcd")}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos5"), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(rows_of(rejected), (std::vector<size_t>{1, 2, 3, 4}));
  ASSERT_EQ(rejected.size(), 4u);
  EXPECT_NE(rejected[0].message.find("field \"amount\" has 3 digits after the point, and its column keeps 2"),
            std::string::npos) << rejected[0].message;
  EXPECT_NE(rejected[1].message.find("field \"ratio\" has 4 digits after the point"), std::string::npos)
      << rejected[1].message;
  EXPECT_NE(rejected[2].message.find("field \"d\" has a time of day that its date column would drop"),
            std::string::npos) << rejected[2].message;
  EXPECT_NE(rejected[3].message.find("field \"s\" has 4 characters, more than column \"s\" takes (3)"),
            std::string::npos) << rejected[3].message;
  EXPECT_EQ(pg().psql("SELECT id, amount, ratio, d, s FROM t ORDER BY id", "narrow2"), "1|12.50|0.125|2024-01-01|abc\n");
}

// Text is checked too where the server would drop something of it: a zone
// written in any form into timestamp or time (without time zone), a time of
// day into date, digits beyond a numeric's scale (exponent form included,
// and a negative scale's tens), and through a domain over a domain.
TEST_F(PostgresSinkTypes, TextAndScalesTheServerWouldNarrowAreRejected) {
  pg().psql("CREATE DATABASE narrow3");
  pg().psql("CREATE DOMAIN money2 AS numeric(10,2); CREATE DOMAIN price AS money2; "
            "CREATE TABLE t (id bigint, ts timestamp, tm time, d date, n numeric(10,2), h numeric(5,-2), p price)",
            "narrow3");
  ferry::test::SinkHandle sink(*plugin_, table_t("narrow3", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE}, {"ts", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"tm", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}, {"d", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},
                                    {"n", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE},  {"h", FERRY_TYPE_DECIMAL, FERRY_FIELD_NULLABLE},
                                    {"p", FERRY_TYPE_DECIMAL, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, const std::string& ts, const std::string& tm, const std::string& d, const std::string& n,
                const std::string& h, const std::string& p) {
    return Row{{Value::int64(id), Value::string(ts), Value::string(tm), Value::string(d), Value::string(n),
                Value::decimal(h), Value::decimal(p)},
               std::to_string(id), "pos" + std::to_string(id), FERRY_OP_INSERT};
  };
  const std::string ts = "2024-01-01 10:00:00", tm = "10:00:00", d = "2024-01-01";
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, ts, tm, d, "12.3", "1200", "1.5"),
                                         row(2, "2024-01-01t10:00:00+02", tm, d, "1", "0", "1"),
                                         row(3, "Jan 1 10:00:00 2024 PST", tm, d, "1", "0", "1"),
                                         row(4, "20240101T100000+02", tm, d, "1", "0", "1"),
                                         row(5, ts, "10:00:00+02", d, "1", "0", "1"),
                                         row(6, ts, tm, "2024-01-01 10:00:00", "1", "0", "1"),
                                         row(7, ts, tm, d, "1.2345e1", "0", "1"),
                                         row(8, ts, tm, d, "1", "123", "1"),
                                         row(9, ts, tm, d, "1", "0", "1.005"),
                                         row(10, ts, tm, "2024-01-01 00:00:00", "1.5e1", "-1.2e3", "1"),
                                         // What the server stores as written: special values, a
                                         // half of the day, an era, UTC's -0000, blanks around a number.
                                         row(11, "infinity", "10:00 PM", d, " 12.3 ", "0", "1"),
                                         row(12, "-infinity", tm, "0044-03-15 BC", "1", "0", "1"),
                                         row(13, "2024-01-01 10:00:00-0000", tm, d, "1", "0", "1"),
                                         row(14, ts, tm, d, " 1.2345", "0", "1")}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos14"), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(rows_of(rejected), (std::vector<size_t>{1, 2, 3, 4, 5, 6, 7, 8, 13}));
  for (const auto& r : rejected) EXPECT_EQ(r.status, FERRY_INVALID_DATA) << r.message;
  EXPECT_EQ(pg().psql("SELECT id, ts, tm, d, n FROM t WHERE id IN (11, 12, 13) ORDER BY id", "narrow3"),
            "11|infinity|22:00:00|2024-01-01|12.30\n12|-infinity|10:00:00|0044-03-15 BC|1.00\n"
            "13|2024-01-01 10:00:00|10:00:00|2024-01-01|1.00\n");
  EXPECT_EQ(pg().psql("SELECT id, n, h, p FROM t WHERE id IN (1, 10) ORDER BY id", "narrow3"),
            "1|12.30|1200|1.50\n10|15.00|-1200|1.00\n");
}

// The batch that adds a column (or creates the table) is checked against
// the column it made, like every later batch: a value the column would
// round or cut goes to the DLQ, never stored narrowed.
TEST_F(PostgresSinkTypes, TheBatchThatAddsAColumnIsCheckedAgainstIt) {
  pg().psql("CREATE DATABASE narrow_new");
  pg().psql("CREATE TABLE t (id bigint)", "narrow_new");
  for (const bool create : {false, true}) {
    SCOPED_TRACE(create ? "table created by the sink" : "columns added by the sink");
    if (create) pg().psql("DROP TABLE t", "narrow_new");
    ferry::test::OpenParams params;
    params.config_json = R"({"dsn": ")" + pg().dsn("narrow_new") +
                         R"j(", "table": "t", "columns": {"n": "numeric(12,2)", "s": "varchar(3)"}})j";
    ferry::test::SinkHandle sink(*plugin_, params);
    ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
    const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                      {"n", FERRY_TYPE_DECIMAL, FERRY_FIELD_NULLABLE},
                                      {"s", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE}};
    auto row = [](int64_t id, const std::string& n, const std::string& s) {
      return Row{{Value::int64(id), Value::decimal(n), Value::string(s)}, std::to_string(id),
                 "pos" + std::to_string(id), FERRY_OP_INSERT};
    };
    std::vector<ferry::test::SinkHandle::Rejected> rejected;
    ASSERT_EQ(sink.write(make_batch(cols, {row(1, "1.005", "ab"), row(2, "2.5", "ab   "), row(3, "3.25", "abc")}),
                         &rejected),
              FERRY_OK)
        << sink.host().last_error();
    ASSERT_EQ(sink.commit("p0", "pos3"), FERRY_OK) << sink.host().last_error();
    EXPECT_EQ(rows_of(rejected), (std::vector<size_t>{0, 1}));
    EXPECT_EQ(pg().psql("SELECT id, n, s FROM t ORDER BY id", "narrow_new"), "3|3.25|abc\n");
  }
}

// A real column keeps 24 bits: what it would store as another number goes
// to the DLQ; what prints the same at single precision (0.1) is written.
TEST_F(PostgresSinkTypes, ARealColumnRefusesWhatSinglePrecisionWouldRound) {
  pg().psql("CREATE DATABASE narrow_real");
  pg().psql("CREATE TABLE t (id bigint, r real, i real)", "narrow_real");
  ferry::test::SinkHandle sink(*plugin_, table_t("narrow_real", false));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE},
                                    {"r", FERRY_TYPE_DOUBLE, FERRY_FIELD_NULLABLE},
                                    {"i", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE}};
  auto row = [](int64_t id, double r, int64_t i) {
    return Row{{Value::int64(id), Value::real(r), Value::int64(i)}, std::to_string(id), "pos" + std::to_string(id),
               FERRY_OP_INSERT};
  };
  std::vector<ferry::test::SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(make_batch(cols, {row(1, 0.1, 16777216), row(2, 0.123456789, 1), row(3, 1.5, 16777217)}),
                       &rejected),
            FERRY_OK)
      << sink.host().last_error();
  ASSERT_EQ(sink.commit("p0", "pos3"), FERRY_OK) << sink.host().last_error();
  ASSERT_EQ(rows_of(rejected), (std::vector<size_t>{1, 2}));
  EXPECT_NE(rejected[0].message.find("0.123456789 would be stored as 0.12345679"), std::string::npos)
      << rejected[0].message;
  EXPECT_NE(rejected[1].message.find("16777217 would be stored as 16777216"), std::string::npos) << rejected[1].message;
  EXPECT_EQ(pg().psql("SELECT id, r, i FROM t ORDER BY id", "narrow_real"), "1|0.1|1.6777216e+07\n");
}

}  // namespace
