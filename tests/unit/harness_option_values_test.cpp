// The SDK's test harness hands a plugin the same typed option values (ABI
// 1.4) the host does: a plugin that reads its options with ferry_option()
// is tested as it runs. Checked against the host's own OptionValues on the
// same configurations.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <ferry/plugin.h>
#include <ferry/testing/option_values.hpp>

#include "plugin/option_values.h"

namespace {

std::string text(FerryBytes b) { return std::string(b.data ? b.data : "", b.size); }
// The same JSON text up to its spelling: blanks, the exponent's case.
std::string normalized(std::string s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\n') out += c == 'e' ? 'E' : c;
  return out;
}
bool is_number_text(const std::string& s) { return !s.empty() && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')); }

const FerryOptionSpec kOptions[] = {
    {"path", FERRY_OPTION_STRING, 0, nullptr, ""},   {"count", FERRY_OPTION_INT, 0, nullptr, ""},
    {"ratio", FERRY_OPTION_NUMBER, 0, nullptr, ""},  {"strict", FERRY_OPTION_BOOL, 0, nullptr, ""},
    {"columns", FERRY_OPTION_ARRAY, 0, nullptr, ""}, {"extra", FERRY_OPTION_OBJECT, 0, nullptr, ""},
    {"any", FERRY_OPTION_ANY, 0, nullptr, ""},       {"unset", FERRY_OPTION_STRING, 0, nullptr, ""},
};
const FerryKindSpec kSpec = {FERRY_KIND_SINK, 0, "test", kOptions, 8};

TEST(HarnessOptionValues, TheHarnessHandsOverWhatTheHostDoes) {
  const std::vector<std::string> configs = {
      R"({"path":"a \"q\"\u00e9\ud83d\ude00\n\t\\/.tsv","count":-42,"ratio":2,"strict":true,
          "columns":["a", {"b": [1, 2.5e3]}],"extra":{"k":null},"any":null})",
      R"({"count":9223372036854775807,"ratio":0.125,"strict":false,"any":"x","path":""})",
      R"({"count":1.5,"ratio":-1e-3,"any":[],"columns":[] , "extra" : {}})",
      R"({"ratio":18446744073709551615,"count":3,"count":4})",
  };
  for (const std::string& config : configs) {
    const ferry::core::OptionValues host(&kSpec, config);
    const ferry::testing::OptionValueList harness(&kSpec, config);
    ASSERT_EQ(harness.size(), host.size()) << config;
    for (size_t i = 0; i < host.size(); ++i) {
      const FerryOptionValue& h = host.data()[i];
      const FerryOptionValue& t = harness.data()[i];
      const std::string where = config + " option " + text(h.name);
      EXPECT_EQ(text(t.name), text(h.name)) << where;
      EXPECT_EQ(t.type, h.type) << where;
      ASSERT_EQ(t.present, h.present) << where;
      if (!h.present) continue;
      // A number's text may be spelled otherwise (0.125, 1.25E-1); its value is compared below.
      if (!is_number_text(text(h.json))) {
        EXPECT_EQ(normalized(text(t.json)), normalized(text(h.json))) << where;
      }
      switch (h.type) {
        case FERRY_OPTION_STRING: EXPECT_EQ(text(t.as.text), text(h.as.text)) << where; break;
        case FERRY_OPTION_INT: EXPECT_EQ(t.as.i64, h.as.i64) << where; break;
        case FERRY_OPTION_NUMBER: EXPECT_EQ(t.as.f64, h.as.f64) << where; break;
        case FERRY_OPTION_BOOL: EXPECT_EQ(t.as.boolean, h.as.boolean) << where; break;
        default: break;
      }
    }
  }
}

// Not a JSON object: no values (the plugin sees the text and answers for itself).
TEST(HarnessOptionValues, AConfigurationThatIsNotAnObjectGivesNoValues) {
  for (const char* bad : {"", "[]", "{", R"({"path":"unterminated})", R"({"a":1} trailing)", R"({"a":01})",
                          R"({"a":"\ud800"})", R"({"a":tru})"}) {
    const ferry::testing::OptionValueList harness(&kSpec, bad);
    EXPECT_EQ(harness.size(), 0u) << bad;
  }
}

// What the host refuses before opening, the harness refuses too, so a
// plugin that reads only typed options is tested against what it will meet.
TEST(HarnessOptionValues, TheHarnessRefusesWhatTheHostRefuses) {
  const FerryOptionSpec required[] = {{"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, ""},
                                      {"count", FERRY_OPTION_INT, 0, nullptr, ""}};
  const FerryKindSpec spec = {FERRY_KIND_SINK, 0, "test", required, 2};
  using ferry::testing::config_problem;
  EXPECT_EQ(config_problem(&spec, R"({"table":"t"})"), "");
  EXPECT_EQ(config_problem(&spec, R"({"table":"t","count":-3})"), "");
  EXPECT_EQ(config_problem(&spec, R"({"table":"t","rows":5})"), "unknown option 'rows' (known: table, count)");
  EXPECT_EQ(config_problem(&spec, R"({"count":1})"), "missing required option 'table'");
  EXPECT_EQ(config_problem(&spec, R"({"table":3})"), "option 'table': expected string, got number");
  EXPECT_EQ(config_problem(&spec, R"({"table":"t","count":"3"})"), "option 'count': expected integer, got string");
  EXPECT_EQ(config_problem(&spec, R"({"table":"t","count":3.0})"),
            "option 'count': expected integer, got decimal number");
  EXPECT_EQ(config_problem(&spec, R"({"table":null})"), "option 'table': expected string, got null");
  EXPECT_NE(config_problem(&spec, "[1]"), "");
  EXPECT_NE(config_problem(&spec, R"({"table":"t")"), "");
  // A stage without "config" and a kind without options.
  const FerryKindSpec none = {FERRY_KIND_SINK, 0, "test", nullptr, 0};
  EXPECT_EQ(config_problem(&none, ""), "");
  EXPECT_EQ(config_problem(&none, "{}"), "");
  EXPECT_EQ(config_problem(&none, R"({"x":1})"), "unknown option 'x' (it takes no options)");
  // Every declared type against the host's own check.
  EXPECT_EQ(config_problem(&kSpec, R"({"ratio":1,"strict":false,"columns":[],"extra":{},"any":null})"), "");
  EXPECT_EQ(config_problem(&kSpec, R"({"strict":0})"), "option 'strict': expected boolean, got number");
  EXPECT_EQ(config_problem(&kSpec, R"({"columns":{}})"), "option 'columns': expected array, got object");
  EXPECT_EQ(config_problem(&kSpec, R"({"extra":[]})"), "option 'extra': expected object, got array");
  EXPECT_EQ(config_problem(&kSpec, R"({"ratio":"1"})"), "option 'ratio': expected number, got string");
}

// The host writes declared defaults into the configuration it hands over;
// a plugin that reads config_json must see them in a test too (a plugin
// telling "given" from "defaulted" there behaved otherwise in a run).
TEST(HarnessOptionValues, TheConfigurationTextCarriesTheDeclaredDefaults) {
  const FerryOptionSpec options[] = {{"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, ""},
                                     {"count", FERRY_OPTION_INT, 0, "5", ""},
                                     {"mode", FERRY_OPTION_STRING, 0, "\"append\"", ""},
                                     {"columns", FERRY_OPTION_OBJECT, 0, nullptr, ""}};
  const FerryKindSpec spec = {FERRY_KIND_SINK, 0, "test", options, 4};
  using ferry::testing::with_declared_defaults;
  EXPECT_EQ(with_declared_defaults(&spec, R"({"table":"t"})"), R"({"table":"t","count":5,"mode":"append"})");
  EXPECT_EQ(with_declared_defaults(&spec, R"({"table":"t", "count": 7} )"), R"({"table":"t", "count": 7,"mode":"append"} )");
  EXPECT_EQ(with_declared_defaults(&spec, R"({"table":"t","count":1,"mode":"upsert"})"),
            R"({"table":"t","count":1,"mode":"upsert"})");
  EXPECT_EQ(with_declared_defaults(&spec, "{}"), R"({"count":5,"mode":"append"})");
  EXPECT_EQ(with_declared_defaults(&spec, ""), R"({"count":5,"mode":"append"})");
  EXPECT_EQ(with_declared_defaults(&spec, "[1]"), "[1]");
  // Read back as the host's option values read it.
  const std::string text = with_declared_defaults(&spec, R"({"table":"t"})");
  const ferry::core::OptionValues host(&spec, text);
  ASSERT_EQ(host.size(), 4u);
  EXPECT_EQ(host.data()[1].as.i64, 5);
}

}  // namespace
