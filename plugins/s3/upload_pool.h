// Background uploads for the s3 sink's deferred commits (ABI 1.10): a
// commit hands its objects over and returns, so the next batch is encoded
// while this one travels. Each thread has its own connection (a curl
// handle serves one thread); commits are taken in order and their outcomes
// handed back in order, one per await_oldest().
//
// An upload thread may not call the host (ABI rule 4): what it would log
// travels with the outcome and is logged by the thread that awaits it.
#ifndef FERRY_PLUGINS_S3_UPLOAD_POOL_H_
#define FERRY_PLUGINS_S3_UPLOAD_POOL_H_

#include <ferry/plugin.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "options.h"
#include "s3_client.h"

namespace ferry_s3 {

// The Content-Type of the sink's objects.
const char* content_type(const Options& o);

struct UploadObject {
  std::string key;
  std::string body;  // formatted rows, gzipped by the upload thread if asked
};

struct UploadOutcome {
  int64_t objects = 0;
  int64_t bytes = 0;  // as stored (after gzip)
  std::vector<std::pair<FerryLogLevel, std::string>> log;
  std::vector<std::string> buffers;  // the bodies' memory, emptied, for reuse
  std::exception_ptr error;          // a ferry::Error, classified as commit would
};

class UploadPool {
 public:
  UploadPool(const Options& options, size_t threads);
  // Finishes the upload each thread is in; commits not started are dropped
  // (nobody awaited them: the host re-delivers their batches).
  ~UploadPool();
  UploadPool(const UploadPool&) = delete;
  UploadPool& operator=(const UploadPool&) = delete;

  void submit(std::vector<UploadObject> objects);
  // The oldest submitted commit's outcome, waiting for it.
  UploadOutcome await_oldest();

 private:
  struct Job {
    std::vector<UploadObject> objects;
    std::promise<UploadOutcome> done;
  };
  void work();
  void upload(S3Client& client, std::vector<UploadObject>& objects, UploadOutcome& out) const;
  void stop() noexcept;

  const Options& options_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::deque<std::future<UploadOutcome>> outcomes_;  // the instance's thread only
  std::vector<std::thread> threads_;
};

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_UPLOAD_POOL_H_
