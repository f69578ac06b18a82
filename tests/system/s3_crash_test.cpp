// Crash safety of the s3 sink: `ferry run` (generator -> s3) is killed
// with SIGKILL at no fewer than ten random moments and restarted each time.
// At the end every record must be in exactly one object (a replayed batch
// overwrote its own object instead of adding a copy) and no multipart
// upload may be left (a killed upload's parts were aborted by the next run).
//
// When to kill: start-up (loading plugins, opening the state, the sweep of
// uploads a killed run left behind) takes a different share of a run on
// every machine and build; under ASan it is most of a short run, and kills
// timed as fractions of a whole run all landed before any data moved. So
// the test watches s3rver's store on disk from this process (readdir every
// 2 ms: no request, no child process, next to nothing for the run to feel)
// and sees the moment each run starts sending data (opens an upload or
// stores an object). Most runs are killed a random time after that: a
// fraction of the data phase of an uninterrupted run, measured the same
// way. Where objects go up as multipart uploads, every other run is killed
// inside its first or second upload: half of those the moment its first
// upload opens, the others at a random fraction of the time an upload stayed
// open in the measured run. Every fifth run is killed during start-up, at a
// random fraction of the shortest start-up seen. And a run that has stored
// its share of the objects (all / twenty) is killed then at the latest, so
// that ten kills leave work for the final run even when the measured run
// was slow.
#include <dirent.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "s3/s3_test_env.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;
using namespace ferry::test::s3;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 10;

int ms_between(Clock::time_point from, Clock::time_point to) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

struct CrashLoopResult {
  int kills = 0;
  int kills_mid_data = 0;     // while the run was sending data (an upload open or an object stored), not all landed
  int kills_mid_upload = 0;   // that left open a multipart upload the killed run had started
  int kills_before_data = 0;  // before the killed run had sent any data
  int kills_at_share = 0;     // when the run had stored its share of the objects
};

// Where in a run the kills go: a kill in the data phase comes a random
// fraction in [from, to] of the calibrated data phase after the run began
// sending data.
struct KillWindow {
  double from;
  double to;
};

std::string pipeline_json(const S3rver& s, const std::string& prefix, int64_t rows, int batch,
                          const std::string& extra_source, const std::string& extra_sink) {
  return R"({"name": "crash", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": )" + std::to_string(rows) + R"(, "partitions": 2 )" +
         extra_source + R"(}},
    "batch": {"max_records": )" + std::to_string(batch) + R"(, "max_bytes": 268435456},
    "sinks": [{"name": "s3", "plugin": "s3", "config": {"endpoint": ")" + s.endpoint() + R"(", "bucket": ")" +
         s.bucket() + R"(", "prefix": ")" + prefix + R"(", "access_key_id": "S3RVER", "secret_access_key": "S3RVER" )" +
         extra_sink + "}}]}";
}

// What s3rver holds, read from its directory: the objects stored under
// `prefix` (BUCKET/KEY._S3rver_object) and the multipart uploads open
// (BUCKET/._S3rver_uploads/UPLOAD_ID/). Plain readdir, about as cheap as a
// look can be; it races with s3rver's writes, and an entry that vanishes
// mid-listing only delays the moment a run is seen sending data.
struct StoreView {
  size_t objects = 0;
  std::set<std::string> uploads;  // upload ids
};

size_t count_objects(const std::string& dir) {
  static const std::string_view kSuffix = "._S3rver_object";
  DIR* d = opendir(dir.c_str());
  if (!d) return 0;
  size_t n = 0;
  while (const dirent* e = readdir(d)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    struct stat st;
    if (e->d_type == DT_UNKNOWN && stat((dir + "/" + e->d_name).c_str(), &st) == 0) is_dir = S_ISDIR(st.st_mode);
    if (is_dir)
      n += count_objects(dir + "/" + e->d_name);
    else if (name.size() > kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix)
      ++n;
  }
  closedir(d);
  return n;
}

StoreView look_at_store(const S3rver& s, const std::string& prefix) {
  const std::string bucket = s.data_dir() + "/" + s.bucket();
  StoreView v;
  v.objects = count_objects(bucket + "/" + prefix);
  if (DIR* d = opendir((bucket + "/._S3rver_uploads").c_str())) {
    while (const dirent* e = readdir(d))
      if (e->d_name[0] != '.') v.uploads.insert(e->d_name);
    closedir(d);
  }
  return v;
}

// True once a run that started when the store looked like `before` has sent
// data: it opened a multipart upload or stored a new object.
bool sent_data(const StoreView& before, const StoreView& now) {
  if (now.objects > before.objects) return true;
  for (const std::string& id : now.uploads)
    if (!before.uploads.count(id)) return true;
  return false;
}

// One uninterrupted run into a scratch prefix, watched like the crash runs:
// how long it took to send its first data, how long it sent data, and how
// long a multipart upload stayed open (the shortest; 0 without uploads).
struct Calibration {
  int startup_ms = 0;
  int data_ms = 0;
  int upload_ms = 0;
};

template <typename JsonFor>
Calibration calibrate(const S3rver& server, const JsonFor& json_for) {
  TempDir scratch;
  ferry::test::write_file(scratch.file("p.json"), json_for("calibration"));
  const StoreView before = look_at_store(server, "calibration/");
  const auto start = Clock::now();
  ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", scratch.file("p.json")}, {},
                         scratch.file("out.txt"), scratch.file("err.txt"));
  std::optional<Clock::time_point> data_at;
  std::map<std::string, Clock::time_point> opened;  // upload id -> first seen
  std::vector<int> upload_ms;
  std::pair<int, int> status;
  while (!p.finished(&status)) {
    const auto now = Clock::now();
    const StoreView view = look_at_store(server, "calibration/");
    if (!data_at && sent_data(before, view)) data_at = now;
    for (const std::string& id : view.uploads)
      if (!before.uploads.count(id)) opened.emplace(id, now);
    for (auto it = opened.begin(); it != opened.end();) {
      if (view.uploads.count(it->first)) {
        ++it;
        continue;
      }
      upload_ms.push_back(ms_between(it->second, now));
      it = opened.erase(it);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto end = Clock::now();
  EXPECT_EQ(status.first, 0) << ferry::test::slurp(scratch.file("err.txt"));
  EXPECT_TRUE(sent_data(before, look_at_store(server, "calibration/"))) << "the calibration run stored nothing";
  if (!data_at) data_at = end;  // too quick to catch: all of it looks like start-up
  Calibration cal{ms_between(start, *data_at), std::max(1, ms_between(*data_at, end)), 0};
  if (!upload_ms.empty()) cal.upload_ms = std::max(1, *std::min_element(upload_ms.begin(), upload_ms.end()));
  return cal;
}

// Upload ids in ListMultipartUploads (as s3rver answers it) under `prefix`.
std::set<std::string> open_upload_ids(const S3rver& s, const std::string& prefix) {
  std::set<std::string> ids;
  for (const std::string& line : list_uploads(s, prefix)) {
    std::istringstream in(line);
    std::string key, id;
    in >> key >> id;
    ids.insert(id);
  }
  return ids;
}

// What a run is killed in: its start-up; its data phase, a random time
// after it began sending data; or one of its uploads, a random fraction of
// the calibrated time an upload stays open after the run opened its first
// or second one. An upload is open for only part of the data phase (less
// under load, when making the next batch takes longer), so kills at random
// times alone may catch few.
enum class Aim { StartUp, DataPhase, Upload };

Aim aim_of(int attempt, const Calibration& cal) {
  if (attempt % 5 == 4) return Aim::StartUp;
  if (attempt % 2 == 1 && cal.upload_ms > 0) return Aim::Upload;
  return Aim::DataPhase;
}

CrashLoopResult crash_loop(const TempDir& dir, const Calibration& cal, KillWindow window, uint64_t seed,
                           const S3rver& server, const std::string& prefix, size_t all_objects) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> data_delay_ms(static_cast<int>(cal.data_ms * window.from),
                                                   std::max(1, static_cast<int>(cal.data_ms * window.to)));
  std::uniform_real_distribution<double> fraction(0.1, 0.9);
  std::uniform_int_distribution<size_t> which_upload(1, 2);
  // Start-up of a restart, the shortest seen: the first, cold run's is longer.
  int startup_ms = cal.startup_ms;
  // A run stores at most its share of the objects: half of them over all
  // the kills, so the run to finish is never one meant to be killed.
  const size_t share = std::max<size_t>(1, all_objects / (2 * kKills));
  // A run that sends nothing for this long is stuck: fail instead of hanging.
  const auto give_up = std::chrono::milliseconds(std::max(30000, 20 * (cal.startup_ms + cal.data_ms)));
  CrashLoopResult result;
  int upload_aims = 0;
  for (int attempt = 0; attempt < 200; ++attempt) {
    const StoreView before = look_at_store(server, prefix);
    const auto started = Clock::now();
    ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")}, {}, dir.file("out.txt"),
                           dir.file("err.txt"));
    if (result.kills >= kKills) {
      auto [code, sig] = p.wait();
      EXPECT_EQ(code, 0) << ferry::test::slurp(dir.file("err.txt"));
      return result;
    }
    const Aim aim = aim_of(attempt, cal);
    const int data_delay = data_delay_ms(rng);
    // Every other kill aimed at an upload comes the moment the run's first
    // upload is seen open: sending a 5 MiB part takes far longer than the
    // look, so it surely catches one, however the machine's speed changed
    // since the calibration. The others come a random fraction into it.
    const bool at_once = aim == Aim::Upload && upload_aims++ % 2 == 0;
    const double part = at_once ? 0.0 : fraction(rng);
    const size_t upload_no = at_once ? 1 : which_upload(rng);
    std::optional<Clock::time_point> deadline;
    if (aim == Aim::StartUp) deadline = started + std::chrono::milliseconds(static_cast<int>(startup_ms * part));
    bool moving = false, stuck = false, exited = false;
    std::set<std::string> opened;  // uploads this run opened
    std::pair<int, int> status;
    for (;;) {
      if ((exited = p.finished(&status))) break;
      const auto now = Clock::now();
      if (deadline && now >= *deadline) break;
      const StoreView view = look_at_store(server, prefix);
      if (!moving && sent_data(before, view)) {
        moving = true;
        startup_ms = std::min(startup_ms, ms_between(started, now));
        if (aim == Aim::DataPhase) deadline = now + std::chrono::milliseconds(data_delay);
      }
      for (const std::string& id : view.uploads)
        if (!before.uploads.count(id) && opened.insert(id).second && opened.size() == upload_no &&
            aim == Aim::Upload)
          deadline = now + std::chrono::milliseconds(static_cast<int>(cal.upload_ms * part));
      if (view.objects >= before.objects + share) {
        ++result.kills_at_share;
        break;
      }
      if ((stuck = !deadline && now - started > give_up)) {
        ADD_FAILURE() << "a run sent no data within " << ms_between(started, now) << " ms";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (exited) {
      EXPECT_EQ(status.first, 0) << ferry::test::slurp(dir.file("err.txt"));
      return result;
    }
    p.kill_now(SIGKILL);
    p.wait();
    ++result.kills;
    const bool sent = moving || sent_data(before, look_at_store(server, prefix));
    if (!sent) ++result.kills_before_data;
    // Uploads in the background (deferred commits) may all be open at the
    // kill, with no object landed yet: data was moving all the same.
    if (sent && list_keys(server, prefix).size() < all_objects) ++result.kills_mid_data;
    for (const std::string& id : open_upload_ids(server, prefix))
      if (!before.uploads.count(id)) {
        ++result.kills_mid_upload;
        break;
      }
    if (stuck) return result;
  }
  ADD_FAILURE() << "the pipeline never finished";
  return result;
}

// Ids 1..rows in every object under `prefix` (JSONL): how often each was seen.
std::vector<int> id_counts(const S3rver& s, const std::string& prefix, int64_t rows, int64_t* lines) {
  ferry::test::ProcessResult r = probe(s.endpoint(), s.bucket(), {"cat", prefix});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<int> seen(static_cast<size_t>(rows) + 1, 0);
  *lines = 0;
  for (size_t at = 0; at < r.out.size();) {
    size_t nl = r.out.find('\n', at);
    if (nl == std::string::npos) nl = r.out.size();
    const int64_t id = std::atoll(r.out.c_str() + at + 6);  // {"id":N,...
    if (id >= 1 && id <= rows) ++seen[static_cast<size_t>(id)];
    ++*lines;
    at = nl + 1;
  }
  return seen;
}

void expect_each_record_once(const S3rver& s, const std::string& prefix, int64_t rows) {
  int64_t lines = 0;
  const std::vector<int> seen = id_counts(s, prefix, rows, &lines);
  EXPECT_EQ(lines, rows);
  int64_t missing = 0, duplicated = 0;
  for (int64_t id = 1; id <= rows; ++id) {
    missing += seen[static_cast<size_t>(id)] == 0;
    duplicated += seen[static_cast<size_t>(id)] > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
}

void print(const Calibration& cal, const CrashLoopResult& r) {
  std::cout << "uninterrupted run: start-up " << cal.startup_ms << " ms, data " << cal.data_ms
            << " ms, an upload open " << cal.upload_ms << " ms; kills " << r.kills << ": mid data "
            << r.kills_mid_data << ", with an upload open " << r.kills_mid_upload << ", before the run sent data "
            << r.kills_before_data << ", at a run's share of the objects " << r.kills_at_share << "\n";
}

}  // namespace

TEST(S3Crash, EveryRecordEndsInExactlyOneObjectAfterRepeatedSigkill) {
  constexpr int64_t kRows = 200000;
  S3rver server;
  TempDir dir;
  auto json_for = [&](const std::string& prefix) { return pipeline_json(server, prefix, kRows, 1000, "", ""); };
  const Calibration cal = calibrate(server, json_for);
  ferry::test::write_file(dir.file("p.json"), json_for("crash"));
  // 200 objects: a kill 1-10% into the data phase lets a run store ~2-20.
  const CrashLoopResult r = crash_loop(dir, cal, {0.01, 0.10}, 20261121, server, "crash/", 200);
  print(cal, r);
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
  EXPECT_EQ(list_keys(server, "crash/").size(), 200u);  // 2 partitions x 100 batches, no strays
  expect_each_record_once(server, "crash/", kRows);
  EXPECT_TRUE(list_uploads(server).empty());
}

TEST(S3Crash, KillsMidMultipartUploadLeaveNoPartsBehind) {
  // 12 fields make ~300-byte rows: batches of 20,000 rows are ~6 MB objects,
  // uploaded as two 5 MiB-or-less parts. 20 objects (2 partitions x 10
  // batches), so that ten and more kills, each after a run stored 0-1 of
  // them, leave the last ones for the final run.
  constexpr int64_t kRows = 400000;
  S3rver server;
  TempDir dir;
  auto json_for = [&](const std::string& prefix) {
    return pipeline_json(server, prefix, kRows, 20000, R"(, "fields": 12)",
                         R"(, "multipart_threshold": 5242880, "part_size": 5242880)");
  };
  const Calibration cal = calibrate(server, json_for);
  ferry::test::write_file(dir.file("p.json"), json_for("mp"));
  // A kill 0-10% into the data phase: while the run sends its first 0-2 objects.
  const CrashLoopResult r = crash_loop(dir, cal, {0.0, 0.10}, 4242, server, "mp/", 20);
  print(cal, r);
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
  EXPECT_EQ(list_keys(server, "mp/").size(), 20u);
  expect_each_record_once(server, "mp/", kRows);
  // The kills did catch uploads open, and the restarts swept them away.
  EXPECT_GE(r.kills_mid_upload, 2) << "too few kills landed during a multipart upload";
  EXPECT_TRUE(list_uploads(server).empty()) << "orphan multipart uploads";
  EXPECT_EQ(upload_dirs_on_disk(server), 0u);
}
