// The `s3` sink: every batch becomes one object under a deterministic key
// (key_template.h), uploaded on commit and acknowledged only when S3 has
// answered 200 for the whole object (FERRY_CAP_IDEMPOTENT).
//
// write() formats rows straight into the pending object's body in memory (at
// most one batch: max_batch_bytes bounds it, plus the formatting overhead);
// commit() gzips it if asked and uploads it; abort() drops it. A commit that
// fails with RETRY is followed by abort(), a wait, the same write() and
// commit() again, which PUTs the same bytes to the same key. When the host
// lets a commit finish later (ABI 1.10), the object goes to the upload
// threads (upload_pool.h) instead and the outcome comes with await_commit:
// distinct batches have distinct keys, so uploads may land in any order.
//
// Thread safety: one instance is used by one thread at a time (ABI rule 4).
#ifndef FERRY_PLUGINS_S3_S3_SINK_H_
#define FERRY_PLUGINS_S3_S3_SINK_H_

#include <ferry/plugin.hpp>

#include <memory>
#include <string>
#include <vector>

#include "key_template.h"
#include "options.h"
#include "s3_client.h"
#include "upload_pool.h"
#include "uploader.h"

namespace ferry_s3 {

class S3Sink : public ferry::Sink {
 public:
  explicit S3Sink(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);

  void write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) override;
  void commit(const FerryCheckpoint* checkpoint) override;
  // Deferred commits (ABI 1.10): the objects go to the upload threads.
  bool begin_commit(const FerryCheckpoint* checkpoint) override;
  void await_commit() override;
  void abort() override;

 private:
  // Rows since the last commit that go to one object: one partition, one
  // schema. The host writes one batch per commit, so this is normally one.
  struct PendingObject {
    std::string partition;
    std::string schema;  // field names, to keep one CSV header per object
    std::string first_position;
    std::string last_position;
    std::string body;
  };
  PendingObject& pending_for(const ferry::BatchView& batch);
  // Drops the pending objects, keeping their bodies' memory.
  void recycle();
  void keep_spare(std::string body);

  ferry::Host host_;
  Options options_;
  std::string data_date_;
  std::string window_start_;  // a backfill's window, for {window_start}
  std::unique_ptr<KeyTemplate> keys_;
  std::unique_ptr<S3Client> client_;
  std::unique_ptr<Uploader> uploader_;
  std::unique_ptr<UploadPool> pool_;  // from the first deferred commit on
  std::vector<PendingObject> pending_;
  // Bodies of objects committed or dropped, emptied: their memory is
  // reused by the next objects, so a steady stream of batches neither
  // reallocates nor faults in fresh pages for every object.
  static constexpr size_t kMaxSpares = 64;
  std::vector<std::string> spares_;
};

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_S3_SINK_H_
