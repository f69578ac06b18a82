// A partition's key range as the SQL sources store it in a partition plan
// (support/sql/key_range.h): what is written reads back the same, and a
// damaged plan is refused rather than read as some other range.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "sql/key_range.h"

namespace ferry::support {
namespace {

TEST(KeyRange, EveryBoundAndTheNullsFlagReadBackAsWritten) {
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  const int64_t highest = std::numeric_limits<int64_t>::max();
  for (const KeyRange& r : {KeyRange{}, KeyRange{std::nullopt, 51, true}, KeyRange{51, std::nullopt, false},
                            KeyRange{-7, 0, false}, KeyRange{lowest, highest, true}}) {
    const std::string text = key_range_text(r);
    const std::optional<KeyRange> back = parse_key_range(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(back->lo, r.lo) << text;
    EXPECT_EQ(back->hi, r.hi) << text;
    EXPECT_EQ(back->with_nulls, r.with_nulls) << text;
  }
  EXPECT_EQ(key_range_text({std::nullopt, 51, true}), ",51,nulls");
  EXPECT_EQ(key_range_text({51, std::nullopt, false}), "51,");
}

TEST(KeyRange, ADamagedRangeIsRefused) {
  for (const char* text : {"", "51", "a,b", "1,2,3", "1,2,", "1 ,2", "1,99999999999999999999", "1,2,NULLS", ",,nulls,"})
    EXPECT_FALSE(parse_key_range(text)) << text;
}

}  // namespace
}  // namespace ferry::support
