// The saved cuts of batches in flight, and which of them are in doubt when
// a partition resumes.
#include <gtest/gtest.h>

#include "common/error.h"
#include "engine/batch_cuts.h"

namespace ferry::core {
namespace {

std::vector<BatchCut> three() {
  return {{std::nullopt, "10", 10, "1", "10"}, {std::string("10"), "20", 10, "11", "20"},
          {std::string("20"), "25", 5, "21", "25"}};
}

std::vector<std::string> ends(const std::vector<BatchCut>& cuts) {
  std::vector<std::string> out;
  for (const BatchCut& c : cuts) out.push_back(c.to);
  return out;
}

TEST(BatchCuts, RoundTripThroughTheirText) {
  const std::vector<BatchCut> back = decode_cuts(encode_cuts(three()));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].from, std::nullopt);
  EXPECT_EQ(back[1].from, std::optional<std::string>("10"));
  EXPECT_EQ(back[2].to, "25");
  EXPECT_EQ(back[2].source_rows, 5);
  EXPECT_EQ(back[2].first, "21");
  EXPECT_EQ(back[2].last, "25");
  EXPECT_THROW(decode_cuts("{}"), Error);
  EXPECT_THROW(decode_cuts(R"([{"to":"1"}])"), Error);
}

TEST(BatchCuts, TheOnesAfterTheCheckpointAreInDoubt) {
  EXPECT_EQ(ends(cuts_in_doubt(three(), std::nullopt)), (std::vector<std::string>{"10", "20", "25"}));
  EXPECT_EQ(ends(cuts_in_doubt(three(), std::string("10"))), (std::vector<std::string>{"20", "25"}));
  EXPECT_EQ(ends(cuts_in_doubt(three(), std::string("25"))), std::vector<std::string>{});
  // A checkpoint that is no boundary of them: they say nothing about it.
  EXPECT_EQ(ends(cuts_in_doubt(three(), std::string("17"))), std::vector<std::string>{});
  EXPECT_TRUE(cuts_in_doubt({}, std::nullopt).empty());
}

}  // namespace
}  // namespace ferry::core
