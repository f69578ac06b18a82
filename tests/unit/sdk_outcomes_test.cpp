// The SDK's C++ layer refuses what it cannot represent instead of dropping it.
#include <gtest/gtest.h>

#include <ferry/plugin.hpp>

TEST(SdkOutcomes, RejectingARowOutsideTheBatchIsAnError) {
  FerryRecordOutcome o[2] = {};
  ferry::Outcomes outcomes(o, 2);
  outcomes.reject(1, "bad");
  EXPECT_EQ(o[1].status, FERRY_INVALID_DATA);
  try {
    outcomes.reject(2, "past the end");
    FAIL() << "a rejection of row 2 in a batch of 2 was ignored";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_INTERNAL);
    EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos) << e.what();
  }
}
