// The ranges the pipeline parser enforces, shared with the JSON Schema that
// `ferry schema` prints, so the two cannot disagree.
#pragma once

#include <cstdint>

namespace ferry::core::limits {

constexpr uint64_t kMaxBatchRecords = 1000000;
constexpr uint64_t kMaxBatchBytes = 1024ull * 1024 * 1024;
constexpr uint64_t kMaxQueueDepth = 64;
constexpr uint64_t kMaxGroupCommitMs = 60000;
constexpr uint64_t kMaxAttempts = 1000;
constexpr uint64_t kMaxInitialDelayMs = 3600000;    // 1 hour
constexpr uint64_t kMaxDelayMs = 86400000;          // 1 day
constexpr uint64_t kMaxElapsedMs = 7 * 86400000ull; // 1 week
constexpr double kMaxMultiplier = 10.0;
constexpr uint64_t kMaxParallelism = 256;

}  // namespace ferry::core::limits
