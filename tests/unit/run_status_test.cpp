// A run's status by name, and the status of work done in parts.
#include <gtest/gtest.h>

#include "state/state_store.h"

namespace ferry::core {
namespace {

TEST(RunStatus, EveryStatusReadsBackFromItsName) {
  for (RunStatus s : {RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Stopped,
                      RunStatus::Incomplete})
    EXPECT_EQ(parse_run_status(to_string(s)), s) << to_string(s);
  EXPECT_EQ(to_string(RunStatus::Incomplete), std::string("incomplete"));
  EXPECT_FALSE(parse_run_status("bogus").has_value());
}

// An admin replay runs the pending entries, then the failed-again ones: a
// part that failed is not hidden by a later part that was only incomplete.
TEST(RunStatus, PartsEndAsTheWorstOfThem) {
  EXPECT_EQ(worse(RunStatus::Failed, RunStatus::Incomplete), RunStatus::Failed);
  EXPECT_EQ(worse(RunStatus::Incomplete, RunStatus::Failed), RunStatus::Failed);
  EXPECT_EQ(worse(RunStatus::Stopped, RunStatus::Incomplete), RunStatus::Stopped);
  EXPECT_EQ(worse(RunStatus::Succeeded, RunStatus::Incomplete), RunStatus::Incomplete);
  EXPECT_EQ(worse(RunStatus::Incomplete, RunStatus::Succeeded), RunStatus::Incomplete);
  EXPECT_EQ(worse(RunStatus::Succeeded, RunStatus::Succeeded), RunStatus::Succeeded);
}

}  // namespace
}  // namespace ferry::core
