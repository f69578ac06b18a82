// The crash tests' loop: a command (`ferry run ...`) killed with SIGKILL
// again and again, restarted each time, then left to finish.
//
// When to kill is decided by what the run has done, never by how long it
// ran: a delay calibrated on one run misses on a machine whose load changes
// (kills all before any data, or a run that finishes before its tenth kill).
// Kills alternate between two kinds:
//  - early: a random 0-300 ms after the start (start-up, opening the state,
//    the first read, the first batch in flight), or as soon as the run has
//    landed its share of rows, whichever comes first;
//  - mid-data: once this run has landed a random share of the rows (1-5 % of
//    all), then after a random 0-10 ms, so the kill falls anywhere in the
//    next batch's write, commit or checkpoint.
// A run lands at most about its share before it dies, so ten kills leave
// most of the work to the final run on any machine, and every mid-data kill
// comes after some rows landed and well before the last.
#pragma once

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/subprocess.h"

namespace ferry::test {

struct KillLoopSpec {
  std::vector<std::string> argv;  // the command, restarted as is
  std::string out_file, err_file;
  int64_t total = 0;                 // rows (or documents, files...) once all is done
  std::function<int64_t()> landed;   // rows landed now; 0 while there is no target yet
  // Optional: a mid-data kill also waits until this holds of the rows
  // landed, and then comes at once (e.g. "a batch is half written", so the
  // restart must re-deliver it).
  std::function<bool(int64_t landed)> in_flight;
  int kills = 10;
  uint64_t seed = 1;
  // Pause between looks at `landed`. A look that starts a client (psql,
  // mariadb) costs CPU the run under test then lacks: look less often.
  std::chrono::milliseconds poll{2};
};

struct KillLoopResult {
  int kills = 0;
  int kills_mid_data = 0;  // kills after which some but not all rows had landed
  int restarts = 0;
};

// A run that reaches no kill point for this long is stuck: the test fails
// instead of hanging. Only a failing test ever waits that long.
inline constexpr std::chrono::seconds kKillLoopStuckAfter{120};

inline KillLoopResult kill_loop(const KillLoopSpec& spec) {
  auto landed = [&] { return std::max<int64_t>(0, spec.landed()); };
  std::mt19937_64 rng(spec.seed);
  std::uniform_int_distribution<int> early_ms(0, 300);
  std::uniform_int_distribution<int64_t> share(std::max<int64_t>(1, spec.total / 100),
                                               std::max<int64_t>(1, spec.total / 20));
  std::uniform_int_distribution<int> jitter_ms(0, 10);
  KillLoopResult result;
  for (int attempt = 0; attempt < 3 * spec.kills + 10; ++attempt) {
    const int64_t before = landed();
    const auto started = std::chrono::steady_clock::now();
    Process p(spec.argv, {}, spec.out_file, spec.err_file);
    ++result.restarts;
    if (result.kills >= spec.kills) {
      EXPECT_EQ(p.wait().first, 0) << slurp(spec.err_file);
      return result;
    }
    const bool early = result.kills % 2 == 0;
    const auto early_deadline = started + std::chrono::milliseconds(early_ms(rng));
    const int64_t target = before + share(rng);
    const int jitter = jitter_ms(rng);
    std::pair<int, int> status;
    bool exited = false, stuck = false;
    for (;;) {
      if ((exited = p.finished(&status))) break;
      const auto now = std::chrono::steady_clock::now();
      if (early && now >= early_deadline) break;
      const int64_t n = landed();
      if (n >= target && (early || !spec.in_flight || spec.in_flight(n))) {
        if (!early && !spec.in_flight) std::this_thread::sleep_for(std::chrono::milliseconds(jitter));
        break;
      }
      if ((stuck = now - started > kKillLoopStuckAfter)) break;
      std::this_thread::sleep_for(spec.poll);
    }
    if (exited) {
      // A run that ends on its own before its last kill is a finding: it
      // landed far more than its share, or failed.
      ADD_FAILURE() << "run " << result.restarts << " ended (exit " << status.first << ") before kill "
                    << result.kills + 1 << ": " << slurp(spec.err_file);
      return result;
    }
    p.kill_now(SIGKILL);
    p.wait();
    if (stuck) {
      ADD_FAILURE() << "a run reached no kill point in " << kKillLoopStuckAfter.count() << " s: "
                    << slurp(spec.err_file);
      return result;
    }
    ++result.kills;
    const int64_t n = landed();
    if (n > 0 && n < spec.total) ++result.kills_mid_data;
  }
  ADD_FAILURE() << "the pipeline never finished";
  return result;
}

}  // namespace ferry::test
