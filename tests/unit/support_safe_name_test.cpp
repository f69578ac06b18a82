// support/text/safe_name: the hash and the alphabet of names made from data
// (the file sink's batch files, the s3 sink's keys). They must never change
// between builds: a replayed batch has to hit its own file or object again.
#include <gtest/gtest.h>

#include "text/safe_name.h"

namespace {

using namespace ferry::support;

TEST(SupportSafeName, TheHashIsFnv1aOfThePublishedVectors) {
  EXPECT_EQ(fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(fnv1a32("foobar"), 0xbf9cf968u);
  EXPECT_EQ(hex8(0x811c9dc5u), "811c9dc5");
  EXPECT_EQ(hex8(0x0000000au), "0000000a");
}

TEST(SupportSafeName, EveryByteOutsideTheAlphabetBecomesAnUnderscore) {
  EXPECT_EQ(safe_name("orders/2024-01-01 v1.jsonl"), "orders_2024-01-01_v1.jsonl");
  EXPECT_EQ(safe_name(std::string_view("a\0b\xc3\xa9", 5)), "a_b__");
  EXPECT_TRUE(is_safe_name_char('.'));
  EXPECT_FALSE(is_safe_name_char('/'));
}

}  // namespace
