// The map transform through its C ABI: each operation, their order, casts
// per type, templates, schema changes between batches, metadata.
#include <gtest/gtest.h>

#include <limits>

#include <string>
#include <vector>

#include "support/plugin_harness.h"

namespace {

using ferry::test::Applied;
using ferry::test::Column;
using ferry::test::OpenParams;
using ferry::test::Plugin;
using ferry::test::Row;
using ferry::test::TransformHandle;
using ferry::test::Value;

constexpr int64_t kTs = 1704164645000000;  // 2024-01-02T03:04:05Z

OpenParams with_config(std::string config) {
  OpenParams p;
  p.config_json = std::move(config);
  return p;
}

Row row(std::vector<Value> values, std::string key = {}, std::string position = {},
        FerryOp op = FERRY_OP_INSERT) {
  return Row{std::move(values), std::move(key), std::move(position), op};
}

std::vector<std::string> names(const Applied& a) {
  std::vector<std::string> out;
  for (const Column& c : a.columns) out.push_back(c.name);
  return out;
}

struct Rejection {
  size_t row;
  std::string message;
  bool operator==(const Rejection& o) const { return row == o.row && message == o.message; }
};

std::ostream& operator<<(std::ostream& os, const Rejection& r) {
  return os << "{row " << r.row << ": " << r.message << "}";
}

std::vector<Rejection> rejections(const Applied& a) {
  std::vector<Rejection> out;
  for (const auto& r : a.rejected) {
    EXPECT_EQ(r.status, FERRY_INVALID_DATA);
    out.push_back(Rejection{r.row, r.message});
  }
  return out;
}

class MapTest : public ::testing::Test {
 protected:
  Plugin plugin{ferry::test::plugin_path("map")};

  Applied run(const std::string& config, const std::vector<Column>& cols, const std::vector<Row>& rows,
              std::string_view partition = "p0", std::string_view end = "end") {
    TransformHandle t(plugin, with_config(config));
    EXPECT_EQ(t.open_status(), FERRY_OK) << t.host().last_error();
    if (!t.ok()) return Applied{};
    Applied a = t.run(ferry::test::make_batch(cols, rows, partition, end));
    EXPECT_EQ(a.status, FERRY_OK) << t.host().last_error();
    return a;
  }

  // Casts one value of field "v" and returns the output value (or the rejection).
  struct CastOut {
    Value value;
    FerryType field_type = FERRY_TYPE_NULL;
    std::string rejected;
  };
  CastOut cast(const std::string& target, const Value& in) {
    const Applied a = run(R"({"cast":{"v":")" + target + R"("}})", {{"v", in.type}}, {row({in})});
    CastOut out;
    if (!a.columns.empty()) out.field_type = a.columns[0].type;
    if (!a.rows.empty()) out.value = a.rows[0].values[0];
    if (!a.rejected.empty()) out.rejected = a.rejected[0].message;
    return out;
  }
  void expect_cast(const std::string& target, const Value& in, const Value& want) {
    const CastOut got = cast(target, in);
    EXPECT_EQ(got.rejected, "") << in << " -> " << target;
    EXPECT_EQ(got.value, want) << in << " -> " << target;
    EXPECT_EQ(got.field_type, want.type == FERRY_TYPE_NULL ? got.field_type : want.type);
  }
  void expect_cast_error(const std::string& target, const Value& in, const std::string& message) {
    EXPECT_EQ(cast(target, in).rejected, message) << in << " -> " << target;
  }

  std::string open_error(const std::string& config) {
    TransformHandle t(plugin, with_config(config));
    EXPECT_EQ(t.open_status(), FERRY_ERROR_CONFIG);
    return t.host().last_error();
  }
};

TEST_F(MapTest, DescriptorDeclaresATransform) {
  EXPECT_STREQ(plugin.descriptor().name, "map");
  const FerryKindSpec* kind = plugin.kind(FERRY_KIND_TRANSFORM);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->n_options, 5u);
}

TEST_F(MapTest, EmptyConfigCopiesEverythingIncludingMetadata) {
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_KEY}, {"s", FERRY_TYPE_STRING}};
  const std::vector<Row> rows = {row({Value::int64(1), Value::string("a")}, "k1", "pos1", FERRY_OP_UPDATE),
                                 row({Value::int64(2), Value::null()}, "k2", "pos2", FERRY_OP_DELETE)};
  const Applied a = run("{}", cols, rows, "part", "end-9");
  EXPECT_EQ(a.rows, rows);
  ASSERT_EQ(a.columns.size(), 2u);
  EXPECT_EQ(a.columns[0].flags, FERRY_FIELD_KEY);
  EXPECT_EQ(a.partition, "part");
  EXPECT_EQ(a.end_position, "end-9");
}

TEST_F(MapTest, RenameKeepsPositionTypeFlagsAndValues) {
  const Applied a = run(R"({"rename":{"id":"order_id","s":"status"}})",
                        {{"id", FERRY_TYPE_INT64, FERRY_FIELD_KEY}, {"x", FERRY_TYPE_BOOL}, {"s", FERRY_TYPE_STRING}},
                        {row({Value::int64(1), Value::boolean(true), Value::string("new")}, "k")});
  EXPECT_EQ(names(a), (std::vector<std::string>{"order_id", "x", "status"}));
  EXPECT_EQ(a.columns[0].type, FERRY_TYPE_INT64);
  EXPECT_EQ(a.columns[0].flags, FERRY_FIELD_KEY);
  ASSERT_EQ(a.rows.size(), 1u);
  EXPECT_EQ(a.rows[0], row({Value::int64(1), Value::boolean(true), Value::string("new")}, "k"));
}

TEST_F(MapTest, RenameHappensAllAtOnceSoItCanSwap) {
  const Applied a = run(R"({"rename":{"a":"b","b":"a"}})", {{"a", FERRY_TYPE_INT64}, {"b", FERRY_TYPE_STRING}},
                        {row({Value::int64(1), Value::string("x")})});
  EXPECT_EQ(names(a), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(a.columns[0].type, FERRY_TYPE_INT64);
}

TEST_F(MapTest, RenameOntoAnExistingFieldFailsTheBatchAsAConfigError) {
  TransformHandle t(plugin, with_config(R"({"rename":{"a":"b"}})"));
  ASSERT_EQ(t.open_status(), FERRY_OK);
  const Applied a = t.run(ferry::test::make_batch({{"a", FERRY_TYPE_INT64}, {"b", FERRY_TYPE_INT64}}, {}));
  EXPECT_EQ(a.status, FERRY_ERROR_CONFIG);
  EXPECT_EQ(t.host().last_error(),
            "map: rename of field 'a' to 'b' collides with another field of that name in the batch; "
            "rename that one too");
}

TEST_F(MapTest, DropRemovesFields) {
  const Applied a = run(R"({"drop":["secret","nope"]})",
                        {{"id", FERRY_TYPE_INT64}, {"secret", FERRY_TYPE_STRING}, {"s", FERRY_TYPE_STRING}},
                        {row({Value::int64(1), Value::string("pw"), Value::string("x")})});
  EXPECT_EQ(names(a), (std::vector<std::string>{"id", "s"}));
  EXPECT_EQ(a.rows[0].values, (std::vector<Value>{Value::int64(1), Value::string("x")}));
}

TEST_F(MapTest, KeepSelectsAndOrdersFieldsAndSkipsAbsentOnes) {
  const Applied a = run(R"({"keep":["c","a","absent"]})",
                        {{"a", FERRY_TYPE_INT64}, {"b", FERRY_TYPE_INT64}, {"c", FERRY_TYPE_STRING}},
                        {row({Value::int64(1), Value::int64(2), Value::string("three")})});
  EXPECT_EQ(names(a), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(a.rows[0].values, (std::vector<Value>{Value::string("three"), Value::int64(1)}));
}

TEST_F(MapTest, AddConstantsOfEveryJsonKind) {
  const Applied a = run(
      R"({"add":{"src":{"value":"crm"},"ver":{"value":3},"rate":{"value":0.5},"live":{"value":true},
                 "none":{"value":null},"meta":{"value":{"a":[1,2]}}}})",
      {{"id", FERRY_TYPE_INT64}}, {row({Value::int64(1)}), row({Value::int64(2)})});
  EXPECT_EQ(names(a), (std::vector<std::string>{"id", "src", "ver", "rate", "live", "none", "meta"}));
  EXPECT_EQ(a.columns[1].type, FERRY_TYPE_STRING);
  EXPECT_EQ(a.columns[2].type, FERRY_TYPE_INT64);
  EXPECT_EQ(a.columns[3].type, FERRY_TYPE_DOUBLE);
  EXPECT_EQ(a.columns[4].type, FERRY_TYPE_BOOL);
  EXPECT_EQ(a.columns[5].type, FERRY_TYPE_NULL);
  EXPECT_EQ(a.columns[6].type, FERRY_TYPE_JSON);
  ASSERT_EQ(a.rows.size(), 2u);
  EXPECT_EQ(a.rows[1].values,
            (std::vector<Value>{Value::int64(2), Value::string("crm"), Value::int64(3), Value::real(0.5),
                                Value::boolean(true), Value::null(), Value::json(R"({"a":[1,2]})")}));
}

TEST_F(MapTest, AddOfAnExistingNameReplacesItInPlace) {
  const Applied a = run(R"({"add":{"s":{"value":7}}})", {{"s", FERRY_TYPE_STRING}, {"t", FERRY_TYPE_STRING}},
                        {row({Value::string("old"), Value::string("t")})});
  EXPECT_EQ(names(a), (std::vector<std::string>{"s", "t"}));
  EXPECT_EQ(a.columns[0].type, FERRY_TYPE_INT64);
  EXPECT_EQ(a.rows[0].values[0], Value::int64(7));
}

TEST_F(MapTest, AddFromCopiesAValueButNotTheKeyFlag) {
  const Applied a = run(R"({"add":{"id_copy":{"from":"id"}}})", {{"id", FERRY_TYPE_INT64, FERRY_FIELD_KEY | FERRY_FIELD_NULLABLE}},
                        {row({Value::int64(5)}), row({Value::null()})});
  EXPECT_EQ(names(a), (std::vector<std::string>{"id", "id_copy"}));
  EXPECT_EQ(a.columns[1].type, FERRY_TYPE_INT64);
  EXPECT_EQ(a.columns[1].flags, FERRY_FIELD_NULLABLE);
  EXPECT_EQ(a.rows[0].values[1], Value::int64(5));
  EXPECT_EQ(a.rows[1].values[1], Value::null());
}

TEST_F(MapTest, AddFromAMissingFieldRejectsTheRow) {
  const Applied a = run(R"({"add":{"c":{"from":"zz"}}})", {{"id", FERRY_TYPE_INT64}}, {row({Value::int64(1)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{0, "field 'c' breaks add: source field 'zz' is missing"}}));
}

TEST_F(MapTest, TemplateBuildsTextFromOtherFields) {
  const Applied a = run(
      R"({"add":{"ref":{"template":"order-{order_id}-{currency}"},
                 "misc":{"template":"{{x}} {flag}/{amount}/{ts}/{price}/{doc}"}}})",
      {{"order_id", FERRY_TYPE_INT64}, {"currency", FERRY_TYPE_STRING}, {"flag", FERRY_TYPE_BOOL},
       {"amount", FERRY_TYPE_DOUBLE}, {"ts", FERRY_TYPE_TIMESTAMP}, {"price", FERRY_TYPE_DECIMAL},
       {"doc", FERRY_TYPE_JSON}},
      {row({Value::int64(42), Value::string("EUR"), Value::boolean(false), Value::real(0.1),
            Value::timestamp(kTs), Value::decimal("12.50"), Value::json("[1]")})});
  ASSERT_EQ(a.rows.size(), 1u) << (a.rejected.empty() ? "" : a.rejected[0].message);
  EXPECT_EQ(a.columns[7].name, "ref");
  EXPECT_EQ(a.columns[7].type, FERRY_TYPE_STRING);
  EXPECT_EQ(a.rows[0].values[7], Value::string("order-42-EUR"));
  EXPECT_EQ(a.rows[0].values[8], Value::string("{x} false/0.1/2024-01-02T03:04:05Z/12.50/[1]"));
}

TEST_F(MapTest, TemplateWithAMissingOrNullFieldRejectsTheRow) {
  const Applied missing = run(R"({"add":{"ref":{"template":"order-{order_id}-{currency}"}}})",
                              {{"order_id", FERRY_TYPE_INT64}}, {row({Value::int64(1)})});
  EXPECT_EQ(rejections(missing),
            (std::vector<Rejection>{{0, "field 'ref' breaks add: template field 'currency' is missing"}}));
  const Applied null = run(R"({"add":{"ref":{"template":"order-{order_id}"}}})", {{"order_id", FERRY_TYPE_INT64}},
                           {row({Value::int64(1)}), row({Value::null()})});
  EXPECT_EQ(rejections(null), (std::vector<Rejection>{{1, "field 'ref' breaks add: template field 'order_id' is null"}}));
  ASSERT_EQ(null.rows.size(), 1u);
  EXPECT_EQ(null.rows[0].values[1], Value::string("order-1"));
}

TEST_F(MapTest, TemplateMayUseAnEarlierAddition) {
  const Applied a = run(R"({"add":{"a":{"value":"x"},"b":{"template":"{a}{a}"}}})", {{"id", FERRY_TYPE_INT64}},
                        {row({Value::int64(1)})});
  EXPECT_EQ(a.rows[0].values[2], Value::string("xx"));
}

// --- casts -------------------------------------------------------------------

TEST_F(MapTest, CastToInt64) {
  expect_cast("int64", Value::string(" 42 "), Value::int64(42));
  expect_cast("int64", Value::string("+7"), Value::int64(7));
  expect_cast("int64", Value::string("-9223372036854775808"), Value::int64(INT64_MIN));
  expect_cast("int64", Value::decimal("12.00"), Value::int64(12));
  expect_cast("int64", Value::real(-3.0), Value::int64(-3));
  expect_cast("int64", Value::boolean(true), Value::int64(1));
  expect_cast("int64", Value::timestamp(kTs), Value::int64(kTs));
  expect_cast("int64", Value::json("17"), Value::int64(17));
  expect_cast_error("int64", Value::string("abc"), "field 'v' breaks cast to int64: \"abc\" is not an integer");
  expect_cast_error("int64", Value::string(""), "field 'v' breaks cast to int64: \"\" is not an integer");
  expect_cast_error("int64", Value::decimal("12.5"), "field 'v' breaks cast to int64: 12.5 is not an integer");
  expect_cast_error("int64", Value::string("9223372036854775808"),
                    "field 'v' breaks cast to int64: \"9223372036854775808\" is out of range for int64");
  expect_cast_error("int64", Value::real(3.5), "field 'v' breaks cast to int64: 3.5 is not an integer");
  expect_cast_error("int64", Value::real(1e20), "field 'v' breaks cast to int64: 1e+20 is out of range for int64");
  expect_cast_error("int64", Value::bytes("1"), "field 'v' breaks cast to int64: cannot cast bytes to int64");
  // One sign: "+-1" is no number, not -1.
  expect_cast_error("int64", Value::string("+-1"), "field 'v' breaks cast to int64: \"+-1\" is not an integer");
  expect_cast_error("int64", Value::string("+-9223372036854775808"),
                    "field 'v' breaks cast to int64: \"+-9223372036854775808\" is not an integer");
}

TEST_F(MapTest, CastToDouble) {
  expect_cast("double", Value::string("2.5"), Value::real(2.5));
  expect_cast("double", Value::string("-1e-3"), Value::real(-0.001));
  expect_cast("double", Value::int64(7), Value::real(7));
  expect_cast("double", Value::decimal("12.50"), Value::real(12.5));
  expect_cast("double", Value::boolean(false), Value::real(0));
  expect_cast_error("double", Value::string("x1"), "field 'v' breaks cast to double: \"x1\" is not a number");
  expect_cast_error("double", Value::string("+-1"), "field 'v' breaks cast to double: \"+-1\" is not a number");
  expect_cast_error("double", Value::string("+-0.000"), "field 'v' breaks cast to double: \"+-0.000\" is not a number");
  expect_cast_error("double", Value::string("nan"), "field 'v' breaks cast to double: \"nan\" is not a number");
  expect_cast_error("double", Value::string("1e999"),
                    "field 'v' breaks cast to double: \"1e999\" is out of range for double");
  expect_cast_error("double", Value::timestamp(kTs), "field 'v' breaks cast to double: cannot cast timestamp to double");
}

// A double holds 53 bits of mantissa: an integer or a decimal it cannot
// hold exactly fails the cast, rather than arriving rounded. Text whose
// shortest double reads back as the same number passes (0.1, 1.10, 1e-3).
TEST_F(MapTest, CastToDoubleRefusesWhatADoubleCannotHold) {
  expect_cast("double", Value::int64(9007199254740992), Value::real(9007199254740992.0));
  expect_cast("double", Value::int64(-9007199254740992), Value::real(-9007199254740992.0));
  expect_cast("double", Value::string("0.1"), Value::real(0.1));
  expect_cast("double", Value::string("1.10"), Value::real(1.1));
  expect_cast("double", Value::decimal("-0.000"), Value::real(-0.0));
  // The double's number is its shortest digits, 12345678901234567000: a
  // cast back to decimal would give that, so the binary value's own digits
  // have no exact double.
  expect_cast("double", Value::string("12345678901234567000"), Value::real(12345678901234567168.0));
  expect_cast_error("double", Value::string("12345678901234567168"),
                    "field 'v' breaks cast to double: \"12345678901234567168\" has no exact double");
  expect_cast_error("double", Value::int64(9007199254740993),
                    "field 'v' breaks cast to double: 9007199254740993 has no exact double");
  expect_cast_error("double", Value::int64(std::numeric_limits<int64_t>::max()),
                    "field 'v' breaks cast to double: 9223372036854775807 has no exact double");
  expect_cast_error("double", Value::decimal("12345678901234567890.123456789"),
                    "field 'v' breaks cast to double: 12345678901234567890.123456789 has no exact double");
  expect_cast_error("double", Value::string("0.1000000000000000000001"),
                    "field 'v' breaks cast to double: \"0.1000000000000000000001\" has no exact double");
}

TEST_F(MapTest, CastToString) {
  expect_cast("string", Value::int64(-42), Value::string("-42"));
  expect_cast("string", Value::real(0.1), Value::string("0.1"));
  expect_cast("string", Value::boolean(true), Value::string("true"));
  expect_cast("string", Value::timestamp(kTs + 123456), Value::string("2024-01-02T03:04:05.123456Z"));
  expect_cast("string", Value::timestamp(-1), Value::string("1969-12-31T23:59:59.999999Z"));
  expect_cast("string", Value::json(R"({"a":1})"), Value::string(R"({"a":1})"));
  expect_cast("string", Value::decimal("12.50"), Value::string("12.50"));
  expect_cast("string", Value::bytes("h\xC3\xA9"), Value::string("h\xC3\xA9"));
  expect_cast_error("string", Value::bytes("\xFF\xFE"), "field 'v' breaks cast to string: bytes are not valid UTF-8");
}

TEST_F(MapTest, CastToBool) {
  expect_cast("bool", Value::string("TRUE"), Value::boolean(true));
  expect_cast("bool", Value::string("0"), Value::boolean(false));
  expect_cast("bool", Value::int64(1), Value::boolean(true));
  expect_cast("bool", Value::json("false"), Value::boolean(false));
  expect_cast_error("bool", Value::string("yes"),
                    "field 'v' breaks cast to bool: \"yes\" is not a boolean (true, false, 1 or 0)");
  expect_cast_error("bool", Value::int64(2), "field 'v' breaks cast to bool: 2 is not a boolean (0 or 1)");
}

TEST_F(MapTest, CastToTimestampParsesIso8601ToUtcMicroseconds) {
  expect_cast("timestamp", Value::string("2024-01-02T03:04:05Z"), Value::timestamp(kTs));
  expect_cast("timestamp", Value::string("2024-01-02T03:04:05.123456Z"), Value::timestamp(kTs + 123456));
  expect_cast("timestamp", Value::string("2024-01-02T03:04:05.1234569Z"), Value::timestamp(kTs + 123456));
  expect_cast("timestamp", Value::string("2024-01-02T05:34:05.5+02:30"), Value::timestamp(kTs + 500000));
  expect_cast("timestamp", Value::string("2024-01-01T22:04:05-0500"), Value::timestamp(kTs));
  expect_cast("timestamp", Value::string("2024-01-02 03:04:05z"), Value::timestamp(kTs));
  expect_cast("timestamp", Value::string("2024-02-29T00:00:00-05:00"), Value::timestamp(1709182800000000));
  expect_cast("timestamp", Value::string("1969-12-31T23:59:59.999999Z"), Value::timestamp(-1));
  expect_cast("timestamp", Value::int64(kTs), Value::timestamp(kTs));
  const std::string bad = " is not an ISO-8601 timestamp with a UTC offset";
  expect_cast_error("timestamp", Value::string("2024-13-01T00:00:00Z"),
                    "field 'v' breaks cast to timestamp: \"2024-13-01T00:00:00Z\"" + bad);
  expect_cast_error("timestamp", Value::string("2023-02-29T00:00:00Z"),
                    "field 'v' breaks cast to timestamp: \"2023-02-29T00:00:00Z\"" + bad);
  expect_cast_error("timestamp", Value::string("2024-01-02T03:04:05"),
                    "field 'v' breaks cast to timestamp: \"2024-01-02T03:04:05\"" + bad);
  expect_cast_error("timestamp", Value::string("2024-01-02T24:00:00Z"),
                    "field 'v' breaks cast to timestamp: \"2024-01-02T24:00:00Z\"" + bad);
  expect_cast_error("timestamp", Value::string("2024-01-02T03:04:05+25:00"),
                    "field 'v' breaks cast to timestamp: \"2024-01-02T03:04:05+25:00\"" + bad);
  expect_cast_error("timestamp", Value::string("yesterday"), "field 'v' breaks cast to timestamp: \"yesterday\"" + bad);
  expect_cast_error("timestamp", Value::real(1.5), "field 'v' breaks cast to timestamp: cannot cast double to timestamp");
}

TEST_F(MapTest, TimestampRoundTripsThroughString) {
  const Applied a = run(R"({"add":{"copy":{"from":"ts"}},"cast":{"ts":"string","copy":"timestamp"}})",
                        {{"ts", FERRY_TYPE_TIMESTAMP}}, {row({Value::timestamp(kTs + 7)})});
  // The copy is taken before the cast of "ts" and cast separately.
  EXPECT_EQ(a.rows[0].values, (std::vector<Value>{Value::string("2024-01-02T03:04:05.000007Z"),
                                                  Value::timestamp(kTs + 7)}));
}

TEST_F(MapTest, CastToJson) {
  expect_cast("json", Value::string(R"( {"a": [1, 2]} )"), Value::json(R"( {"a": [1, 2]} )"));
  expect_cast("json", Value::int64(5), Value::json("5"));
  expect_cast("json", Value::real(2.5), Value::json("2.5"));
  expect_cast("json", Value::boolean(true), Value::json("true"));
  expect_cast("json", Value::decimal("-12.50"), Value::json("-12.50"));
  expect_cast("json", Value::timestamp(kTs), Value::json("\"2024-01-02T03:04:05Z\""));
  expect_cast_error("json", Value::string("abc"), "field 'v' breaks cast to json: \"abc\" is not valid JSON");
  expect_cast_error("json", Value::bytes("{}"), "field 'v' breaks cast to json: cannot cast bytes to json");
}

TEST_F(MapTest, CastToDecimal) {
  expect_cast("decimal", Value::string(" 12.50 "), Value::decimal("12.50"));
  expect_cast("decimal", Value::string("+3"), Value::decimal("3"));
  expect_cast("decimal", Value::int64(-42), Value::decimal("-42"));
  expect_cast("decimal", Value::real(0.1), Value::decimal("0.1"));
  expect_cast("decimal", Value::real(1e20), Value::decimal("100000000000000000000"));
  // The digits the double was written with, not its binary value's.
  expect_cast("decimal", Value::real(1e23), Value::decimal("100000000000000000000000"));
  expect_cast("decimal", Value::real(4.35e25), Value::decimal("43500000000000000000000000"));
  expect_cast("decimal", Value::real(-2.5e-3), Value::decimal("-0.0025"));
  expect_cast("decimal", Value::real(1.5), Value::decimal("1.5"));
  expect_cast("decimal", Value::real(-0.0), Value::decimal("0"));
  expect_cast_error("decimal", Value::string("12,5"), "field 'v' breaks cast to decimal: \"12,5\" is not a decimal");
  expect_cast_error("decimal", Value::string("1e3"), "field 'v' breaks cast to decimal: \"1e3\" is not a decimal");
  expect_cast_error("decimal", Value::boolean(true), "field 'v' breaks cast to decimal: cannot cast bool to decimal");
}

TEST_F(MapTest, CastKeepsNullsAndSetsTheFieldType) {
  const CastOut out = cast("int64", Value::null());
  EXPECT_EQ(out.rejected, "");
  EXPECT_EQ(out.value, Value::null());
  EXPECT_EQ(out.field_type, FERRY_TYPE_INT64);
}

TEST_F(MapTest, EveryFailureOfARowIsListedAndOtherRowsKeepTheirMetadata) {
  const Applied a = run(R"({"cast":{"a":"int64","b":"timestamp"},"add":{"r":{"template":"{zz}"}}})",
                        {{"a", FERRY_TYPE_STRING}, {"b", FERRY_TYPE_STRING}},
                        {row({Value::string("1"), Value::string("2024-01-02T03:04:05Z")}, "k0", "p0"),
                         row({Value::string("x"), Value::string("never")}, "k1", "p1")},
                        "part", "end");
  EXPECT_EQ(rejections(a),
            (std::vector<Rejection>{
                {0, "field 'r' breaks add: template field 'zz' is missing"},
                {1, "field 'a' breaks cast to int64: \"x\" is not an integer; field 'b' breaks cast to "
                    "timestamp: \"never\" is not an ISO-8601 timestamp with a UTC offset; field 'r' breaks "
                    "add: template field 'zz' is missing"}}));
  EXPECT_TRUE(a.rows.empty());
  EXPECT_EQ(a.partition, "part");
  EXPECT_EQ(a.end_position, "end");
  EXPECT_EQ(names(a), (std::vector<std::string>{"a", "b", "r"}));
}

TEST_F(MapTest, RejectedRowsLeaveTheOthersWithTheirMetadata) {
  const Applied a = run(R"({"cast":{"n":"int64"}})", {{"n", FERRY_TYPE_STRING}},
                        {row({Value::string("1")}, "k0", "p0", FERRY_OP_UPDATE), row({Value::string("x")}, "k1", "p1"),
                         row({Value::string("3")}, "k2", "p2", FERRY_OP_DELETE)},
                        "part", "p2");
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 'n' breaks cast to int64: \"x\" is not an integer"}}));
  EXPECT_EQ(a.rows, (std::vector<Row>{row({Value::int64(1)}, "k0", "p0", FERRY_OP_UPDATE),
                                      row({Value::int64(3)}, "k2", "p2", FERRY_OP_DELETE)}));
  EXPECT_EQ(a.end_position, "p2");
}

// add -> cast -> rename -> drop -> keep.
TEST_F(MapTest, OperationsApplyInTheDocumentedOrder) {
  const Applied a = run(
      R"({"keep":["label","count","y","n2"],
          "drop":["x","n"],
          "rename":{"n":"count","x":"y","y":"x"},
          "cast":{"n":"int64","n2":"double","count":"bool"},
          "add":{"n2":{"from":"n"},"label":{"template":"{n}-{x}"}}})",
      {{"n", FERRY_TYPE_STRING}, {"x", FERRY_TYPE_STRING}, {"y", FERRY_TYPE_STRING}, {"z", FERRY_TYPE_INT64}},
      {row({Value::string("5"), Value::string("a"), Value::string("b"), Value::int64(9)}, "k")});
  // add saw the raw "n"; cast used names before rename ("count" matched
  // nothing); drop used names after it ("n" is gone, "x" is the old "y");
  // keep chose and ordered last.
  EXPECT_EQ(names(a), (std::vector<std::string>{"label", "count", "y", "n2"}));
  EXPECT_EQ(a.columns[1].type, FERRY_TYPE_INT64);
  EXPECT_EQ(a.columns[3].type, FERRY_TYPE_DOUBLE);
  ASSERT_EQ(a.rows.size(), 1u) << (a.rejected.empty() ? "" : a.rejected[0].message);
  EXPECT_EQ(a.rows[0], row({Value::string("5-a"), Value::int64(5), Value::string("a"), Value::real(5)}, "k"));
}

TEST_F(MapTest, OperationsOnAbsentFieldsAreSkipped) {
  const Applied a = run(R"({"rename":{"gone":"x"},"drop":["gone2"],"cast":{"gone3":"int64"},"keep":["id","gone4"]})",
                        {{"id", FERRY_TYPE_INT64}}, {row({Value::int64(1)})});
  EXPECT_TRUE(a.rejected.empty());
  EXPECT_EQ(names(a), (std::vector<std::string>{"id"}));
  EXPECT_EQ(a.rows[0].values, (std::vector<Value>{Value::int64(1)}));
}

TEST_F(MapTest, DroppedFieldsNeverRejectARow) {
  const Applied a = run(R"({"cast":{"n":"int64"},"drop":["n"]})", {{"n", FERRY_TYPE_STRING}, {"id", FERRY_TYPE_INT64}},
                        {row({Value::string("abc"), Value::int64(1)})});
  EXPECT_TRUE(a.rejected.empty());
  EXPECT_EQ(a.rows.size(), 1u);
}

TEST_F(MapTest, EachBatchGetsItsOwnOutputSchema) {
  TransformHandle t(plugin, with_config(R"({"cast":{"amount":"double"},"rename":{"id":"order_id"},
                                             "add":{"ref":{"template":"o-{id}"}}})"));
  ASSERT_EQ(t.open_status(), FERRY_OK) << t.host().last_error();

  const Applied first = t.run(ferry::test::make_batch({{"id", FERRY_TYPE_INT64}, {"amount", FERRY_TYPE_STRING}},
                                                      {row({Value::int64(1), Value::string("2.5")}, "k1")}, "p", "e1"));
  EXPECT_EQ(names(first), (std::vector<std::string>{"order_id", "amount", "ref"}));
  EXPECT_EQ(first.rows, (std::vector<Row>{row({Value::int64(1), Value::real(2.5), Value::string("o-1")}, "k1")}));

  // Fields reordered, one added, types changed.
  const Applied second = t.run(ferry::test::make_batch(
      {{"amount", FERRY_TYPE_INT64}, {"extra", FERRY_TYPE_BOOL}, {"id", FERRY_TYPE_STRING}},
      {row({Value::int64(3), Value::boolean(true), Value::string("A-7")}, "k2")}, "p", "e2"));
  EXPECT_EQ(names(second), (std::vector<std::string>{"amount", "extra", "order_id", "ref"}));
  EXPECT_EQ(second.columns[0].type, FERRY_TYPE_DOUBLE);
  EXPECT_EQ(second.columns[2].type, FERRY_TYPE_STRING);
  EXPECT_EQ(second.rows,
            (std::vector<Row>{row({Value::real(3), Value::boolean(true), Value::string("A-7"), Value::string("o-A-7")}, "k2")}));
  EXPECT_EQ(second.end_position, "e2");

  // "id" gone: the rename is skipped, the template rejects.
  const Applied third = t.run(ferry::test::make_batch({{"amount", FERRY_TYPE_STRING}},
                                                      {row({Value::string("1")}, "k3")}, "p", "e3"));
  EXPECT_EQ(rejections(third), (std::vector<Rejection>{{0, "field 'ref' breaks add: template field 'id' is missing"}}));
  EXPECT_EQ(names(third), (std::vector<std::string>{"amount", "ref"}));
  EXPECT_EQ(third.end_position, "e3");
}

// --- configuration errors ----------------------------------------------------

TEST_F(MapTest, ConfigErrors) {
  EXPECT_EQ(open_error(R"({"rename":{"a":"b"},"renames":{}})"), "map: unknown option 'renames' (known: add, cast, rename, drop, keep)");
  EXPECT_EQ(open_error(R"({"cast":{"n":"integer"}})"),
            "map: cast of field 'n' must be one of int64, double, string, bool, timestamp, json, decimal; got "
            "\"integer\"");
  EXPECT_EQ(open_error(R"({"add":{"x":{"value":1,"from":"y"}}})"),
            "map: add of field 'x' must be an object with exactly one of \"value\", \"from\", \"template\"");
  EXPECT_EQ(open_error(R"({"add":{"x":{"const":1}}})"),
            "map: add of field 'x' must be an object with exactly one of \"value\", \"from\", \"template\"");
  EXPECT_EQ(open_error(R"({"add":{"x":{"value":18446744073709551615}}})"),
            "map: value of field 'x' is out of the int64 range");
  EXPECT_EQ(open_error(R"({"add":{"ref":{"template":"order-{id"}}})"), "map: template of field 'ref' has an unclosed '{'");
  EXPECT_EQ(open_error(R"({"add":{"ref":{"template":"a}b"}}})"),
            "map: template of field 'ref' has a '}' without '{' (write '}}' for a literal brace)");
  EXPECT_EQ(open_error(R"({"add":{"ref":{"template":"{}"}}})"), "map: template of field 'ref' has an empty field name '{}'");
  EXPECT_EQ(open_error(R"({"rename":{"a":"c","b":"c"}})"), "map: rename maps both 'a' and 'b' to 'c'");
  EXPECT_EQ(open_error(R"({"rename":{"a":""}})"), "map: new name of field 'a' must be a non-empty string");
  EXPECT_EQ(open_error(R"({"drop":"a"})"), "map: option 'drop': expected array, got string");
  EXPECT_EQ(open_error(R"({"keep":[]})"), "map: option 'keep' must name at least one field");
  EXPECT_EQ(open_error(R"({"keep":["a","a"]})"), "map: option 'keep' names field 'a' twice");
  EXPECT_EQ(open_error("nope"), "map: configuration is not a JSON object: expected { at offset 0");
}

}  // namespace
