// The typed option values the host hands to plugins (ABI 1.4), and the C
// helpers of plugin.h that read them and format values.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <ferry/plugin.h>

#include "plugin/option_values.h"

namespace {

std::string text(FerryBytes b) { return std::string(b.data ? b.data : "", b.size); }

const FerryOptionSpec kOptions[] = {
    {"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "a file"},
    {"count", FERRY_OPTION_INT, 0, "10", "how many"},
    {"ratio", FERRY_OPTION_NUMBER, 0, nullptr, "a share"},
    {"strict", FERRY_OPTION_BOOL, 0, nullptr, "whether"},
    {"columns", FERRY_OPTION_ARRAY, 0, nullptr, "names"},
    {"unset", FERRY_OPTION_STRING, 0, nullptr, "absent, no default"},
};
const FerryKindSpec kSpec = {FERRY_KIND_SINK, 0, "test", kOptions, 6};

TEST(OptionValues, EachDeclaredOptionComesTypedInDeclarationOrder) {
  // As the host hands it over: checked, defaults filled in ("count").
  const ferry::core::OptionValues values(
      &kSpec, R"({"path":"a \"quoted\"\u00e9.tsv","count":10,"ratio":2,"strict":true,"columns":["a","b"]})");
  FerryOpenArgs args{};
  args.struct_size = sizeof args;
  values.fill(args);
  ASSERT_EQ(args.n_options, 6u);
  EXPECT_EQ(text(args.options[0].name), "path");

  const FerryOptionValue* path = ferry_option(&args, "path");
  ASSERT_NE(path, nullptr);
  EXPECT_TRUE(path->present);
  EXPECT_EQ(path->type, FERRY_OPTION_STRING);
  EXPECT_EQ(text(path->as.text), "a \"quoted\"\xc3\xa9.tsv") << "escapes decoded";
  EXPECT_EQ(text(path->json), R"("a \"quoted\"é.tsv")");
  EXPECT_EQ(ferry_option(&args, "count")->as.i64, 10);
  EXPECT_EQ(ferry_option(&args, "ratio")->as.f64, 2.0) << "an integral number is still a double";
  EXPECT_EQ(ferry_option(&args, "strict")->as.boolean, 1);
  EXPECT_EQ(text(ferry_option(&args, "columns")->json), R"(["a","b"])");
  EXPECT_FALSE(ferry_option(&args, "unset")->present);
  EXPECT_EQ(ferry_option(&args, "pat"), nullptr) << "a prefix is not a name";
  EXPECT_EQ(ferry_option(&args, "paths"), nullptr);
}

TEST(OptionValues, AnOlderHostsArgumentsHaveNoOptions) {
  FerryOpenArgs args{};
  args.struct_size = offsetof(FerryOpenArgs, options);  // a 1.3 host's size
  EXPECT_EQ(ferry_option(&args, "path"), nullptr);
}

TEST(ValueText, FormatsEveryTypeAsTheCHelperPromises) {
  FerryValueText scratch;
  auto show = [&](FerryValue v) { return text(ferry_value_text(&v, &scratch)); };
  FerryValue v{};
  EXPECT_EQ(show(v), "\\N");
  v.type = FERRY_TYPE_BOOL;
  v.as.boolean = 1;
  EXPECT_EQ(show(v), "true");
  v.type = FERRY_TYPE_INT64;
  v.as.i64 = INT64_MIN;
  EXPECT_EQ(show(v), "-9223372036854775808");
  v.as.i64 = 0;
  EXPECT_EQ(show(v), "0");
  v.type = FERRY_TYPE_DOUBLE;
  v.as.f64 = 0.1;
  EXPECT_EQ(std::stod(show(v)), 0.1) << show(v) << " reads back as the same double";
  v.type = FERRY_TYPE_STRING;
  v.as.bytes = FerryBytes{"héllo", 6};
  EXPECT_EQ(show(v), "héllo");
}

}  // namespace
