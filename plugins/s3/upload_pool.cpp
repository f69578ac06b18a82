#include "upload_pool.h"

#include "codec/gzip.h"
#include "s3_client.h"
#include "uploader.h"

namespace ferry_s3 {

const char* content_type(const Options& o) {
  // A .gz object is gzip data (no Content-Encoding: clients must not
  // unpack it on download, or the bytes would differ from the object's).
  if (o.gzip) return "application/gzip";
  return o.format == Format::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson";
}

UploadPool::UploadPool(const Options& options, size_t threads) : options_(options) {
  try {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  } catch (...) {
    stop();
    throw;
  }
}

UploadPool::~UploadPool() { stop(); }

void UploadPool::stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
}

void UploadPool::submit(std::vector<UploadObject> objects) {
  Job job;
  job.objects = std::move(objects);
  outcomes_.push_back(job.done.get_future());
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

UploadOutcome UploadPool::await_oldest() {
  if (outcomes_.empty()) throw ferry::Error(FERRY_ERROR_INTERNAL, "s3 sink: await_commit with no commit pending");
  std::future<UploadOutcome> next = std::move(outcomes_.front());
  outcomes_.pop_front();
  return next.get();
}

void UploadPool::work() {
  // A thread that cannot connect says so in every commit it takes.
  std::unique_ptr<S3Client> client;
  std::exception_ptr broken;
  try {
    client = std::make_unique<S3Client>(options_.client);
  } catch (const ferry::Error&) {
    broken = std::current_exception();
  } catch (const std::exception& e) {
    broken = std::make_exception_ptr(ferry::Error(FERRY_ERROR_INTERNAL, std::string("s3 sink: ") + e.what()));
  }
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    UploadOutcome out;
    out.error = broken;
    try {
      if (broken) job.objects.clear();
      else upload(*client, job.objects, out);
    } catch (const ferry::Error&) {
      out.error = std::current_exception();
    } catch (const std::exception& e) {
      out.error = std::make_exception_ptr(ferry::Error(FERRY_ERROR_INTERNAL, std::string("s3 sink: ") + e.what()));
    }
    try {
      for (UploadObject& o : job.objects) {
        o.body.clear();
        out.buffers.push_back(std::move(o.body));
      }
    } catch (...) {
      // Only the reuse of memory is lost.
    }
    job.done.set_value(std::move(out));
  }
}

void UploadPool::upload(S3Client& client, std::vector<UploadObject>& objects, UploadOutcome& out) const {
  Uploader uploader(client, options_.upload, [&out](FerryLogLevel level, const std::string& m) {
    out.log.emplace_back(level, m);
  });
  for (UploadObject& o : objects) {
    if (options_.gzip) {
      const std::string packed = ferry::support::gzip(o.body, ferry::support::kGzipDefaultLevel, "s3");
      uploader.put(o.key, packed, content_type(options_));
      out.bytes += static_cast<int64_t>(packed.size());
    } else {
      uploader.put(o.key, o.body, content_type(options_));
      out.bytes += static_cast<int64_t>(o.body.size());
    }
    ++out.objects;
  }
}

}  // namespace ferry_s3
