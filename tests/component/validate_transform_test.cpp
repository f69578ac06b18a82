// The validate transform through its C ABI: every rule's rejection message,
// pass-through of good rows, config errors, and checkpoint fields.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support/plugin_harness.h"

namespace {

using ferry::test::Applied;
using ferry::test::Column;
using ferry::test::OpenParams;
using ferry::test::OwnedBatch;
using ferry::test::Plugin;
using ferry::test::Row;
using ferry::test::TransformHandle;
using ferry::test::Value;

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

OpenParams with_config(std::string config) {
  OpenParams p;
  p.config_json = std::move(config);
  return p;
}

Row row(std::vector<Value> values, std::string key = {}, std::string position = {},
        FerryOp op = FERRY_OP_INSERT) {
  return Row{std::move(values), std::move(key), std::move(position), op};
}

class ValidateTest : public ::testing::Test {
 protected:
  Plugin plugin{ferry::test::plugin_path("validate")};

  // Opens with `rules` and applies one batch; the open must succeed.
  Applied run(const std::string& config, const std::vector<Column>& cols, const std::vector<Row>& rows,
              std::string_view partition = "p0", std::string_view end = "end") {
    TransformHandle t(plugin, with_config(config));
    EXPECT_EQ(t.open_status(), FERRY_OK) << t.host().last_error();
    if (!t.ok()) return Applied{};
    Applied a = t.run(ferry::test::make_batch(cols, rows, partition, end));
    EXPECT_EQ(a.status, FERRY_OK) << t.host().last_error();
    return a;
  }

  // Opens with `config` and returns the config error (the open must fail).
  std::string open_error(const std::string& config) {
    TransformHandle t(plugin, with_config(config));
    EXPECT_EQ(t.open_status(), FERRY_ERROR_CONFIG);
    return t.host().last_error();
  }
};

TEST_F(ValidateTest, DescriptorDeclaresATransform) {
  EXPECT_STREQ(plugin.descriptor().name, "validate");
  const FerryKindSpec* kind = plugin.kind(FERRY_KIND_TRANSFORM);
  ASSERT_NE(kind, nullptr);
  ASSERT_EQ(kind->n_options, 2u);
  EXPECT_STREQ(kind->options[0].name, "rules");
  EXPECT_EQ(kind->options[0].flags & FERRY_OPTION_REQUIRED, FERRY_OPTION_REQUIRED);
}

TEST_F(ValidateTest, PassingRowsAreCopiedUnchangedWithTheirMetadata) {
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_KEY},
                                    {"name", FERRY_TYPE_STRING},
                                    {"amount", FERRY_TYPE_DOUBLE},
                                    {"ts", FERRY_TYPE_TIMESTAMP},
                                    {"doc", FERRY_TYPE_JSON},
                                    {"raw", FERRY_TYPE_BYTES},
                                    {"price", FERRY_TYPE_DECIMAL},
                                    {"ok", FERRY_TYPE_BOOL}};
  const std::vector<Row> rows = {
      row({Value::int64(1), Value::string("ann"), Value::real(1.5), Value::timestamp(7),
           Value::json(R"({"a":1})"), Value::bytes(std::string("\0\1", 2)), Value::decimal("12.50"),
           Value::boolean(true)},
          "k1", "pos1", FERRY_OP_UPDATE),
      row({Value::int64(2), Value::null(), Value::real(0), Value::null(), Value::null(), Value::null(),
           Value::null(), Value::null()},
          "k2", "pos2", FERRY_OP_DELETE),
  };
  const Applied a = run(R"({"rules":{"id":{"required":true,"type":"int64","min":1},
                                     "amount":{"type":"number","min":0}}})",
                        cols, rows, "part-7", "end-42");
  EXPECT_TRUE(a.rejected.empty());
  ASSERT_EQ(a.columns.size(), cols.size());
  for (size_t f = 0; f < cols.size(); ++f) {
    EXPECT_EQ(a.columns[f].name, cols[f].name);
    EXPECT_EQ(a.columns[f].type, cols[f].type);
    EXPECT_EQ(a.columns[f].flags, cols[f].flags);
  }
  EXPECT_EQ(a.rows, rows);
  EXPECT_EQ(a.partition, "part-7");
  EXPECT_EQ(a.end_position, "end-42");
}

// One test per rule: the rejected row's index and the exact DLQ message.
TEST_F(ValidateTest, RequiredRejectsAMissingField) {
  const Applied a = run(R"({"rules":{"customer":{"required":true}}})", {{"id", FERRY_TYPE_INT64}},
                        {row({Value::int64(1)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{0, "field 'customer' breaks rule 'required': missing"}}));
  EXPECT_TRUE(a.rows.empty());
}

TEST_F(ValidateTest, RequiredRejectsANull) {
  const Applied a = run(R"({"rules":{"customer":{"required":true}}})", {{"customer", FERRY_TYPE_STRING}},
                        {row({Value::string("acme")}), row({Value::null()})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 'customer' breaks rule 'required': null"}}));
  ASSERT_EQ(a.rows.size(), 1u);
  EXPECT_EQ(a.rows[0].values[0], Value::string("acme"));
}

TEST_F(ValidateTest, NullsAndMissingFieldsBreakNoOtherRule) {
  const Applied a = run(R"({"rules":{"a":{"type":"int64","min":1,"pattern":"x"},
                                     "b":{"allowed":[1]}}})",
                        {{"a", FERRY_TYPE_INT64}}, {row({Value::null()})});
  EXPECT_TRUE(a.rejected.empty());
  EXPECT_EQ(a.rows.size(), 1u);
}

TEST_F(ValidateTest, TypeRejectsAnotherType) {
  const Applied a = run(R"({"rules":{"age":{"type":"int64","min":0}}})", {{"age", FERRY_TYPE_STRING}},
                        {row({Value::string("12")})});
  // The broken type skips 'min', which would only repeat the problem.
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{0, "field 'age' breaks rule 'type': expected int64, got string"}}));
}

TEST_F(ValidateTest, TypeNumberAcceptsInt64AndDoubleOnly) {
  const std::vector<Column> cols = {{"n", FERRY_TYPE_INT64}};
  const Applied a = run(R"({"rules":{"n":{"type":"number"}}})", cols,
                        {row({Value::int64(1)}), row({Value::real(2.5)}), row({Value::decimal("3")}),
                         row({Value::string("4")})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{
                               {2, "field 'n' breaks rule 'type': expected number, got decimal"},
                               {3, "field 'n' breaks rule 'type': expected number, got string"}}));
}

TEST_F(ValidateTest, MinRejectsASmallerNumber) {
  const Applied a = run(R"({"rules":{"amount":{"min":0}}})", {{"amount", FERRY_TYPE_INT64}},
                        {row({Value::int64(0)}), row({Value::int64(-5)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 'amount' breaks rule 'min': -5 < 0"}}));
}

TEST_F(ValidateTest, MaxRejectsALargerDouble) {
  const Applied a = run(R"({"rules":{"amount":{"max":100}}})", {{"amount", FERRY_TYPE_DOUBLE}},
                        {row({Value::real(150.5)}), row({Value::real(100.0)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{0, "field 'amount' breaks rule 'max': 150.5 > 100"}}));
}

TEST_F(ValidateTest, MinAndMaxCompareDecimalsExactly) {
  // Through doubles, "0.1" would be below 0.1 (the double is 0.1000000000000000055...).
  const Applied a = run(R"({"rules":{"price":{"min":0.1,"max":"99999999999999999999"}}})",
                        {{"price", FERRY_TYPE_DECIMAL}},
                        {row({Value::decimal("0.1")}), row({Value::decimal("0.09999999999999999999")}),
                         row({Value::decimal("99999999999999999999.00")}),
                         row({Value::decimal("100000000000000000001")}), row({Value::decimal("1e3")})});
  EXPECT_EQ(rejections(a),
            (std::vector<Rejection>{
                {1, "field 'price' breaks rule 'min': 0.09999999999999999999 < 0.1"},
                {3, "field 'price' breaks rule 'max': 100000000000000000001 > 99999999999999999999"},
                {4, "field 'price' breaks rule 'min': decimal 1e3 is not a number"}}));
}

// A JSON number beyond 2^53 reaches the plugin as a double, its digits
// rounded: such a bound is refused, and one written as a string of
// digits compares exactly.
TEST_F(ValidateTest, BoundsBeyondWhatADoubleHoldsAreWrittenAsStrings) {
  EXPECT_EQ(open_error(R"({"rules":{"big":{"max":123456789012345678901234567889}}})"),
            "validate: rule 'max' of field 'big': a number beyond 2^53 (read as 1.2345678901234568e+29) is not kept "
            "exactly; write the bound as a string");
  EXPECT_EQ(open_error(R"({"rules":{"big":{"allowed":[1, 123456789012345678901234567889]}}})"),
            "validate: rule 'allowed' of field 'big': a number beyond 2^53 (read as 1.2345678901234568e+29) is not "
            "kept exactly; write the value as a string and cast the field to string (map transform) to compare it");
  const Applied a = run(R"({"rules":{"big":{"max":"123456789012345678901234567889","min":"-9007199254740993"}}})",
                        {{"big", FERRY_TYPE_DECIMAL}},
                        {row({Value::decimal("123456789012345678901234567880")}),
                         row({Value::decimal("123456789012345678901234567890")}),
                         row({Value::decimal("-9007199254740994")})});
  EXPECT_EQ(rejections(a),
            (std::vector<Rejection>{
                {1, "field 'big' breaks rule 'max': 123456789012345678901234567890 > 123456789012345678901234567889"},
                {2, "field 'big' breaks rule 'min': -9007199254740994 < -9007199254740993"}}));
}

TEST_F(ValidateTest, MinRejectsValuesThatAreNotNumbers) {
  const Applied a = run(R"({"rules":{"amount":{"min":0}}})", {{"amount", FERRY_TYPE_STRING}},
                        {row({Value::string("5")}), row({Value::real(std::nan(""))})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{
                               {0, "field 'amount' breaks rule 'min': string is not a number"},
                               {1, "field 'amount' breaks rule 'min': nan is not comparable"}}));
}

TEST_F(ValidateTest, MaxLengthCountsUtf8Characters) {
  // "héllo wörld" is 11 characters in 13 bytes.
  const Applied a = run(R"({"rules":{"name":{"max_length":10},"tag":{"max_length":11}}})",
                        {{"name", FERRY_TYPE_STRING}, {"tag", FERRY_TYPE_STRING}},
                        {row({Value::string("h\xC3\xA9llo"), Value::string("h\xC3\xA9llo w\xC3\xB6rld")}),
                         row({Value::string("h\xC3\xA9llo w\xC3\xB6rld"), Value::string("x")})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 'name' breaks rule 'max_length': length 11 > 10"}}));
}

TEST_F(ValidateTest, MinLengthRejectsShortStringsAndNonStrings) {
  const Applied a = run(R"({"rules":{"code":{"min_length":3}}})", {{"code", FERRY_TYPE_STRING}},
                        {row({Value::string("ab")}), row({Value::string("abc")}), row({Value::int64(12345)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{
                               {0, "field 'code' breaks rule 'min_length': length 2 < 3"},
                               {2, "field 'code' breaks rule 'min_length': int64 has no length"}}));
}

TEST_F(ValidateTest, PatternRejectsANonMatchWithoutEchoingTheValue) {
  const Applied a = run(R"({"rules":{"email":{"pattern":"^[^@]+@[^@]+$"}}})", {{"email", FERRY_TYPE_STRING}},
                        {row({Value::string("a@b")}), row({Value::string("not-an-email")}),
                         row({Value::int64(7)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{
                               {1, "field 'email' breaks rule 'pattern': value does not match ^[^@]+@[^@]+$"},
                               {2, "field 'email' breaks rule 'pattern': int64 is not a string"}}));
}

TEST_F(ValidateTest, PatternSearchesUnlessAnchored) {
  const Applied a = run(R"({"rules":{"s":{"pattern":"\\d{3}"}}})", {{"s", FERRY_TYPE_STRING}},
                        {row({Value::string("ab123cd")}), row({Value::string("ab12cd")})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 's' breaks rule 'pattern': value does not match \\d{3}"}}));
}

// A pattern matches characters, as ECMAScript's do, not the bytes of their
// UTF-8: "." is one emoji, a class lists "é", and \\w takes letters of
// any script.
TEST_F(ValidateTest, PatternMatchesCharactersNotBytes) {
  const Applied a = run(R"({"rules":{"a":{"pattern":"^.{3}$"},"b":{"pattern":"^[\u00e9ex]$"},"c":{"pattern":"^\\w+$"}}})",
                        {{"a", FERRY_TYPE_STRING}, {"b", FERRY_TYPE_STRING}, {"c", FERRY_TYPE_STRING}},
                        {row({Value::string("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"),
                              Value::string("\xC3\xA9"), Value::string("h\xC3\xA9llo")}),
                         row({Value::string("abcd"), Value::string("\xC3\xA9\xC3\xA9"), Value::string("a b")})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{
                               {1, "field 'a' breaks rule 'pattern': value does not match ^.{3}$; field 'b' breaks rule "
                                   "'pattern': value does not match ^[\xC3\xA9" "ex]$; field 'c' breaks rule 'pattern': "
                                   "value does not match ^\\w+$"}}));
}

TEST_F(ValidateTest, PatternSurvivesLongValues) {
  // The default std::regex matcher recurses per character and crashes the
  // process on values of a few ten thousand characters.
  const std::string long_local(300000, 'a');
  const Applied a = run(R"({"rules":{"email":{"pattern":"^(a|b)+@[^@]+$"}}})", {{"email", FERRY_TYPE_STRING}},
                        {row({Value::string(long_local + "@b")}), row({Value::string(long_local)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 'email' breaks rule 'pattern': value does not match ^(a|b)+@[^@]+$"}}));
  EXPECT_EQ(a.rows.size(), 1u);
}

TEST_F(ValidateTest, AllowedComparesStrings) {
  const Applied a = run(R"({"rules":{"currency":{"allowed":["EUR","USD"]}}})", {{"currency", FERRY_TYPE_STRING}},
                        {row({Value::string("USD")}), row({Value::string("JPY")})});
  EXPECT_EQ(rejections(a),
            (std::vector<Rejection>{{1, "field 'currency' breaks rule 'allowed': \"JPY\" is not one of [\"EUR\",\"USD\"]"}}));
}

TEST_F(ValidateTest, AllowedComparesNumbersNumerically) {
  const Applied a = run(R"({"rules":{"n":{"allowed":[1,2.0,"3"]}}})", {{"n", FERRY_TYPE_INT64}},
                        {row({Value::int64(2)}), row({Value::real(1.0)}), row({Value::decimal("2.00")}),
                         row({Value::int64(3)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{3, "field 'n' breaks rule 'allowed': 3 is not one of [1,2,\"3\"]"}}));
}

TEST_F(ValidateTest, AllowedComparesBooleansAndJson) {
  const Applied a = run(R"({"rules":{"b":{"allowed":[true]},"j":{"allowed":[{"a":1},[1,2]]}}})",
                        {{"b", FERRY_TYPE_BOOL}, {"j", FERRY_TYPE_JSON}},
                        {row({Value::boolean(true), Value::json("{ \"a\" : 1 }")}),
                         row({Value::boolean(false), Value::json("[1,2]")}),
                         row({Value::boolean(true), Value::json("[2,1]")})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{
                               {1, "field 'b' breaks rule 'allowed': false is not one of [true]"},
                               {2, "field 'j' breaks rule 'allowed': [2,1] is not one of [{\"a\":1},[1,2]]"}}));
}

TEST_F(ValidateTest, TimestampsCompareWithAllowedAsMicrosecondsButHaveNoMinMax) {
  const Applied a = run(R"({"rules":{"ts":{"allowed":[1704164645000000]}},"on_unknown_field":"pass"})",
                        {{"ts", FERRY_TYPE_TIMESTAMP}},
                        {row({Value::timestamp(1704164645000000)}), row({Value::timestamp(1)})});
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{1, "field 'ts' breaks rule 'allowed': 1970-01-01T00:00:00.000001Z (1) is not one of [1704164645000000]"}}));
  const Applied b = run(R"({"rules":{"ts":{"min":0}}})", {{"ts", FERRY_TYPE_TIMESTAMP}}, {row({Value::timestamp(5)})});
  EXPECT_EQ(rejections(b), (std::vector<Rejection>{{0, "field 'ts' breaks rule 'min': timestamp is not a number"}}));
}

TEST_F(ValidateTest, UnknownFieldsAreRejectedOnlyWhenAsked) {
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64}, {"extra", FERRY_TYPE_STRING}};
  const std::vector<Row> rows = {row({Value::int64(1), Value::string("x")}),
                                 row({Value::int64(2), Value::null()})};
  const Applied pass = run(R"({"rules":{"id":{"required":true}}})", cols, rows);
  EXPECT_TRUE(pass.rejected.empty());
  EXPECT_EQ(pass.rows.size(), 2u);

  const Applied reject = run(R"({"rules":{"id":{"required":true}},"on_unknown_field":"reject"})", cols, rows);
  // A null stands for "absent" in a JSON source's union schema.
  EXPECT_EQ(rejections(reject),
            (std::vector<Rejection>{{0, "field 'extra' breaks rule 'on_unknown_field': not declared in rules"}}));
  ASSERT_EQ(reject.rows.size(), 1u);
  EXPECT_EQ(reject.rows[0].values[0], Value::int64(2));
}

TEST_F(ValidateTest, EveryBrokenRuleOfARowIsListed) {
  const Applied b = run(
      R"({"rules":{"amount":{"min":0,"allowed":[1,2]},"email":{"pattern":"^[^@]+@[^@]+$"},
                   "customer":{"required":true}}})",
      {{"amount", FERRY_TYPE_INT64}, {"email", FERRY_TYPE_STRING}},
      {row({Value::int64(1), Value::string("a@b")}), row({Value::int64(-5), Value::string("nope")})});
  EXPECT_EQ(rejections(b),
            (std::vector<Rejection>{
                {0, "field 'customer' breaks rule 'required': missing"},
                {1, "field 'amount' breaks rule 'min': -5 < 0; field 'amount' breaks rule 'allowed': -5 is "
                    "not one of [1,2]; field 'email' breaks rule 'pattern': value does not match "
                    "^[^@]+@[^@]+$; field 'customer' breaks rule 'required': missing"}}));
}

TEST_F(ValidateTest, AllRowsRejectedGiveAnEmptyBatchThatKeepsTheCheckpoint) {
  const std::vector<Column> cols = {{"n", FERRY_TYPE_INT64}};
  const Applied a = run(R"({"rules":{"n":{"min":10}}})", cols,
                        {row({Value::int64(1)}, "a", "1"), row({Value::int64(2)}, "b", "2")}, "file.csv",
                        "offset:1234");
  EXPECT_EQ(rejections(a), (std::vector<Rejection>{{0, "field 'n' breaks rule 'min': 1 < 10"},
                                                   {1, "field 'n' breaks rule 'min': 2 < 10"}}));
  EXPECT_TRUE(a.rows.empty());
  EXPECT_EQ(a.partition, "file.csv");
  EXPECT_EQ(a.end_position, "offset:1234");
  ASSERT_EQ(a.columns.size(), 1u);
  EXPECT_EQ(a.columns[0].name, "n");
}

TEST_F(ValidateTest, FieldsAreFoundByNameInEveryBatchSchema) {
  TransformHandle t(plugin, with_config(R"({"rules":{"n":{"min":0},"s":{"required":true}}})"));
  ASSERT_EQ(t.open_status(), FERRY_OK) << t.host().last_error();
  const Applied first = t.run(ferry::test::make_batch({{"n", FERRY_TYPE_INT64}, {"s", FERRY_TYPE_STRING}},
                                                      {row({Value::int64(-1), Value::string("x")})}));
  EXPECT_EQ(rejections(first), (std::vector<Rejection>{{0, "field 'n' breaks rule 'min': -1 < 0"}}));
  const Applied second = t.run(ferry::test::make_batch({{"s", FERRY_TYPE_STRING}, {"n", FERRY_TYPE_DOUBLE}},
                                                       {row({Value::string("y"), Value::real(-0.5)}),
                                                        row({Value::null(), Value::real(3)})}));
  EXPECT_EQ(rejections(second), (std::vector<Rejection>{{0, "field 'n' breaks rule 'min': -0.5 < 0"},
                                                        {1, "field 's' breaks rule 'required': null"}}));
  ASSERT_EQ(second.columns.size(), 2u);
  EXPECT_EQ(second.columns[0].name, "s");
}

TEST_F(ValidateTest, EmptyBatchPassesThrough) {
  const Applied a = run(R"({"rules":{"n":{"required":true}}})", {{"n", FERRY_TYPE_INT64}}, {}, "p", "e");
  EXPECT_TRUE(a.rows.empty());
  EXPECT_EQ(a.end_position, "e");
}

// --- configuration errors ----------------------------------------------------

TEST_F(ValidateTest, BadPatternIsAConfigErrorNamingTheField) {
  EXPECT_EQ(open_error(R"({"rules":{"email":{"pattern":"([a-z]+@"}}})"),
            "validate: rule 'pattern' of field 'email' is not a valid regular expression: unbalanced ( )");
  EXPECT_EQ(open_error(R"({"rules":{"code":{"pattern":"[a-z"}}})"),
            "validate: rule 'pattern' of field 'code' is not a valid regular expression: unbalanced [ ]");
  EXPECT_EQ(open_error(R"({"rules":{"word":{"pattern":"(a)\\1"}}})"),
            "validate: rule 'pattern' of field 'word' is not a valid regular expression: back references are "
            "not supported");
}

TEST_F(ValidateTest, UnknownRuleIsAConfigError) {
  EXPECT_EQ(open_error(R"({"rules":{"amount":{"minimum":0}}})"),
            "validate: field 'amount' has unknown rule 'minimum' (known: required, type, min, max, "
            "min_length, max_length, pattern, allowed)");
  EXPECT_EQ(open_error(R"({"rules":{"amount":{"not_null":true}}})"),
            "validate: field 'amount' has unknown rule 'not_null' (known: required, type, min, max, "
            "min_length, max_length, pattern, allowed)");
}

TEST_F(ValidateTest, WrongRuleValueTypesAreConfigErrors) {
  EXPECT_EQ(open_error(R"({"rules":{"amount":{"min":"zero"}}})"),
            "validate: rule 'min' of field 'amount' must be a number, or a decimal written as a string");
  EXPECT_EQ(open_error(R"({"rules":{"amount":{"max":null}}})"),
            "validate: rule 'max' of field 'amount' must be a number, or a decimal written as a string");
  EXPECT_EQ(open_error(R"({"rules":{"customer":{"required":"yes"}}})"),
            "validate: rule 'required' of field 'customer' must be a boolean");
  EXPECT_EQ(open_error(R"({"rules":{"age":{"type":"integer"}}})"),
            "validate: rule 'type' of field 'age' must be one of int64, double, number, string, bool, "
            "timestamp, json, bytes, decimal; got \"integer\"");
  EXPECT_EQ(open_error(R"({"rules":{"name":{"max_length":-1}}})"),
            "validate: rule 'max_length' of field 'name' must be a non-negative integer");
  EXPECT_EQ(open_error(R"({"rules":{"name":{"min_length":1.5}}})"),
            "validate: rule 'min_length' of field 'name' must be a non-negative integer");
  EXPECT_EQ(open_error(R"({"rules":{"email":{"pattern":5}}})"),
            "validate: rule 'pattern' of field 'email' must be a string");
  EXPECT_EQ(open_error(R"({"rules":{"currency":{"allowed":"EUR"}}})"),
            "validate: rule 'allowed' of field 'currency' must be an array");
  EXPECT_EQ(open_error(R"({"rules":{"currency":"EUR"}})"), "validate: rules of field 'currency' must be an object");
}

TEST_F(ValidateTest, ContradictoryBoundsAreConfigErrors) {
  EXPECT_EQ(open_error(R"({"rules":{"amount":{"min":10,"max":5.5}}})"),
            "validate: rules of field 'amount' have min 10 greater than max 5.5");
  EXPECT_EQ(open_error(R"({"rules":{"s":{"min_length":3,"max_length":2}}})"),
            "validate: rules of field 's' have min_length 3 greater than max_length 2");
}

TEST_F(ValidateTest, OptionErrors) {
  EXPECT_EQ(open_error("{}"), "validate: missing required option 'rules'");
  EXPECT_EQ(open_error(R"({"rules":[]})"), "validate: option 'rules': expected object, got array");
  EXPECT_EQ(open_error(R"({"rules":{},"on_unknown_field":"drop"})"),
            "validate: option 'on_unknown_field' must be \"pass\" or \"reject\", got \"drop\"");
  EXPECT_EQ(open_error(R"({"rules":{},"rule":{}})"), "validate: unknown option 'rule' (known: rules, on_unknown_field)");
  EXPECT_EQ(open_error("[1]"), "validate: configuration is not a JSON object: expected { at offset 0");
}

}  // namespace
