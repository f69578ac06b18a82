// support/options: what a bundled plugin checks of its typed options after
// the host checked their types, and how a failure reads.
#include <gtest/gtest.h>

#include <ferry/plugin.hpp>
#include <options/option_reader.h>

#include "plugin/option_values.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"mode", FERRY_OPTION_STRING, 0, "\"append\"", ""}, {"port", FERRY_OPTION_INT, 0, nullptr, ""},
    {"key", FERRY_OPTION_ANY, 0, nullptr, ""},          {"name", FERRY_OPTION_STRING, 0, nullptr, ""},
    {"extra", FERRY_OPTION_OBJECT, 0, nullptr, ""},
};
const FerryKindSpec kSpec = {FERRY_KIND_SINK, 0, "test", kOptions, 5};

enum class Mode { kAppend, kUpsert };

// Opens a Context on `config` as the host would and runs `f` on a reader.
template <typename F>
std::string error_of(const std::string& config, F f) {
  const ferry::core::OptionValues values(&kSpec, config);
  FerryOpenArgs args{};
  args.struct_size = sizeof args;
  values.fill(args);
  const ferry::Context ctx(&args);
  try {
    f(ferry::support::OptionReader(ctx, "test sink"));
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG);
    return e.what();
  }
  return "";
}

TEST(SupportOptionReader, ReadsValuesAndFallsBackForAbsentOnes) {
  EXPECT_EQ(error_of(R"({"port":5432,"key":["a","b"],"extra":{"x":1}})",
                     [](const ferry::support::OptionReader& in) {
                       EXPECT_EQ(in.choice("mode", {{"append", Mode::kAppend}, {"upsert", Mode::kUpsert}}, Mode::kUpsert),
                                 Mode::kUpsert);  // absent: the fallback
                       EXPECT_EQ(in.integer("port", 1, 1, 65535), 5432);
                       EXPECT_EQ(in.names("key"), (std::vector<std::string>{"a", "b"}));
                       EXPECT_EQ(in.json("extra").at("x").as_int64(), 1);
                       EXPECT_FALSE(in.has("name"));
                       EXPECT_EQ(in.text("name", "fallback"), "fallback");
                     }),
            "");
  // A single name where the option is declared "any".
  EXPECT_EQ(error_of(R"({"key":"id"})", [](const ferry::support::OptionReader& in) {
              EXPECT_EQ(in.names("key"), (std::vector<std::string>{"id"}));
            }),
            "");
}

TEST(SupportOptionReader, WhatADeclarationCannotSayIsRefusedNamingTheOption) {
  EXPECT_EQ(error_of(R"({"mode":"merge"})",
                     [](const ferry::support::OptionReader& in) {
                       in.choice("mode", {{"append", Mode::kAppend}, {"upsert", Mode::kUpsert}}, Mode::kAppend);
                     }),
            "test sink: option 'mode' must be \"append\" or \"upsert\", got \"merge\"");
  EXPECT_EQ(error_of(R"({"port":0})", [](const ferry::support::OptionReader& in) { in.integer("port", 1, 1, 65535); }),
            "test sink: option 'port' must be between 1 and 65535, got 0");
  EXPECT_EQ(error_of(R"({"key":["a","a"]})", [](const ferry::support::OptionReader& in) { in.names("key"); }),
            "test sink: option 'key' names column \"a\" twice");
  EXPECT_EQ(error_of(R"({"key":[""]})", [](const ferry::support::OptionReader& in) { in.names("key"); }),
            "test sink: option 'key' must be a column name or an array of them");
  EXPECT_EQ(error_of(R"({"name":""})", [](const ferry::support::OptionReader& in) { in.text("name"); }),
            "test sink: option 'name' must not be empty");
  EXPECT_EQ(error_of(R"({"port":18446744073709551615})",
                     [](const ferry::support::OptionReader& in) { in.integer("port", 1, 1, 65535); }),
            "option 'port' is out of the int64 range: 18446744073709551615");
}

TEST(SupportOptionReader, AHostWithoutTypedOptionsIsRefused) {
  FerryOpenArgs args{};
  args.struct_size = static_cast<uint32_t>(offsetof(FerryOpenArgs, options));
  const ferry::Context ctx(&args);
  try {
    ferry::support::OptionReader in(ctx, "test sink");
    FAIL() << "an older host was accepted";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG);
    EXPECT_NE(std::string(e.what()).find("test sink: "), std::string::npos) << e.what();
  }
}

}  // namespace
