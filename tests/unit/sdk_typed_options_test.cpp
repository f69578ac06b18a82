// ferry::Context's typed options (ABI 1.4): what the host checked, read
// without parsing JSON; the fallback when absent or from an older host; a
// clear configuration error for a value of the wrong type.
#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <string>

#include <ferry/plugin.hpp>

#include "plugin/option_values.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"path", FERRY_OPTION_STRING, 0, nullptr, ""}, {"count", FERRY_OPTION_INT, 0, nullptr, ""},
    {"ratio", FERRY_OPTION_NUMBER, 0, nullptr, ""}, {"strict", FERRY_OPTION_BOOL, 0, nullptr, ""},
    {"columns", FERRY_OPTION_ARRAY, 0, nullptr, ""}, {"unset", FERRY_OPTION_STRING, 0, nullptr, ""},
};
const FerryKindSpec kSpec = {FERRY_KIND_SINK, 0, "test", kOptions, 6};

FerryStatus config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ferry::Error& e) {
    return e.status();
  }
  return FERRY_OK;
}

TEST(SdkTypedOptions, ValuesComeTypedAndAbsentOnesFallBack) {
  const ferry::core::OptionValues values(&kSpec, R"({"path":"a\u00e9.tsv","count":-7,"ratio":2,"strict":true,"columns":["a"]})");
  FerryOpenArgs args{};
  args.struct_size = sizeof args;
  values.fill(args);
  const ferry::Context ctx(&args);
  EXPECT_EQ(ctx.option_string("path"), "a\xc3\xa9.tsv");
  EXPECT_EQ(ctx.option_int("count", 0), -7);
  EXPECT_EQ(ctx.option_number("ratio", 0), 2.0);
  EXPECT_TRUE(ctx.option_bool("strict", false));
  EXPECT_EQ(ctx.option_json("columns"), R"(["a"])");
  EXPECT_EQ(ctx.option_string("unset", "fallback"), "fallback");
  EXPECT_EQ(ctx.option("undeclared"), nullptr);
  EXPECT_EQ(ctx.option_int("undeclared", 5), 5);
}

// A 1.3 host's arguments end before the options: every read falls back.
TEST(SdkTypedOptions, AnOlderHostsArgumentsGiveTheFallbacks) {
  const ferry::core::OptionValues values(&kSpec, R"({"count":3})");
  FerryOpenArgs args{};
  values.fill(args);
  args.struct_size = static_cast<uint32_t>(offsetof(FerryOpenArgs, options));
  const ferry::Context ctx(&args);
  EXPECT_EQ(ctx.option("count"), nullptr);
  EXPECT_EQ(ctx.option_int("count", 10), 10);
}

TEST(SdkTypedOptions, AValueOfTheWrongTypeIsAConfigurationError) {
  const ferry::core::OptionValues values(&kSpec, R"({"path":3,"count":"ten","ratio":"x","strict":"yes"})");
  FerryOpenArgs args{};
  args.struct_size = sizeof args;
  values.fill(args);
  const ferry::Context ctx(&args);
  EXPECT_EQ(config_error([&] { ctx.option_string("path"); }), FERRY_ERROR_CONFIG);
  EXPECT_EQ(config_error([&] { ctx.option_int("count", 0); }), FERRY_ERROR_CONFIG);
  EXPECT_EQ(config_error([&] { ctx.option_number("ratio", 0); }), FERRY_ERROR_CONFIG);
  EXPECT_EQ(config_error([&] { ctx.option_bool("strict", false); }), FERRY_ERROR_CONFIG);
  const ferry::core::OptionValues fraction(&kSpec, R"({"count":1.5})");
  fraction.fill(args);
  EXPECT_EQ(config_error([&] { ferry::Context(&args).option_int("count", 0); }), FERRY_ERROR_CONFIG);
}

// The host accepts an integer beyond int64 for an integer option (a plugin
// may read its JSON text); option_int cannot hold it and must not answer 0.
TEST(SdkTypedOptions, AnIntegerBeyondInt64IsRefusedNotReadAsZero) {
  FerryOpenArgs args{};
  args.struct_size = sizeof args;
  for (const char* config : {R"({"count":9223372036854775808})", R"({"count":18446744073709551615})",
                             R"({"count":-9223372036854775809})"}) {
    const ferry::core::OptionValues values(&kSpec, config);
    values.fill(args);
    EXPECT_EQ(config_error([&] { ferry::Context(&args).option_int("count", 0); }), FERRY_ERROR_CONFIG) << config;
  }
  const ferry::core::OptionValues edge(&kSpec, R"({"count":-9223372036854775808})");
  edge.fill(args);
  EXPECT_EQ(ferry::Context(&args).option_int("count", 0), INT64_MIN);
}

// A plugin that reads only typed options cannot work with a host that
// hands over none; it says so instead of running on its defaults.
TEST(SdkTypedOptions, APluginThatNeedsTypedOptionsRefusesAnOlderHost) {
  const ferry::core::OptionValues values(&kSpec, R"({"count":3})");
  FerryOpenArgs args{};
  values.fill(args);
  args.struct_size = static_cast<uint32_t>(offsetof(FerryOpenArgs, options));
  EXPECT_EQ(config_error([&] { ferry::Context(&args).require_typed_options(); }), FERRY_ERROR_CONFIG);
  args.struct_size = sizeof args;
  EXPECT_EQ(config_error([&] { ferry::Context(&args).require_typed_options(); }), FERRY_OK);
}

}  // namespace
