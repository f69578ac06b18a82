// A sink that is down: at open, under a commit policy that can do without
// it; a sink whose open answers RETRY; a plugin's oversized backoff hint.
#include <gtest/gtest.h>

#include <chrono>

#include "support/scenario_env.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;

std::string pipeline(const std::string& sinks, const std::string& extra = "") {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 30}},
    "batch": {"max_records": 10},
    "retry": {"max_attempts": 3, "initial_delay_ms": 1, "max_delay_ms": 5, "on_exhausted": "fail"},
    "sinks": [)" + sinks + "]" + extra + "}";
}

// docs/failures.md: under "required", a sink that is not required may be
// down; the pipeline goes on and its rows wait in the DLQ addressed to it.
TEST(SinkOutage, ANonRequiredSinkThatCannotOpenDoesNotStopTheRun) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "main", "plugin": "scenario", "config": {}, "required": true},
                      {"name": "extra", "plugin": "scenario", "config": {"open_fail": "retry"}, "required": false})",
                    R"(, "commit_policy": "required")"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(d.sink("main").total(), 30u);
  size_t for_extra = 0;
  for (const auto& e : d.dlq(DlqStatus::Pending)) {
    EXPECT_EQ(e.sink, "extra");
    EXPECT_EQ(e.error_class, "sink_failed");
    EXPECT_NE(e.message.find("cannot reach the target"), std::string::npos) << e.message;
    ++for_extra;
  }
  EXPECT_EQ(for_extra, 30u);
  // Once it is back, a replay addressed to it fills it.
  d.define(pipeline(R"({"name": "main", "plugin": "scenario", "config": {}, "required": true},
                      {"name": "extra", "plugin": "scenario", "config": {}, "required": false})",
                    R"(, "commit_policy": "required")"));
  auto replay = d.replay({"--sink", "extra"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(d.sink("extra").total(), 30u);
  EXPECT_EQ(d.sink("main").total(), 30u);
}

// RETRY from open is retried like any other call.
TEST(SinkOutage, AnOpenThatAnswersRetryIsRetried) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario", "config": {"open_fail": "retry", "open_fail_times": 2}})"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(d.sink("tx").total(), 30u);
}

// A required sink that stays down fails the run, naming it.
TEST(SinkOutage, ARequiredSinkThatCannotOpenFailsTheRunWithItsReason) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario", "config": {"open_fail": "retry"}})"));
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tx"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot reach the target"), std::string::npos) << r.err;
}

// A plugin asking to wait longer than the whole retry budget (here: an
// absurd 2^64-1 ms, which once overflowed the clock) gets a prompt "given
// up" instead of a wait or a wrapped-around deadline.
TEST(SinkOutage, ABackoffHintBeyondTheBudgetGivesUpAtOnce) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 5}},
    "retry": {"max_attempts": 3, "initial_delay_ms": 1, "max_delay_ms": 20, "max_elapsed_ms": 60000},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {"down": true, "retry_after_ms": 18446744073709551615}}]})");
  const auto started = std::chrono::steady_clock::now();
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  auto dlq = d.dlq(DlqStatus::Pending);
  ASSERT_EQ(dlq.size(), 5u);
  for (const auto& e : dlq) {
    EXPECT_EQ(e.error_class, "retry_exhausted");
    EXPECT_EQ(e.attempts, 1) << e.message;
  }
}

}  // namespace
