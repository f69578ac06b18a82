// Crash safety of the s3 sink: `ferry run` (generator -> s3, 200,000
// records) is killed with SIGKILL at no fewer than ten random moments,
// calibrated against an uninterrupted run, and restarted each time. At the
// end every record must be in exactly one object (a replayed batch
// overwrote its own object instead of adding a copy) and no multipart
// upload may be left (a killed upload's parts were aborted by the next run).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "s3/s3_test_env.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;
using namespace ferry::test::s3;

constexpr int64_t kRows = 200000;
constexpr int kKills = 10;

struct CrashLoopResult {
  int kills = 0;
  int kills_mid_data = 0;    // after some but not all objects had landed
  int kills_mid_upload = 0;  // that left a multipart upload open
};

std::string pipeline_json(const S3rver& s, const std::string& prefix, int batch, const std::string& extra_source,
                          const std::string& extra_sink) {
  return R"({"name": "crash", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 200000, "partitions": 2 )" + extra_source + R"(}},
    "batch": {"max_records": )" + std::to_string(batch) + R"(, "max_bytes": 268435456},
    "sinks": [{"name": "s3", "plugin": "s3", "config": {"endpoint": ")" + s.endpoint() + R"(", "bucket": ")" +
         s.bucket() + R"(", "prefix": ")" + prefix + R"(", "access_key_id": "S3RVER", "secret_access_key": "S3RVER" )" +
         extra_sink + "}}]}";
}

// Milliseconds of one uninterrupted run, into a scratch prefix: kill delays
// are fractions of it, so the kills land mid-run on any machine.
template <typename JsonFor>
int calibrate_ms(const JsonFor& json_for) {
  TempDir scratch;
  ferry::test::write_file(scratch.file("p.json"), json_for("calibration"));
  const auto start = std::chrono::steady_clock::now();
  auto r = ferry::test::run_process({FERRY_TEST_BINARY, "run", "--no-progress", scratch.file("p.json")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count());
}

CrashLoopResult crash_loop(const TempDir& dir, int full_ms, uint64_t seed, const S3rver& server,
                           const std::string& prefix, size_t all_objects) {
  std::mt19937_64 rng(seed);
  // Kills at 3-15% of a full run each leave most of the work for the end.
  std::uniform_int_distribution<int> delay_ms(std::max(5, full_ms * 3 / 100), std::max(10, full_ms * 15 / 100));
  CrashLoopResult result;
  for (int attempt = 0; attempt < 200; ++attempt) {
    ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")}, {}, dir.file("out.txt"),
                           dir.file("err.txt"));
    if (result.kills >= kKills) {
      auto [code, sig] = p.wait();
      EXPECT_EQ(code, 0) << ferry::test::slurp(dir.file("err.txt"));
      return result;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(rng));
    std::pair<int, int> status;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if ((exited = p.finished(&status))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (exited) {
      EXPECT_EQ(status.first, 0) << ferry::test::slurp(dir.file("err.txt"));
      return result;
    }
    p.kill_now(SIGKILL);
    p.wait();
    ++result.kills;
    const size_t n = list_keys(server, prefix).size();
    if (n > 0 && n < all_objects) ++result.kills_mid_data;
    if (!list_uploads(server, prefix).empty()) ++result.kills_mid_upload;
  }
  ADD_FAILURE() << "the pipeline never finished";
  return result;
}

// Ids in every object under `prefix` (JSONL): how often each was seen.
std::vector<int> id_counts(const S3rver& s, const std::string& prefix, int64_t* lines) {
  ferry::test::ProcessResult r = probe(s.endpoint(), s.bucket(), {"cat", prefix});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<int> seen(kRows + 1, 0);
  *lines = 0;
  for (size_t at = 0; at < r.out.size();) {
    size_t nl = r.out.find('\n', at);
    if (nl == std::string::npos) nl = r.out.size();
    const int64_t id = std::atoll(r.out.c_str() + at + 6);  // {"id":N,...
    if (id >= 1 && id <= kRows) ++seen[static_cast<size_t>(id)];
    ++*lines;
    at = nl + 1;
  }
  return seen;
}

void expect_each_record_once(const S3rver& s, const std::string& prefix) {
  int64_t lines = 0;
  const std::vector<int> seen = id_counts(s, prefix, &lines);
  EXPECT_EQ(lines, kRows);
  int64_t missing = 0, duplicated = 0;
  for (int64_t id = 1; id <= kRows; ++id) {
    missing += seen[static_cast<size_t>(id)] == 0;
    duplicated += seen[static_cast<size_t>(id)] > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
}

}  // namespace

TEST(S3Crash, EveryRecordEndsInExactlyOneObjectAfterRepeatedSigkill) {
  S3rver server;
  TempDir dir;
  auto json_for = [&](const std::string& prefix) { return pipeline_json(server, prefix, 1000, "", ""); };
  const int full_ms = calibrate_ms(json_for);
  ferry::test::write_file(dir.file("p.json"), json_for("crash"));
  const CrashLoopResult r = crash_loop(dir, full_ms, 20261121, server, "crash/", 200);
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough (full run " << full_ms << " ms)";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
  std::cout << "full run " << full_ms << " ms; kills " << r.kills << ", mid data " << r.kills_mid_data << "\n";
  EXPECT_EQ(list_keys(server, "crash/").size(), 200u);  // 2 partitions x 100 batches, no strays
  expect_each_record_once(server, "crash/");
  EXPECT_TRUE(list_uploads(server).empty());
}

TEST(S3Crash, KillsMidMultipartUploadLeaveNoPartsBehind) {
  S3rver server;
  TempDir dir;
  // 12 fields make ~300-byte rows: batches of 20,000 rows are ~6 MB objects,
  // uploaded as two 5 MiB-or-less parts, so most kills hit an upload.
  auto json_for = [&](const std::string& prefix) {
    return pipeline_json(server, prefix, 20000, R"(, "fields": 12)",
                         R"(, "multipart_threshold": 5242880, "part_size": 5242880)");
  };
  const int full_ms = calibrate_ms(json_for);
  ferry::test::write_file(dir.file("p.json"), json_for("mp"));
  const CrashLoopResult r = crash_loop(dir, full_ms, 4242, server, "mp/", 10);
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough (full run " << full_ms << " ms)";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
  std::cout << "full run " << full_ms << " ms; kills " << r.kills << ", mid data " << r.kills_mid_data
            << ", with an upload open " << r.kills_mid_upload << "\n";
  EXPECT_EQ(list_keys(server, "mp/").size(), 10u);
  expect_each_record_once(server, "mp/");
  // The kills did catch uploads open, and the restarts swept them away.
  EXPECT_GE(r.kills_mid_upload, 1) << "no kill landed during a multipart upload";
  EXPECT_TRUE(list_uploads(server).empty()) << "orphan multipart uploads";
  EXPECT_EQ(upload_dirs_on_disk(server), 0u);
}
