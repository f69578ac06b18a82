// JSON whose objects repeat a key: the documents Ferry builds, jsonb and
// MySQL's JSON keep one of the values, so a reader must see the repeat.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "text/json_exact.h"

namespace {

using ferry::support::json_number_texts;
using ferry::support::json_repeated_key;

TEST(JsonExact, FindsAKeyRepeatedInAnyObject) {
  EXPECT_EQ(json_repeated_key(R"({"a":1,"b":2})"), std::nullopt);
  EXPECT_EQ(json_repeated_key(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})"), std::nullopt);  // one per object
  EXPECT_EQ(json_repeated_key(R"([1,"a","a"])"), std::nullopt);
  EXPECT_EQ(json_repeated_key("not json"), std::nullopt);
  EXPECT_EQ(json_repeated_key(R"({"a":1,"a":2})"), "a");
  EXPECT_EQ(json_repeated_key(R"({"x":[{"k":1,"k":1}]})"), "k");  // the same value twice, too
  EXPECT_EQ(json_repeated_key(R"({"":1,"":2})"), "");
  EXPECT_EQ(json_repeated_key(R"({"\u0061":1,"a":2})"), "a");  // escapes read as the key they spell
}

TEST(JsonExact, NamesAnEmptyKeyThatAppearsTwice) {
  std::vector<std::string> texts;
  std::string why;
  EXPECT_FALSE(json_number_texts(R"({"":1,"":2})", texts, &why));
  EXPECT_EQ(why, "the key \"\" appears twice in one object");
}

}  // namespace
